"""Overview callbacks: KPI tiles, sector grid, province map, open alerts (refreshed by the tick)."""

from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html

from ioc.formatting import format_datetime, format_number
from ioc.i18n import pick, t
from ioc.storage.kpis import STATUSES, SectorSummary
from layouts import data
from layouts.components.kpi_tile import kpi_tile
from layouts.figures import empty_figure, map_figure
from layouts.prefs import current_lang, current_theme

__all__ = ["update_tiles", "update_sectors", "update_map_options", "update_map", "update_alerts"]

_ALERTS_SHOWN = 9
# Sparkline window by frequency: enough days for a monthly or yearly indicator to show a trend.
_SPARK_DAYS = {"realtime": 30, "hourly": 30, "daily": 30, "weekly": 182, "monthly": 365, "quarterly": 1095,
               "yearly": 1825}


@callback(Output("kpi-tiles", "children"), Input("tick", "n_intervals"))
def update_tiles(_tick: int | None) -> list:
    """One tile per headline KPI, with its 30-day sparkline."""
    lang, theme = current_lang(), current_theme()
    items = data.headline()
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


@callback(Output("sector-grid", "children"), Output("sector-legend", "children"), Input("tick", "n_intervals"))
def update_sectors(_tick: int | None) -> tuple[list, list]:
    """A card per sector with its indicators counted by status; each opens its sector."""
    lang = current_lang()
    summaries = data.sectors()
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
)
def update_map_options(_tick: int | None, chosen: str | None) -> tuple[list[dict], str | None]:
    """Indicators that have district values; keep the viewer's choice, else the first headline one."""
    lang = current_lang()
    found = data.map_indicators()
    codes = [code for code, _vi, _en in found]
    options = [{"label": pick(lang, vi, en), "value": code} for code, vi, en in found]
    if chosen in codes:
        return options, chosen
    headline = [item.code for item in data.headline() if item.code in codes]
    return options, (headline[0] if headline else codes[0] if codes else None)


@callback(Output("overview-map", "figure"), Input("map-indicator", "value"))
def update_map(code: str | None) -> dict:
    """The province's districts coloured by the chosen indicator."""
    lang, theme = current_lang(), current_theme()
    root = data.root_area()
    item = data.indicator_status(code) if code else None
    if root is None or item is None:
        return empty_figure(t("map.no_data", lang), theme=theme)
    return map_figure(data.area_geojson(root.code), data.breakdown(code, root.code), lang=lang, theme=theme,
                      unit=item.unit, decimals=item.decimals, direction=item.direction,
                      width_px=470, height_px=640, warning=item.warning, critical=item.critical,
                      target=item.target)


def _alert_row(alert: dict, lang: str) -> html.Div:
    message = pick(lang, alert.get("message_vi"), alert.get("message_en"))
    severity = alert.get("severity", "info")
    body = [html.Div(message, className="alert-message", title=message),
            html.Div(format_datetime(alert.get("opened_at"), lang), className="alert-time")]
    code = alert.get("indicator_code")
    content = dcc.Link(body, href=f"/indicator/{code}", className="alert-body") if code else html.Div(
        body, className="alert-body")
    return html.Div([html.Span(t(f"severity.{severity}", lang), className=f"sev sev-{severity}"), content],
                    className=f"alert-row alert-{severity}")


@callback(Output("alert-list", "children"), Output("alert-count", "children"), Input("tick", "n_intervals"))
def update_alerts(_tick: int | None) -> tuple[list, str]:
    """The open alerts, most severe first; the count says how many in all."""
    lang = current_lang()
    alerts = data.open_alerts()
    if not alerts:
        return [html.Div(t("alerts.none", lang), className="empty-note ok-note")], "0"
    rows = [_alert_row(a, lang) for a in alerts[:_ALERTS_SHOWN]]
    if len(alerts) > _ALERTS_SHOWN:
        rows.append(html.Div(t("alerts.more", lang, n=format_number(len(alerts) - _ALERTS_SHOWN, lang)),
                             className="alert-more"))
    return rows, format_number(len(alerts), lang)
