"""Overview callbacks: KPI tiles, sector grid, province map, open alerts (refreshed by the tick).

Tiles, sector cards, the map and the alert list are built once per viewer scope, language and
theme and kept, built, in the shared cache (:func:`layouts.rendered.rendered`); the cache warmer
renews them. The page's layout (``layouts/pages/overview.py``) carries their first state, read
from that cache, so none of these callbacks runs when the page opens (``prevent_initial_call``):
a page view is the page router's one request instead of seven, and the callbacks only refresh
the panels on the 30 s tick, after a new map choice or an acknowledgement.

Leaders and admins (``Permission.ACK_ALERTS``) see a "Xác nhận" button on each open alert;
acknowledging records who, when and a note on the alert and in the audit log.
"""

from __future__ import annotations

import logging

import flask
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from layouts.components.map_view import tile_url
from ioc.alerts import acknowledge_alert
from ioc.auth.roles import Permission
from ioc.cache import cache
from ioc.errors import IocError
from ioc.formatting import format_datetime, format_number
from ioc.i18n import pick, t
from ioc.storage import audit
from ioc.storage.db import get_database
from ioc.storage.kpis import STATUSES, SectorSummary
from layouts import data
from layouts.access import may, scope, viewer
from layouts.components.kpi_tile import kpi_tile
from layouts.figures import empty_figure, map_figure
from layouts.prefs import current_lang, current_theme
from layouts.rendered import rendered

__all__ = ["update_tiles", "update_sectors", "update_map_options", "update_map", "update_alerts", "acknowledge",
           "tiles_view", "sectors_view", "map_view", "map_options_view", "map_choice", "alerts_view",
           "default_map_indicator"]

logger = logging.getLogger(__name__)

_ALERTS_SHOWN = 9
# Sparkline window by frequency: enough days for a monthly or yearly indicator to show a trend.
_SPARK_DAYS = {"realtime": 30, "hourly": 30, "daily": 30, "weekly": 182, "monthly": 365, "quarterly": 1095,
               "yearly": 1825}


@callback(Output("kpi-tiles", "children"), Input("tick", "n_intervals"), prevent_initial_call=True)
def update_tiles(_tick: int | None) -> list:
    """One tile per headline KPI, with its 30-day sparkline."""
    return tiles_view(current_lang(), current_theme(), scope())


@rendered()
def tiles_view(lang: str, theme: str, viewer_scope: tuple[str, ...] | None) -> list:
    """The headline tiles of a scope, built."""
    items = data.headline(viewer_scope)
    if not items:
        return [html.Div(t("overview.no_kpis", lang), className="empty-note")]
    return [kpi_tile(item, data.sparkline(item.code, item.area_code, _SPARK_DAYS[item.frequency])
                     if item.area_code else [], lang=lang, theme=theme)
            for item in items]


def _sector_card(sector: SectorSummary, lang: str) -> dcc.Link:
    total = sector.total or 1
    counts = [html.Span([html.Span(className=f"dot dot-{s}"), html.Span(format_number(getattr(sector, s), lang))],
                        className="sector-count", title=t(f"status.{s}", lang)) for s in STATUSES]
    bar = [html.Div(className=f"stack stack-{s}", style={"width": f"{getattr(sector, s) / total * 100:.1f}%"})
           for s in STATUSES]
    return dcc.Link(
        html.Div(
            [html.Div([html.Span(pick(lang, sector.name_vi, sector.name_en), className="sector-name"),
                       html.Span(format_number(sector.total, lang), className="sector-total",
                                 title=t("sector.indicator_count", lang))], className="sector-head"),
             html.Div(bar, className="stackbar"),
             html.Div(counts, className="sector-counts")],
            className=f"sector-card worst-{sector.worst}",
        ),
        href=f"/sector/{sector.code}",
        className="sector-link",
        id={"type": "sector-card", "code": sector.code},
    )


@callback(Output("sector-grid", "children"), Output("sector-legend", "children"), Input("tick", "n_intervals"),
          prevent_initial_call=True)
def update_sectors(_tick: int | None) -> tuple[list, list]:
    """A card per sector with its indicators counted by status; each opens its sector."""
    return sectors_view(current_lang(), scope())


@rendered()
def sectors_view(lang: str, viewer_scope: tuple[str, ...] | None) -> tuple[list, list]:
    """The sector cards and their legend, built."""
    summaries = data.sectors(viewer_scope)
    legend = [html.Span([html.Span(className=f"dot dot-{s}"), t(f"status.{s}", lang)], className="legend-item")
              for s in STATUSES]
    if not summaries:
        return [html.Div(t("overview.no_sectors", lang), className="empty-note")], legend
    return [_sector_card(s, lang) for s in summaries], legend


@callback(
    Output("map-indicator", "options"),
    Output("map-indicator", "value"),
    Input("tick", "n_intervals"),
    State("map-indicator", "value"),
    prevent_initial_call=True,
)
def update_map_options(_tick: int | None, chosen: str | None) -> tuple[list[dict], str | None]:
    """Indicators that have district values; keep the viewer's choice, else the first headline one."""
    options, default = map_options_view(current_lang(), scope())
    return options, map_choice(options, default, chosen)


def map_choice(options: list[dict], default: str | None, chosen: object) -> str | None:
    """The picker's value: the viewer's choice (a URL's ``?map=``) when it is one of the options, else ``default``."""
    if isinstance(chosen, str) and any(option["value"] == chosen for option in options):
        return chosen
    return default


@rendered()
def map_options_view(lang: str, viewer_scope: tuple[str, ...] | None) -> tuple[list[dict], str | None]:
    """The map picker's options (about a thousand indicators) and its default choice, built."""
    options = [{"label": pick(lang, vi, en), "value": code} for code, vi, en in data.map_indicators(1, viewer_scope)]
    return options, default_map_indicator(viewer_scope)


def default_map_indicator(viewer_scope: tuple[str, ...] | None) -> str | None:
    """The map's first indicator: the first headline one with district values, else the first with any."""
    codes = [code for code, _vi, _en in data.map_indicators(1, viewer_scope)]
    headline = [item.code for item in data.headline(viewer_scope) if item.code in codes]
    return headline[0] if headline else codes[0] if codes else None


@callback(Output("overview-map", "figure"), Input("map-indicator", "value"), prevent_initial_call=True)
def update_map(code: str | None) -> dict:
    """The province's districts coloured by the chosen indicator."""
    return map_view(code if isinstance(code, str) else None, current_lang(), current_theme(), scope())


@rendered()
def map_view(code: str | None, lang: str, theme: str, viewer_scope: tuple[str, ...] | None) -> dict:
    """The overview map of one indicator, built."""
    root = data.root_area()
    item = data.indicator_status(code, viewer_scope) if code else None
    if root is None or item is None:
        return empty_figure(t("map.no_data", lang), theme=theme)
    return map_figure(data.area_geojson(root.code), data.breakdown(code, root.code), lang=lang, theme=theme,
                      unit=item.unit, decimals=item.decimals, direction=item.direction,
                      width_px=470, height_px=640, warning=item.warning, critical=item.critical,
                      target=item.target, tile_url=tile_url())


def _ack_part(alert: dict, lang: str, may_ack: bool) -> list:
    """"Đã xác nhận: who · when" for a taken alert, else the button (for those allowed)."""
    if alert.get("state") == "acknowledged":
        return [html.Div(t("alerts.acked", lang, who=alert.get("acked_by") or "",
                           when=format_datetime(alert.get("acked_at"), lang)), className="alert-acked")]
    if not may_ack or alert.get("id") is None:
        return []
    return [html.Button(t("alerts.ack", lang), id={"type": "alert-ack", "id": alert["id"]}, n_clicks=0,
                        className="btn btn-small alert-ack")]


def _alert_row(alert: dict, lang: str, may_ack: bool = False) -> html.Div:
    message = pick(lang, alert.get("message_vi"), alert.get("message_en"))
    severity = alert.get("severity", "info")
    body = [html.Div(message, className="alert-message", title=message),
            html.Div(format_datetime(alert.get("opened_at"), lang), className="alert-time")]
    code = alert.get("indicator_code")
    content = dcc.Link(body, href=f"/indicator/{code}", className="alert-body") if code else html.Div(
        body, className="alert-body")
    return html.Div([html.Span(t(f"severity.{severity}", lang), className=f"sev sev-{severity}"), content,
                     *_ack_part(alert, lang, may_ack)],
                    className=f"alert-row alert-{severity}")


@callback(Output("alert-list", "children"), Output("alert-count", "children"), Input("tick", "n_intervals"),
          Input("alert-ack-status", "children"), prevent_initial_call=True)
def update_alerts(_tick: int | None, _acked: object = None) -> tuple[list, str]:
    """The open alerts (of the viewer's sectors), most severe first; the count says how many in all."""
    return alerts_view(current_lang(), scope(), may(Permission.ACK_ALERTS))


@rendered()
def alerts_view(lang: str, viewer_scope: tuple[str, ...] | None, may_ack: bool) -> tuple[list, str]:
    """The alert list and count as a viewer of ``viewer_scope`` sees it (with Ack buttons when ``may_ack``), built."""
    alerts = data.open_alerts(200, viewer_scope)
    if not alerts:
        return [html.Div(t("alerts.none", lang), className="empty-note ok-note")], "0"
    rows = [_alert_row(a, lang, may_ack) for a in alerts[:_ALERTS_SHOWN]]
    if len(alerts) > _ALERTS_SHOWN:
        rows.append(html.Div(t("alerts.more", lang, n=format_number(len(alerts) - _ALERTS_SHOWN, lang)),
                             className="alert-more"))
    return rows, format_number(len(alerts), lang)


@callback(Output("alert-ack-status", "children"), Input({"type": "alert-ack", "id": ALL}, "n_clicks"),
          State("alert-ack-note", "value"), prevent_initial_call=True)
def acknowledge(clicks: list[int] | None, note: str | None = None) -> str:
    """Acknowledge the clicked alert as the signed-in leader or admin; others are refused."""
    lang = current_lang()
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return no_update
    principal = viewer()
    if principal is None or not may(Permission.ACK_ALERTS):
        return t("alerts.ack_denied", lang)
    try:
        alert_id = int(trigger["id"])
    except (TypeError, ValueError):
        return no_update  # a forged id: nothing to acknowledge
    database = get_database()
    try:
        change = acknowledge_alert(database, alert_id, by=principal.name, note=(note or "").strip()[:500] or None)
    except (IocError, ValueError) as exc:
        logger.info("acknowledging alert %s refused: %s", alert_id, exc)
        return str(exc)
    with database.connection() as conn:
        audit.record(conn, "alert_ack", actor=principal.name, target=f"alert:{alert_id}",
                     ip=flask.request.remote_addr, details={"change": change.change, "note": change.alert.ack_note})
    cache.delete_memoized(data.open_alerts)
    cache.delete_memoized(alerts_view)  # the list is redrawn (update_alerts) from the new state
    alert = change.alert
    return t("alerts.acked", lang, who=alert.acked_by or principal.name, when=format_datetime(alert.acked_at, lang))
