"""Traffic ``/giao-thong``: AI cameras (grid and map), incidents, today's hourly profile, congestion now."""

from __future__ import annotations

import dash
from dash import dcc, html

from ioc.i18n import t
from layouts.callbacks import traffic as _callbacks  # noqa: F401  (registers callbacks)
from layouts.components.panel import panel
from layouts.inputs import query_value
from layouts.prefs import current_lang

dash.register_page(__name__, path="/giao-thong", name="traffic", title="IOC — Giao thông")

_GRAPH = {"displayModeBar": False, "responsive": True}


def layout(camera: str | None = None, **_query: str) -> html.Div:
    """Headline strip; map and most congested points; camera grid; incidents; hourly profile and classes."""
    lang = current_lang()
    return html.Div([
        html.Section(id="traffic-kpis", className="traffic-kpis"),
        html.Div([
            panel(t("traffic.map", lang), dcc.Graph(id="traffic-map", config=_GRAPH, className="traffic-map", style={"height": "420px"}),
                  class_name="traffic-map-panel"),
            panel(t("traffic.top_congested", lang), html.Div(id="traffic-congested"), class_name="traffic-side"),
            panel(t("traffic.incidents_today", lang), html.Div(id="traffic-incidents", className="traffic-feed"),
                  class_name="traffic-side"),
        ], className="traffic-row"),
        html.Div([
            panel(t("traffic.profile", lang), dcc.Graph(id="traffic-profile", config=_GRAPH, className="traffic-graph", style={"height": "340px"})),
            panel(t("traffic.by_class", lang), dcc.Graph(id="traffic-classes", config=_GRAPH, className="traffic-graph", style={"height": "340px"})),
        ], className="traffic-row traffic-row-2"),
        panel(t("traffic.grid", lang), html.Div(id="traffic-grid", className="camera-grid")),
        dcc.Store(id="traffic-camera", data=query_value(camera)),  # ?camera=a&camera=b: the first
    ], className="traffic-page")
