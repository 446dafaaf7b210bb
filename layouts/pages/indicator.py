"""Indicator page (the drill-down): series with ranges, breakdown by area, map, comparison, export.

Every view is addressable: ``/indicator/<code>?area=724&range=30d&compare=718,719``
(``range=custom&from=2026-01-01&to=2026-03-31`` for a custom range).

The layout carries the URL's view already drawn (head, area pickers, series, breakdown and
map, read built from the shared cache: ``layouts/callbacks/indicator.py``), so opening the
page is one request (the page router) instead of seven; the callbacks answer the viewer's
changes. While the database is down a panel shows the "data unavailable" notice instead.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from ioc.i18n import t
from ioc.storage.timeseries import RANGES
from layouts.access import scope
from layouts.callbacks import indicator as views  # also registers the callbacks
from layouts.components.panel import panel
from layouts.components.unavailable import unavailable_figure, unavailable_notice
from layouts.figures import empty_figure
from layouts.first_state import first_state
from layouts.inputs import query_value
from layouts.prefs import current_lang, current_theme
from layouts.rendered import plain

dash.register_page(__name__, path_template="/indicator/<code>", name="indicator", title="IOC — Chỉ số")


def _url_state(code: str | None, query: dict[str, str | list[str]]) -> dict:
    """The view the URL asks for; a parameter given twice (a list) keeps its first value, ``compare`` all."""
    value = {key: query_value(query.get(key)) for key in ("area", "range", "from", "to")}
    range_key = value["range"] if value["range"] in (*RANGES, "custom") else "30d"
    repeated = query.get("compare")
    given = repeated if isinstance(repeated, list) else [repeated]
    compare = [c for part in given if isinstance(part, str) for c in part.split(",") if c]
    return {"code": code, "area": value["area"], "range": range_key, "from": value["from"],
            "to": value["to"], "compare": list(dict.fromkeys(compare))}


def _first_views(state: dict, lang: str, theme: str) -> dict:
    """The view the URL names, drawn: what the callbacks would answer for the page's first state."""
    viewer_scope, what = scope(), "an indicator page"
    notice = lambda: [unavailable_notice()]  # noqa: E731
    area = first_state(lambda: views.start_area(state), lambda: None, what=what)
    labels = first_state(lambda: views.area_labels(lang), list, what=what)
    code = state["code"] if isinstance(state["code"], str) and state["code"] else None
    if code is None:  # no code in the path: what the callbacks answer for a state without one
        blank = empty_figure(t("ind.invalid_state", lang), theme=theme)
        return {"area": area, "labels": labels, "series": blank, "breakdown": [blank, blank, [], True],
                "head": [html.H1(t("ind.invalid_state", lang), className="page-title", id="ind-invalid")]}
    head = first_state(lambda: views.head_view(code, lang, viewer_scope), notice, what=what)
    series = first_state(lambda: views.series_of(code, area, state["range"], state["from"], state["to"],
                                                 state["compare"], lang, theme, viewer_scope),
                         unavailable_figure, what=what)
    breakdown = first_state(lambda: views.breakdown_view(code, area, lang, theme, viewer_scope),
                            lambda: [unavailable_figure(), unavailable_figure(), [], True], what=what)
    return {"area": area, "labels": labels, "head": head, "series": series, "breakdown": breakdown}


def layout(code: str | None = None, **query: str) -> dict:
    """Head, controls and four views, drawn for the URL's view; callbacks redraw them on each change."""
    lang, theme = current_lang(), current_theme()
    state = _url_state(code, query)
    first = _first_views(state, lang, theme)
    bars, shape, path, back_disabled = first["breakdown"]
    range_options = [{"label": t(f"range.{key}", lang), "value": key} for key in (*RANGES, "custom")]
    controls = html.Div(
        [
            html.Label([t("ind.area", lang),
                        dcc.Dropdown(id="ind-area", value=first["area"], options=first["labels"], clearable=False,
                                     className="area-picker")], className="control"),
            html.Div([html.Span(t("ind.range", lang), className="control-label"),
                      dcc.RadioItems(id="ind-range", options=range_options, value=state["range"],
                                     className="range-tabs", inputClassName="range-input",
                                     labelClassName="range-label")], className="control"),
            html.Div(dcc.DatePickerRange(id="ind-dates", start_date=state["from"], end_date=state["to"],
                                         display_format="DD/MM/YYYY", first_day_of_week=1,
                                         start_date_placeholder_text=t("ind.from", lang),
                                         end_date_placeholder_text=t("ind.to", lang)),
                     id="ind-dates-box", className="control",
                     style={"display": "block" if state["range"] == "custom" else "none"}),
            html.Label([t("ind.compare", lang),
                        # A Dropdown drops values missing from its options: the URL's areas are among them.
                        dcc.Dropdown(id="ind-compare", multi=True, value=state["compare"], options=first["labels"],
                                     placeholder=t("ind.compare_pick", lang), className="compare-picker")],
                       className="control control-wide"),
            html.Div(
                [html.Button(t("ind.export_csv", lang), id="ind-export-csv", n_clicks=0, className="btn"),
                 html.Button(t("ind.export_xlsx", lang), id="ind-export-xlsx", n_clicks=0, className="btn"),
                 html.A(t("ind.permalink", lang), id="ind-permalink", href="", className="btn btn-link"),
                 dcc.Download(id="ind-download")],
                className="control control-actions",
            ),
        ],
        className="controls",
    )
    return plain(html.Div(  # one JSON encoding pass for the router (layouts.rendered.plain)
        [
            dcc.Store(id="ind-state", data=state),
            html.Div(first["head"], id="ind-head", className="ind-head"),
            controls,
            html.Div(
                [
                    panel(t("ind.series", lang), dcc.Loading(dcc.Graph(id="ind-series", figure=first["series"],
                                                                       className="series-graph",
                                                                       config={"displaylogo": False}),
                                                             type="dot", delay_show=400),
                          class_name="panel-series"),
                    panel(t("ind.breakdown", lang),
                          [html.Div(path, id="ind-path", className="area-path"),
                           dcc.Graph(id="ind-breakdown", figure=bars, className="breakdown-graph",
                                     config={"displayModeBar": False})],
                          tools=html.Button(t("ind.back", lang), id="ind-back", n_clicks=0, disabled=back_disabled,
                                            className="btn btn-small"),
                          class_name="panel-breakdown"),
                    panel(t("ind.map", lang), dcc.Graph(id="ind-map", figure=shape, className="map-graph",
                                                        config={"displayModeBar": False}), class_name="panel-indmap"),
                ],
                className="ind-main",
            ),
        ],
        className="indicator-page",
    ))
