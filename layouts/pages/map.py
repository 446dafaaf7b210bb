"""Full-screen operations map (/ban-do): every layer, drill-down, and charts that follow the map.

``/ban-do?area=718&indicator=CODE&level=commune`` opens the map on an area,
an indicator and a level. The side charts follow the drilled area.
"""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import MATCH, Input, Output, callback, dcc, html

from ioc.formatting import format_number
from ioc.i18n import pick, t
from layouts import map_build as mb
from layouts import map_figures as mf
from layouts.components.map_inputs import MapInputs
from layouts.components.map_view import map_id, map_view
from layouts.components.panel import panel
from layouts.inputs import query_value
from layouts.prefs import current_lang, current_theme

dash.register_page(__name__, path="/ban-do", name=t("mapview.nav"), title=f"IOC — {t('mapview.title')}", order=2)

_INDEX = "page"


def layout(area: str | None = None, indicator: str | None = None, level: str | None = None, **_query: str) -> html.Div:
    """The map on the left, the charts that follow it on the right."""
    lang = current_lang()
    # A repeated query parameter (?area=718&area=719) arrives as a list: the first one counts.
    area, indicator, level = query_value(area), query_value(indicator), query_value(level)
    return html.Div(
        [
            html.Div(map_view(_INDEX, lang=lang, area_code=area, indicator=indicator, level=level,
                              height="calc(100vh - 300px)"),
                     style={"flex": "3 1 900px", "minWidth": 0}),
            html.Div(
                [
                    panel(t("mapview.addresses_by_category", lang),
                          dcc.Graph(id=map_id("side-categories", _INDEX), config={"displayModeBar": False},
                                    style={"height": "300px"})),
                    panel(t("mapview.indicator", lang),
                          dcc.Graph(id=map_id("side-values", _INDEX), config={"displayModeBar": False},
                                    style={"height": "calc(100vh - 560px)", "minHeight": "240px"})),
                ],
                style={"flex": "1 1 340px", "display": "flex", "flexDirection": "column", "gap": "12px", "minWidth": 0},
            ),
        ],
        className="map-page",
        style={"display": "flex", "gap": "14px", "flexWrap": "wrap", "alignItems": "flex-start"},
    )


def _bars(labels: list[str], values: list[float], colours: list[str] | str, lang: str, theme: str,
          decimals: int = 0) -> go.Figure:
    palette = mf.PALETTES.get(theme, mf.PALETTES["dark"])
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker={"color": colours},
                           text=[format_number(v, lang, decimals=decimals) for v in values], textposition="auto",
                           hoverinfo="skip"))
    fig.update_layout(margin={"l": 8, "r": 8, "t": 4, "b": 4}, paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)", font={"color": palette["text"], "size": 12},
                      separators=",." if lang == "vi" else ".,", xaxis={"visible": False},
                      yaxis={"autorange": "reversed", "automargin": True})
    return fig


def _notice(text: str, lang: str, theme: str) -> go.Figure:
    """An empty side chart that says why."""
    figure = _bars([], [], [], lang, theme)
    figure.update_layout(yaxis={"visible": False})
    figure.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                          font={"color": mf.PALETTES.get(theme, mf.PALETTES["dark"])["muted"]})
    return figure


@callback(
    Output(map_id("side-categories", MATCH), "figure"),
    Output(map_id("side-values", MATCH), "figure"),
    Input(map_id("area", MATCH), "data"),
    Input(map_id("indicator", MATCH), "value"),
    Input(map_id("level", MATCH), "value"),
)
def follow_area(area: str | None, indicator: str | None, level: str | None) -> tuple[go.Figure, go.Figure]:
    """Address categories of the drilled area, and the indicator across the areas on the map."""
    lang, theme = current_lang(), current_theme()
    inputs = MapInputs("follow_area")
    area, indicator = inputs.text(area, "iocmap-area.data"), inputs.text(indicator, "iocmap-indicator.value")
    level = inputs.text(level, "iocmap-level.value")
    if not inputs.ok:
        return _notice(t("mapview.invalid_choice", lang), lang, theme), _notice(t("mapview.invalid_choice", lang),
                                                                              lang, theme)
    counts = mb.area_summary(area)["categories"]
    categories = _bars([mf.label("category", k, lang) for k in counts], list(counts.values()),
                       [mf.CATEGORY_COLOURS.get(k, "#e5e7eb") for k in counts], lang, theme)
    ranked = mb.shown_values(mb.MapState(level=level, area_code=area, indicator=indicator, lang=lang))
    if not ranked:
        return categories, _notice(t("mapview.no_value" if indicator else "mapview.pick_indicator", lang), lang, theme)
    meta, rows = ranked
    values = _bars([pick(lang, vi, en) for _, vi, en, _ in rows], [v for *_, v in rows],
                   mf.PALETTES[theme]["line"], lang, theme, decimals=meta.decimals)
    values.update_layout(title={"text": f"{pick(lang, meta.name_vi, meta.name_en)} ({meta.unit})",
                                "font": {"size": 12}, "x": 0.01, "y": 0.99}, margin={"t": 30})
    return categories, values
