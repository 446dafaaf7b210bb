"""Callbacks of the traffic page, refreshed by the shell's tick.

The camera store holds a device id (text) or nothing: any other value (a forged request) is
logged by :func:`layouts.inputs.refused`; the page is drawn for every camera and the hourly
profile says the camera could not be told.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dash import Input, Output, State, callback, html

from layouts.components.map_view import tile_url
from ioc.formatting import LOCAL_TZ, format_number, format_time
from ioc.i18n import t
from ioc.storage.traffic import CameraReading, Incident, top_congested
from layouts import data_traffic
from layouts.access import may_read_device_kind
from layouts.components.wall_panels import VEHICLE_CLASSES
from layouts.figures import empty_figure
from layouts.figures_traffic import camera_map_figure, class_figure, congestion_colour, profile_figure
from layouts.inputs import refused
from layouts.prefs import current_lang, current_theme

__all__ = ["refresh_traffic"]

FRESH = timedelta(minutes=15)


def _kpi(label: str, value: str, element_id: str) -> html.Div:
    return html.Div([html.Div(value, className="kpi-value", id=element_id), html.Div(label, className="kpi-label")],
                    className="traffic-kpi")


def _pct(level: float | None, lang: str) -> str:
    return "—" if level is None else f"{format_number(100 * level, lang)}%"


def _card(camera: CameraReading, lang: str, now: datetime) -> html.Div:
    stale = camera.updated_at is None or now - camera.updated_at > FRESH
    counts = [html.Span([html.B(format_number(camera.values.get(k), lang)), " ", t(f"traffic.class.{k}", lang)])
              for k in VEHICLE_CLASSES if camera.values.get(k) is not None]
    return html.Div([
        html.Div([html.Span(camera.name, className="camera-name"),
                  html.Span(_pct(camera.congestion, lang), className="camera-congestion",
                            style={"background": congestion_colour(None if stale else camera.congestion)})],
                 className="camera-head"),
        html.Div([t("traffic.speed", lang), ": ", html.B(f"{format_number(camera.values.get('avg_speed'), lang, decimals=1)} km/h")]),
        html.Div(counts, className="camera-counts"),
        html.Div(f"{t('traffic.updated', lang)} {format_time(camera.updated_at)}" + (" ⚠" if stale else ""),
                 className="camera-updated" + (" stale" if stale else "")),
    ], className="camera-card" + (" stale" if stale else ""), id=f"camera-{camera.id}")


def _incident(item: Incident, lang: str) -> html.Li:
    place = " · ".join(p for p in (item.device_name, item.area_name) if p)
    return html.Li([html.Span(format_time(item.ts), className="incident-time"),
                    html.Span(t(f"traffic.kind.{item.kind}", lang), className=f"incident-kind kind-{item.kind}"),
                    html.Span(place, className="incident-place")], className=f"incident severity-{item.severity}")


@callback(
    Output("traffic-kpis", "children"), Output("traffic-map", "figure"), Output("traffic-congested", "children"),
    Output("traffic-incidents", "children"), Output("traffic-profile", "figure"), Output("traffic-classes", "figure"),
    Output("traffic-grid", "children"),
    Input("tick", "n_intervals"), State("traffic-camera", "data"),
)
def refresh_traffic(_tick: int | None, camera: str | None):
    """Everything on the page from the latest camera values, the incident feed and hourly rollups."""
    lang, theme = current_lang(), current_theme()
    forged = camera is not None and not isinstance(camera, str)
    if forged:
        refused("refresh_traffic", "traffic-camera.data", camera, "a camera id")
    camera = None if forged else (camera or None)
    now = datetime.now(timezone.utc)
    allowed = may_read_device_kind("camera")  # cameras feed the transport sector's indicators
    cameras = data_traffic.cameras() if allowed else []
    incidents = data_traffic.incidents(24) if allowed else []
    profile = data_traffic.profile(now.astimezone(LOCAL_TZ).date().isoformat(), 4, camera) \
        if allowed and not forged else None
    fresh = [c for c in cameras if c.updated_at and now - c.updated_at <= FRESH]
    speeds = [c.values["avg_speed"] for c in fresh if "avg_speed" in c.values]
    kpis = [
        _kpi(t("traffic.camera", lang), f"{len(fresh)}/{len(cameras)}", "kpi-cameras"),
        _kpi(t("traffic.vehicles", lang), format_number(sum(c.values.get("vehicles_total", 0.0) for c in fresh), lang),
             "kpi-vehicles"),
        _kpi(t("traffic.speed", lang), f"{format_number(sum(speeds) / len(speeds), lang, decimals=1)} km/h" if speeds else "—",
             "kpi-speed"),
        _kpi(t("traffic.incidents_today", lang), format_number(len(incidents), lang), "kpi-incidents"),
    ]
    worst = top_congested(cameras, limit=6, fresh_since=now - FRESH)
    congested = html.Ol([html.Li([html.Span(c.name), html.B(_pct(c.congestion, lang),
                                                            style={"color": congestion_colour(c.congestion)})])
                         for c in worst], className="congested-list") if worst else \
        html.Div(t("traffic.no_counts", lang), className="empty-note")
    feed = html.Ul([_incident(i, lang) for i in incidents], className="incident-list") if incidents else \
        html.Div(t("traffic.no_incidents", lang), className="empty-note ok-note")
    grid = [_card(c, lang, now) for c in cameras] or html.Div(t("traffic.no_cameras", lang), className="empty-note")
    return (kpis, camera_map_figure(cameras, lang=lang, theme=theme, tile_url=tile_url()), congested, feed,
            empty_figure(t("traffic.invalid_camera", lang), theme=theme) if forged
            else profile_figure(profile, lang=lang, theme=theme), class_figure(cameras, lang=lang, theme=theme), grid)
