"""Overview for leaders: headline KPIs, every sector's status counts, map, open alerts."""

from __future__ import annotations

import dash
from dash import dcc, html

from ioc.auth.roles import Permission
from ioc.i18n import t
from layouts.access import may
from layouts.callbacks import overview as _callbacks  # noqa: F401  (registers callbacks)
from layouts.components.panel import panel
from layouts.prefs import current_lang

dash.register_page(__name__, path="/", name="overview", title="IOC — Tổng quan")


def layout(map: str | None = None, **_query: str) -> html.Div:  # noqa: A002
    """Tiles across the top; sectors, map and alerts below, sized to fill a 1920×1080 wall."""
    lang = current_lang()
    may_ack = may(Permission.ACK_ALERTS)  # leaders and admins acknowledge alerts
    return html.Div(
        [
            html.Section(id="kpi-tiles", className="kpi-row"),
            html.Div(
                [
                    panel(t("overview.sectors", lang), html.Div(id="sector-grid", className="sector-grid"),
                          tools=html.Div(id="sector-legend", className="legend"), class_name="panel-sectors"),
                    panel(t("overview.map", lang),
                          dcc.Graph(id="overview-map", className="map-graph", config={"displayModeBar": False}),
                          tools=dcc.Dropdown(id="map-indicator", value=map, clearable=False, className="map-picker",
                                             placeholder=t("overview.map_pick", lang)),
                          class_name="panel-map"),
                    panel(t("overview.alerts", lang), html.Div(id="alert-list", className="alert-list"),
                          tools=[html.Span(id="alert-ack-status", className="muted alert-ack-status", role="status"),
                                 dcc.Input(id="alert-ack-note", type="text", maxLength=500, debounce=True,
                                           placeholder=t("alerts.ack_note", lang), className="alert-ack-note",
                                           style={"width": "150px"} if may_ack else {"display": "none"}),
                                 html.Span(id="alert-count", className="count-pill")],
                          class_name="panel-alerts"),
                ],
                className="overview-main",
            ),
        ],
        className="overview",
    )
