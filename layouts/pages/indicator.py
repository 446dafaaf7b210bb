"""Indicator page (the drill-down): series with ranges, breakdown by area, map, comparison, export.

Every view is addressable: ``/indicator/<code>?area=724&range=30d&compare=718,719``
(``range=custom&from=2026-01-01&to=2026-03-31`` for a custom range).
"""

from __future__ import annotations

import dash
from dash import dcc, html

from ioc.i18n import t
from ioc.storage.timeseries import RANGES
from layouts.callbacks import indicator as _callbacks  # noqa: F401  (registers callbacks)
from layouts.components.panel import panel
from layouts.inputs import query_value
from layouts.prefs import current_lang

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


def layout(code: str | None = None, **query: str) -> html.Div:
    """Head, controls and four views; a callback fills each from the URL state."""
    lang = current_lang()
    state = _url_state(code, query)
    range_options = [{"label": t(f"range.{key}", lang), "value": key} for key in (*RANGES, "custom")]
    controls = html.Div(
        [
            html.Label([t("ind.area", lang),
                        dcc.Dropdown(id="ind-area", clearable=False, className="area-picker")], className="control"),
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
                        # Options start with the URL's areas: a Dropdown drops values missing from its
                        # options, which would lose a permalink's comparison before the names arrive.
                        dcc.Dropdown(id="ind-compare", multi=True, value=state["compare"],
                                     options=[{"label": c, "value": c} for c in state["compare"]],
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
    return html.Div(
        [
            dcc.Store(id="ind-state", data=state),
            html.Div(id="ind-head", className="ind-head"),
            controls,
            html.Div(
                [
                    panel(t("ind.series", lang), dcc.Loading(dcc.Graph(id="ind-series", className="series-graph",
                                                                       config={"displaylogo": False}),
                                                             type="dot", delay_show=400),
                          class_name="panel-series"),
                    panel(t("ind.breakdown", lang),
                          [html.Div(id="ind-path", className="area-path"),
                           dcc.Graph(id="ind-breakdown", className="breakdown-graph",
                                     config={"displayModeBar": False})],
                          tools=html.Button(t("ind.back", lang), id="ind-back", n_clicks=0, className="btn btn-small"),
                          class_name="panel-breakdown"),
                    panel(t("ind.map", lang), dcc.Graph(id="ind-map", className="map-graph",
                                                        config={"displayModeBar": False}), class_name="panel-indmap"),
                ],
                className="ind-main",
            ),
        ],
        className="indicator-page",
    )
