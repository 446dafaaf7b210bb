"""Overview for leaders: headline KPIs, every sector's status counts, map, open alerts.

The layout carries every panel's first state, read built from the shared cache (the views of
``layouts/callbacks/overview.py``, renewed by the cache warmer), so the browser runs no
callback to fill the page: opening it is one request (the page router) instead of seven. The
callbacks refresh the panels on the 30 s tick. While the database is down a panel shows the
"data unavailable" notice and the next tick fills it.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from ioc.auth.roles import Permission
from ioc.i18n import t
from layouts.access import may, scope
from layouts.callbacks import overview as views  # also registers the callbacks
from layouts.components.panel import panel
from layouts.components.unavailable import unavailable_figure, unavailable_notice
from layouts.first_state import first_state
from layouts.prefs import current_lang, current_theme
from layouts.rendered import plain

dash.register_page(__name__, path="/", name="overview", title="IOC — Tổng quan")


def layout(map: str | None = None, **_query: str) -> dict:  # noqa: A002
    """Tiles across the top; sectors, map and alerts below, sized to fill a 1920×1080 wall."""
    lang, theme, viewer_scope = current_lang(), current_theme(), scope()
    may_ack = may(Permission.ACK_ALERTS)  # leaders and admins acknowledge alerts
    notice = lambda: [unavailable_notice()]  # noqa: E731
    what = "the overview"
    tiles = first_state(lambda: views.tiles_view(lang, theme, viewer_scope), notice, what=what)
    grid, legend = first_state(lambda: views.sectors_view(lang, viewer_scope), lambda: (notice(), []), what=what)
    options, default = first_state(lambda: views.map_options_view(lang, viewer_scope), lambda: ([], None),
                                   what=what)
    chosen = views.map_choice(options, default, map)
    figure: Any = first_state(lambda: views.map_view(chosen, lang, theme, viewer_scope), unavailable_figure,
                              what=what)
    alerts, count = first_state(lambda: views.alerts_view(lang, viewer_scope, may_ack), lambda: (notice(), ""),
                                what=what)
    return plain(html.Div(  # one JSON encoding pass for the router (layouts.rendered.plain)
        [
            html.Section(tiles, id="kpi-tiles", className="kpi-row"),
            html.Div(
                [
                    panel(t("overview.sectors", lang), html.Div(grid, id="sector-grid", className="sector-grid"),
                          tools=html.Div(legend, id="sector-legend", className="legend"), class_name="panel-sectors"),
                    panel(t("overview.map", lang),
                          dcc.Graph(id="overview-map", figure=figure, className="map-graph",
                                    config={"displayModeBar": False}),
                          tools=dcc.Dropdown(id="map-indicator", options=options, value=chosen, clearable=False,
                                             className="map-picker", placeholder=t("overview.map_pick", lang)),
                          class_name="panel-map"),
                    panel(t("overview.alerts", lang), html.Div(alerts, id="alert-list", className="alert-list"),
                          tools=[html.Span(id="alert-ack-status", className="muted alert-ack-status", role="status"),
                                 dcc.Input(id="alert-ack-note", type="text", maxLength=500, debounce=True,
                                           placeholder=t("alerts.ack_note", lang), className="alert-ack-note",
                                           style={"width": "150px"} if may_ack else {"display": "none"}),
                                 html.Span(count, id="alert-count", className="count-pill")],
                          class_name="panel-alerts"),
                ],
                className="overview-main",
            ),
        ],
        className="overview",
    ))
