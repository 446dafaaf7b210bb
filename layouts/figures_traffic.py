"""Pure figure builders of the traffic page: camera map, vehicles by class, today's hourly profile."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from ioc.formatting import format_number
from ioc.i18n import t
from ioc.storage.traffic import CameraReading, HourlyProfile
from layouts.components.wall_panels import VEHICLE_CLASSES
from layouts.figures import PALETTES, STATUS_COLOURS, base_style, empty_figure

__all__ = ["camera_map_figure", "class_figure", "profile_figure", "congestion_colour"]


def _layout(theme: str, lang: str, **extra: object) -> dict:
    p = PALETTES.get(theme, PALETTES["dark"])
    layout = {
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "Inter, 'Segoe UI', Roboto, Arial, sans-serif", "color": p["text"], "size": 13},
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8}, "separators": ",." if lang == "vi" else ".,",
        "xaxis": {"gridcolor": p["grid"], "zeroline": False}, "yaxis": {"gridcolor": p["grid"], "zeroline": False},
    }
    layout.update(extra)
    return layout


def congestion_colour(level: float | None) -> str:
    """Green below 0,4, amber below 0,7, red above; grey when unknown."""
    if level is None:
        return STATUS_COLOURS["stale"]
    if level >= 0.7:
        return STATUS_COLOURS["critical"]
    return STATUS_COLOURS["warning"] if level >= 0.4 else STATUS_COLOURS["good"]


def _zoom(west: float, south: float, east: float, north: float, width_px: int, height_px: int) -> float:
    """The zoom that fits the bounds (plus a margin) in the given pixels (MapLibre: 512-pixel world at zoom 0)."""
    mid = math.radians((south + north) / 2)
    zoom_lon = math.log2(360 * width_px / 512 / max(east - west, 0.01))
    zoom_lat = math.log2(360 * height_px * math.cos(mid) / 512 / max(north - south, 0.01))
    return round(min(zoom_lon, zoom_lat, 15.0) - 0.4, 2)


def camera_map_figure(cameras: Sequence[CameraReading], *, lang: str = "vi", theme: str = "dark",
                      width_px: int = 700, height_px: int = 400, tile_url: str | None = None) -> go.Figure:
    """Cameras on a plain MapLibre background, sized by vehicles and coloured by congestion."""
    placed = [c for c in cameras if c.lon is not None and c.lat is not None]
    if not placed:
        return empty_figure(t("traffic.no_cameras", lang), theme=theme)
    p = PALETTES.get(theme, PALETTES["dark"])
    totals = [c.values.get("vehicles_total", 0.0) for c in placed]
    peak = max(totals + [1.0])
    text = [f"{c.name}<br>{t('traffic.congestion', lang)}: {format_number(100 * (c.congestion or 0), lang)}%"
            f"<br>{format_number(c.values.get('avg_speed'), lang, decimals=1)} km/h" for c in placed]
    style = base_style(theme, tile_url)
    fig = go.Figure(layout=_layout(theme, lang, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False))
    fig.add_trace(go.Scattermap(
        lon=[c.lon for c in placed], lat=[c.lat for c in placed], mode="markers+text",
        marker={"size": [12 + 18 * v / peak for v in totals], "color": [congestion_colour(c.congestion) for c in placed],
                "opacity": 0.9},
        text=[c.name for c in placed], textposition="top right", textfont={"color": p["text"], "size": 11},
        hovertext=text, hoverinfo="text", customdata=[c.id for c in placed],
    ))
    lons, lats = [c.lon for c in placed], [c.lat for c in placed]
    fig.update_layout(map={"style": style, "center": {"lon": (min(lons) + max(lons)) / 2, "lat": (min(lats) + max(lats)) / 2},
                           "zoom": _zoom(min(lons), min(lats), max(lons), max(lats), width_px, height_px)})
    return fig


def class_figure(cameras: Sequence[CameraReading], *, lang: str = "vi", theme: str = "dark", limit: int = 10) -> go.Figure:
    """Vehicles by class at the busiest cameras (stacked bars)."""
    busy = sorted(cameras, key=lambda c: -sum(c.values.get(k, 0.0) for k in VEHICLE_CLASSES))[:limit]
    busy = [c for c in busy if any(c.values.get(k) for k in VEHICLE_CLASSES)]
    if not busy:
        return empty_figure(t("traffic.no_counts", lang), theme=theme)
    p = PALETTES.get(theme, PALETTES["dark"])
    fig = go.Figure(layout=_layout(theme, lang, barmode="stack", showlegend=True,
                                   legend={"orientation": "h", "y": 1.1, "x": 0}, margin={"l": 8, "r": 8, "t": 34, "b": 8}))
    for n, key in enumerate(VEHICLE_CLASSES):
        fig.add_trace(go.Bar(y=[c.name for c in busy], x=[c.values.get(key, 0.0) for c in busy], orientation="h",
                             name=t(f"traffic.class.{key}", lang), marker={"color": p["series"][n % len(p["series"])]}))
    fig.update_yaxes(automargin=True, autorange="reversed")
    return fig


def profile_figure(profile: HourlyProfile | None, *, lang: str = "vi", theme: str = "dark") -> go.Figure:
    """Today's vehicles per hour (bars) against the typical profile of this weekday (line)."""
    if profile is None or not (profile.today or profile.typical):
        return empty_figure(t("wall.no_profile", lang), theme=theme)
    p = PALETTES.get(theme, PALETTES["dark"])
    hours = list(range(24))
    fig = go.Figure(layout=_layout(theme, lang, showlegend=True, legend={"orientation": "h", "y": 1.12, "x": 0},
                                   margin={"l": 8, "r": 8, "t": 34, "b": 8}))
    fig.add_trace(go.Bar(x=hours, y=[profile.today.get(h) for h in hours], name=t("wall.today", lang),
                         marker={"color": p["series"][0]}))
    fig.add_trace(go.Scatter(x=hours, y=[profile.typical.get(h, 0.0) for h in hours], mode="lines",
                             name=t("wall.typical", lang, days=profile.days_in_typical),
                             line={"color": p["series"][3], "width": 3, "shape": "linear"}))
    fig.update_xaxes(tickmode="array", tickvals=hours[::3], ticktext=[f"{h:02d}h" for h in hours[::3]])
    return fig
