"""Full-screen views of the wall display, in huge type: KPIs, 766 ranking, traffic, alerts, environment.

Pure builders: each takes plain records (already read) and returns one
``html.Section``; no figures (Plotly) so that a wall running for days keeps a
flat, small DOM — bars are sized divs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from dash import html

from ioc.formatting import format_change, format_date, format_datetime, format_number, format_time
from ioc.i18n import pick, t
from ioc.score766.notice import streak_text
from ioc.score766.scorecard import Scorecard
from ioc.storage.kpis import IndicatorStatus
from ioc.storage.traffic import CameraReading, HourlyProfile, Incident, top_congested

__all__ = ["kpi_panel", "score766_panel", "traffic_panel", "alerts_panel", "environment_panel", "empty_panel",
           "VEHICLE_CLASSES"]

VEHICLE_CLASSES = ("count_motorbike", "count_car", "count_bus", "count_truck", "count_bicycle")


def _view(name: str, title: str, body: object, subtitle: str | None = None) -> html.Section:
    head = [html.H1(title, className="wall-title")]
    if subtitle:
        head.append(html.Div(subtitle, className="wall-subtitle"))
    return html.Section([html.Div(head, className="wall-view-head"), html.Div(body, className="wall-view-body")],
                        className=f"wall-view wall-view-{name}", **{"data-view": name})


def empty_panel(name: str, lang: str) -> html.Section:
    """A view with nothing to show yet: says so plainly instead of showing zeros."""
    return _view(name, t(f"wall.view.{name}", lang), html.Div(t("wall.no_data", lang), className="wall-empty"))


def _tile(item: IndicatorStatus, lang: str) -> html.Div:
    value = format_number(item.value, lang, decimals=item.decimals)
    change = format_change(item.change, lang, decimals=item.decimals) if item.change is not None else ""
    if item.status == "stale":  # an old value is labelled as old, never shown as if current
        change = t("wall.tile_stale", lang, when=format_datetime(item.ts, lang))
    return html.Div(
        [html.Div(pick(lang, item.name_vi, item.name_en), className="wall-tile-name"),
         html.Div([html.Span(value, className="wall-tile-value"), html.Span(item.unit, className="wall-tile-unit")]),
         html.Div(change, className="wall-tile-change")],
        className=f"wall-tile status-{item.status}",
    )


def kpi_panel(items: Sequence[IndicatorStatus], lang: str, *, limit: int = 6) -> html.Section:
    """The leaders' headline KPIs as six big tiles coloured by status."""
    if not items:
        return empty_panel("kpi", lang)
    return _view("kpi", t("wall.view.kpi", lang), html.Div([_tile(i, lang) for i in items[:limit]], className="wall-tiles"))


def environment_panel(items: Sequence[IndicatorStatus], lang: str, *, limit: int = 6) -> html.Section:
    """Environment indicators (air, water, noise) as big tiles, worst status first."""
    order = {"critical": 0, "warning": 1, "good": 2, "stale": 3}
    known = sorted((i for i in items if i.value is not None), key=lambda i: (order.get(i.status, 4), i.code))
    if not known:
        return empty_panel("environment", lang)
    return _view("environment", t("wall.view.environment", lang),
                 html.Div([_tile(i, lang) for i in known[:limit]], className="wall-tiles"))


def _band(unit, lang: str) -> html.Span:
    if unit.band is None:
        return html.Span("—")
    return html.Span(unit.band.name_vi if lang == "vi" else unit.band.name_en, className=f"wall-band band-{unit.band.code}")


def score766_panel(card: Scorecard | None, lang: str, *, limit: int = 9) -> html.Section:
    """The week's 766 ranking of the districts: rank, total, class, change; the leader's streak."""
    if card is None or not card.units:
        return empty_panel("score766", lang)
    rows = []
    for unit in card.units[:limit]:
        change = unit.total_change
        rows.append(html.Tr([
            html.Td(str(unit.rank or "—"), className="wall-rank"),
            html.Td(pick(lang, unit.name_vi, unit.name_en), className="wall-name"),
            html.Td(format_number(unit.total, lang, decimals=2), className="wall-total"),
            html.Td(_band(unit, lang)),
            html.Td(format_change(change, lang, decimals=2) if change is not None else "",
                    className="up" if change and change > 0 else "down" if change and change < 0 else ""),
        ]))
    leader = card.units[0]
    subtitle = t("wall.week_of", lang, day=format_date(card.week, lang))
    headline = html.Div([html.Strong(pick(lang, leader.name_vi, leader.name_en)), " — ", streak_text(leader, lang)],
                        className="wall-headline") if leader.streak else None
    return _view("score766", t("wall.view.score766", lang),
                 [headline, html.Table(html.Tbody(rows), className="wall-table")], subtitle)


def _bars(profile: HourlyProfile | None, lang: str, now_hour: int) -> html.Div:
    if profile is None or not (profile.today or profile.typical):
        return html.Div(t("wall.no_profile", lang), className="wall-empty-small")
    peak = max([*profile.today.values(), *profile.typical.values(), 1.0])
    hours = []
    for hour in range(24):
        today = profile.today.get(hour, 0.0) if hour <= now_hour else None
        typical = profile.typical.get(hour, 0.0)
        hours.append(html.Div(
            [html.Div(className="bar-typical", style={"height": f"{100 * typical / peak:.0f}%"}),
             html.Div(className="bar-today", style={"height": f"{100 * (today or 0) / peak:.0f}%"})
             if today is not None else None,
             html.Span(f"{hour:02d}" if hour % 3 == 0 else "", className="bar-label")],
            className="bar-hour"))
    legend = html.Div([html.Span(t("wall.today", lang), className="legend-today"),
                       html.Span(t("wall.typical", lang, days=profile.days_in_typical), className="legend-typical")],
                      className="wall-legend")
    return html.Div([html.Div(hours, className="wall-bars"), legend], className="wall-profile")


def traffic_panel(cameras: Sequence[CameraReading], incidents: Sequence[Incident], profile: HourlyProfile | None,
                  lang: str, *, now: datetime) -> html.Section:
    """Most congested points now, vehicles by class, today's incidents and the hourly profile."""
    if not cameras:
        return empty_panel("traffic", lang)
    worst = top_congested(cameras, limit=4)
    congested = html.Ul([html.Li([html.Span(c.name, className="wall-name"),
                                  html.Span(format_number(100 * (c.congestion or 0), lang) + "%",
                                            className=f"wall-congestion level-{_level(c.congestion)}"),
                                  html.Span(format_number(c.values.get("avg_speed"), lang) + " km/h", className="wall-speed")])
                         for c in worst], className="wall-list")
    totals = {k: sum(c.values.get(k, 0.0) for c in cameras) for k in VEHICLE_CLASSES}
    counts = html.Div([html.Div([html.Div(format_number(totals[k], lang), className="wall-count"),
                                 html.Div(t(f"traffic.class.{k}", lang), className="wall-count-label")],
                                className="wall-count-box") for k in VEHICLE_CLASSES if totals[k]],
                      className="wall-counts")
    kinds = Counter(i.kind for i in incidents)
    events = html.Div([html.Div([html.Span(str(kinds[k]), className="wall-count"),
                                 html.Span(t(f"traffic.kind.{k}", lang), className="wall-count-label")],
                                className=f"wall-incident incident-{k}" + (" active" if kinds[k] else ""))
                       for k in ("accident", "wrong_way", "stalled_vehicle", "crowd")], className="wall-incidents")
    body = html.Div([
        html.Div([html.H2(t("traffic.top_congested", lang)), congested], className="wall-col"),
        html.Div([html.H2(t("traffic.incidents_today", lang)), events, html.H2(t("traffic.by_class", lang)), counts],
                 className="wall-col"),
        html.Div([html.H2(t("traffic.profile", lang)), _bars(profile, lang, now.hour)], className="wall-col wall-col-wide"),
    ], className="wall-traffic")
    return _view("traffic", t("wall.view.traffic", lang), body)


def _level(congestion: float | None) -> str:
    if congestion is None:
        return "unknown"
    return "high" if congestion >= 0.7 else "medium" if congestion >= 0.4 else "low"


def alerts_panel(alerts: Sequence[dict], lang: str, *, limit: int = 6) -> html.Section:
    """Open alerts, most severe first, as big lines with their time."""
    if not alerts:
        return _view("alerts", t("wall.view.alerts", lang), html.Div(t("wall.no_alerts", lang), className="wall-empty ok"))
    order = {"critical": 0, "warning": 1, "info": 2}
    ranked = sorted(alerts, key=lambda a: (order.get(a.get("severity"), 3), -(a["opened_at"].timestamp())))
    items = [html.Li([html.Span(format_time(a["opened_at"]), className="wall-time"),
                      html.Span(pick(lang, a.get("message_vi"), a.get("message_en")), className="wall-message")],
                     className=f"wall-alert severity-{a.get('severity')}") for a in ranked[:limit]]
    more = len(alerts) - limit
    subtitle = t("wall.alert_count", lang, count=len(alerts))
    return _view("alerts", t("wall.view.alerts", lang),
                 [html.Ul(items, className="wall-list"), html.Div(t("wall.more", lang, count=more), className="wall-more")
                  if more > 0 else None], subtitle)
