"""Pure figure builders: data in, plotly figure out (no queries, no Dash).

Every builder takes the theme ("dark" for the operations room, "light" for
analysts) and the UI language, so the same data reads right on both.

The figures the dashboard rebuilds most (empty, series, breakdown) are assembled as
one data list and one layout dict and handed to ``go.Figure`` unvalidated
(``_validate=False``): plotly's property validation costs several times the query
behind the chart. Their content is ours, not the user's; ``tests/layouts/test_figures.py``
checks that plotly accepts it validated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any
from datetime import datetime

import plotly.graph_objects as go

from ioc.formatting import LOCAL_TZ, format_number
from ioc.i18n import pick, t
from ioc.storage.kpis import classify
from ioc.storage.timeseries import AreaValue, Point

__all__ = [
    "STATUS_COLOURS",
    "PALETTES",
    "empty_figure",
    "sparkline_figure",
    "timeseries_figure",
    "breakdown_figure",
    "map_figure",
]

STATUS_COLOURS = {"good": "#22c55e", "warning": "#f59e0b", "critical": "#ef4444", "stale": "#64748b"}

PALETTES = {
    "dark": {"text": "#e6edf7", "muted": "#8da2c0", "grid": "#1d3050", "panel": "#101e35",
             "line": "#38bdf8", "map_bg": "#0d1a2e", "boundary": "#5b7396",
             "series": ("#38bdf8", "#f472b6", "#a3e635", "#fbbf24", "#c084fc", "#2dd4bf")},
    "light": {"text": "#0f1b2d", "muted": "#5b6b82", "grid": "#e3e9f2", "panel": "#ffffff",
              "line": "#0369a1", "map_bg": "#f3f6fb", "boundary": "#8fa1b8",
              "series": ("#0369a1", "#be185d", "#4d7c0f", "#b45309", "#7e22ce", "#0f766e")},
}

# Sequential colour scales for maps, worst to best read in the indicator's direction.
_SCALE_BETTER_HIGH = [[0, "#ef4444"], [0.5, "#f59e0b"], [1, "#22c55e"]]
_SCALE_BETTER_LOW = [[0, "#22c55e"], [0.5, "#f59e0b"], [1, "#ef4444"]]
_SCALE_NEUTRAL = [[0, "#1e3a8a"], [1, "#38bdf8"]]


def _palette(theme: str) -> dict:
    return PALETTES.get(theme, PALETTES["dark"])


def base_style(theme: str = "dark", tile_url: str | None = None) -> dict[str, Any] | str:
    """The MapLibre style: a plain background offline, a raster tile layer or a style URL when configured."""
    background = {"id": "ioc-background", "type": "background", "paint": {"background-color": _palette(theme)["map_bg"]}}
    if not tile_url:
        # plotly prunes an empty ``sources: {}`` from the figure after the first draw; the pruned style
        # then differs from the first, plotly calls setStyle with it and MapLibre rejects it ("missing
        # required property sources"), which stops every later update. One unused source prevents that.
        anchor = {"type": "geojson", "data": {"type": "Feature", "properties": {"unused": True},
                                              "geometry": {"type": "Point", "coordinates": [0.0, 0.0]}}}
        return {"version": 8, "sources": {"ioc-anchor": anchor}, "layers": [background]}
    if "{z}" not in tile_url:
        return tile_url  # a MapLibre style URL (style.json)
    return {
        "version": 8,
        "sources": {"ioc-tiles": {"type": "raster", "tiles": [tile_url], "tileSize": 256}},
        "layers": [background, {"id": "ioc-tiles", "type": "raster", "source": "ioc-tiles"}],
    }


def _base_layout(theme: str, **extra: object) -> dict:
    p = _palette(theme)
    layout = {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "Inter, 'Segoe UI', Roboto, Arial, sans-serif", "color": p["text"], "size": 13},
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "xaxis": {"gridcolor": p["grid"], "zeroline": False, "linecolor": p["grid"]},
        "yaxis": {"gridcolor": p["grid"], "zeroline": False, "linecolor": p["grid"]},
        "hoverlabel": {"font": {"family": "Inter, Arial, sans-serif"}},
    }
    layout.update(extra)
    return layout


def _separators(lang: str) -> str:
    """Plotly's (decimal, thousands) pair: Vietnamese axes read 1.234,5."""
    return ",." if lang == "vi" else ".,"


def empty_figure(message: str, *, theme: str = "dark") -> go.Figure:
    """A blank figure that says why there is nothing to show."""
    p = _palette(theme)
    layout = _base_layout(theme)
    layout["xaxis"] = {**layout["xaxis"], "visible": False}
    layout["yaxis"] = {**layout["yaxis"], "visible": False}
    layout["annotations"] = [{"text": message, "showarrow": False, "font": {"color": p["muted"], "size": 15},
                              "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper"}]
    return go.Figure(layout=layout, _validate=False)


def _local_times(points: Sequence[Point]) -> list[datetime]:
    return [p.ts.astimezone(LOCAL_TZ).replace(tzinfo=None) for p in points]


def sparkline_figure(points: Sequence[Point], *, status: str = "good", theme: str = "dark") -> dict:
    """A tiny area line for a KPI tile, coloured by the indicator's status.

    Built as a plain figure dict: eight tiles refresh every 30 s, and skipping
    plotly's object validation keeps the overview callback fast.
    """
    colour = STATUS_COLOURS.get(status, STATUS_COLOURS["stale"])
    layout = _base_layout(theme, margin={"l": 0, "r": 0, "t": 2, "b": 0}, showlegend=False)
    layout["xaxis"] = {"visible": False, "fixedrange": True}
    values = [p.value for p in points]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.15 or abs(high) * 0.05 or 1.0
    # The axis hugs the data so a change of a few percent is visible; the fill still reaches the bottom.
    layout["yaxis"] = {"visible": False, "fixedrange": True, "range": [low - pad, high + pad]}
    trace = {"type": "scatter", "x": _local_times(points), "y": [p.value for p in points], "mode": "lines",
             "line": {"color": colour, "width": 2}, "fill": "tozeroy", "fillcolor": _rgba(colour, 0.15),
             "hoverinfo": "skip"}
    return {"data": [trace], "layout": layout}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _threshold_lines(lines: Mapping[str, float | None], lang: str, theme: str) -> tuple[list[dict], list[dict]]:
    """Shapes and labels of the horizontal target / threshold lines (what ``add_hline`` draws, without its cost)."""
    styles = {"target": ("#38bdf8" if theme == "dark" else "#0369a1", "dash"),
              "warning": (STATUS_COLOURS["warning"], "dot"), "critical": (STATUS_COLOURS["critical"], "dot")}
    shapes, labels = [], []
    for name, value in lines.items():
        if value is None:
            continue
        colour, dash = styles[name]
        shapes.append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": value, "y1": value,
                       "line": {"color": colour, "dash": dash, "width": 1.5}})
        labels.append({"text": t(f"line.{name}", lang), "font": {"color": colour, "size": 11}, "showarrow": False,
                       "xref": "x domain", "x": 0, "xanchor": "left", "yref": "y", "y": value, "yanchor": "bottom"})
    return shapes, labels


def timeseries_figure(
    series: Mapping[str, Sequence[Point]],
    *,
    lang: str = "vi",
    theme: str = "dark",
    unit: str = "",
    decimals: int = 1,
    target: float | None = None,
    warning: float | None = None,
    critical: float | None = None,
) -> go.Figure:
    """Lines of one indicator, one per labelled area, with target and threshold lines."""
    if not any(series.values()):
        return empty_figure(t("chart.no_data", lang), theme=theme)
    p = _palette(theme)
    layout = _base_layout(
        theme, separators=_separators(lang), hovermode="x unified",
        margin={"l": 8, "r": 16, "t": 24, "b": 8},
        legend={"orientation": "h", "y": 1.08, "x": 0, "font": {"size": 12}},
        showlegend=len(series) > 1,
    )
    layout["shapes"], layout["annotations"] = _threshold_lines(
        {"target": target, "warning": warning, "critical": critical}, lang, theme)
    layout["yaxis"] = {**layout["yaxis"], "title": {"text": unit, "font": {"size": 12, "color": p["muted"]}},
                       "tickformat": ",~r"}
    layout["xaxis"] = {**layout["xaxis"], "tickformat": "%d/%m\n%Y" if lang == "vi" else "%d %b\n%Y",
                       "hoverformat": "%H:%M %d/%m/%Y" if lang == "vi" else "%H:%M, %d %b %Y"}
    fmt = f",.{decimals}f"
    traces = [{"type": "scatter", "x": _local_times(points), "y": [pt.value for pt in points], "name": label,
               "mode": "lines", "line": {"color": p["series"][n % len(p["series"])], "width": 2.5 if n == 0 else 1.8},
               "hovertemplate": f"%{{y:{fmt}}} {unit}<extra>{label}</extra>"}
              for n, (label, points) in enumerate(series.items())]
    return go.Figure(data=traces, layout=layout, _validate=False)


def breakdown_figure(
    values: Sequence[AreaValue],
    *,
    lang: str = "vi",
    theme: str = "dark",
    unit: str = "",
    decimals: int = 1,
    direction: str = "neutral",
    warning: float | None = None,
    critical: float | None = None,
) -> go.Figure:
    """A ranked horizontal bar per child area; bars carry the area code for click-to-drill."""
    shown = [v for v in values if v.value is not None]
    if not shown:
        return empty_figure(t("chart.no_data", lang), theme=theme)
    ranked = sorted(shown, key=lambda v: v.value, reverse=direction != "lower_better")
    colours = [STATUS_COLOURS[classify(v.value, direction=direction, warning=warning, critical=critical)]
               for v in ranked]
    names = [pick(lang, v.name_vi, v.name_en) for v in ranked]
    layout = _base_layout(
        theme, separators=_separators(lang), margin={"l": 8, "r": 48, "t": 8, "b": 8}, bargap=0.25 if len(shown) > 5 else 0.55,
    )
    layout["yaxis"] = {**layout["yaxis"], "autorange": "reversed", "gridcolor": "rgba(0,0,0,0)", "automargin": True}
    layout["xaxis"] = {**layout["xaxis"], "showticklabels": False}
    bar = {"type": "bar", "x": [v.value for v in ranked], "y": names, "orientation": "h", "marker": {"color": colours},
           "customdata": [[v.code, v.has_children] for v in ranked],
           "text": [format_number(v.value, lang, decimals=decimals) for v in ranked], "textposition": "outside",
           "cliponaxis": False, "hovertemplate": f"%{{y}}: %{{text}} {unit}<extra></extra>"}
    return go.Figure(data=[bar], layout=layout, _validate=False)


def _bounds(geojson: Mapping) -> tuple[float, float, float, float]:
    lons: list[float] = []
    lats: list[float] = []

    def collect(coords: object) -> None:
        if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
            lons.append(float(coords[0]))
            lats.append(float(coords[1]))
        elif isinstance(coords, (list, tuple)):
            for item in coords:
                collect(item)

    for feature in geojson.get("features", []):
        collect((feature.get("geometry") or {}).get("coordinates", []))
    return (min(lons), min(lats), max(lons), max(lats)) if lons else (106.3, 10.8, 107.0, 11.5)


def _zoom_for(bounds: tuple[float, float, float, float], width_px: int, height_px: int) -> float:
    """The zoom that fits the bounds in the given pixels (256-pixel world at zoom 0)."""
    west, south, east, north = bounds
    mid = math.radians((south + north) / 2)
    zoom_lon = math.log2(360 * width_px / 256 / max(east - west, 1e-6))
    zoom_lat = math.log2(360 * height_px * math.cos(mid) / 256 / max(north - south, 1e-6))
    return round(min(zoom_lon, zoom_lat) - 1.0, 2)


def _colour_range(direction: str, warning: float | None, critical: float | None,
                  target: float | None) -> dict[str, float]:
    """zmin/zmax from the thresholds (worst end = critical), or nothing to let the data decide."""
    if warning is None or critical is None or direction == "neutral":
        return {}
    best = target if target is not None else warning + (warning - critical)
    low, high = (critical, best) if direction == "higher_better" else (best, critical)
    return {"zmin": low, "zmax": high} if low < high else {}


def map_figure(
    geojson: Mapping,
    values: Sequence[AreaValue],
    *,
    lang: str = "vi",
    theme: str = "dark",
    unit: str = "",
    decimals: int = 1,
    direction: str = "neutral",
    width_px: int = 540,
    height_px: int = 620,
    warning: float | None = None,
    critical: float | None = None,
    target: float | None = None,
    tile_url: str | None = None,
) -> go.Figure | dict:
    """A MapLibre choropleth of child areas over the base map (offline: a plain background).

    With thresholds the colour scale runs from the critical line to the target, so a
    district's colour agrees with its status instead of with its rank among neighbours.
    """
    p = _palette(theme)
    if not geojson.get("features"):
        return empty_figure(t("map.no_boundaries", lang), theme=theme)
    by_code = {v.code: v for v in values}
    codes = [f["properties"]["code"] for f in geojson["features"]]
    names = [pick(lang, f["properties"].get("name_vi"), f["properties"].get("name_en")) for f in geojson["features"]]
    z = [by_code[c].value if c in by_code and by_code[c].value is not None else None for c in codes]
    text = [format_number(v, lang, decimals=decimals) for v in z]
    scale = {"higher_better": _SCALE_BETTER_HIGH, "lower_better": _SCALE_BETTER_LOW}.get(direction, _SCALE_NEUTRAL)
    west, south, east, north = _bounds(geojson)
    style = base_style(theme, tile_url)
    trace = {
        "type": "choroplethmap", "geojson": geojson, "featureidkey": "properties.code", "locations": codes,
        "z": [v if v is not None else None for v in z], "colorscale": scale, **_colour_range(
            direction, warning, critical, target),
        "marker": {"line": {"color": p["boundary"], "width": 1.2}, "opacity": 0.85},
        "customdata": [[c, n, s] for c, n, s in zip(codes, names, text)],
        "hovertemplate": f"%{{customdata[1]}}: %{{customdata[2]}} {unit}<extra></extra>",
        "colorbar": {"thickness": 10, "len": 0.6, "outlinewidth": 0, "tickfont": {"color": p["muted"], "size": 11},
                     "x": 0.99, "xanchor": "right", "bgcolor": "rgba(0,0,0,0)"},
    }
    layout = _base_layout(theme, separators=_separators(lang), margin={"l": 0, "r": 0, "t": 0, "b": 0})
    layout["map"] = {
        "style": style, "center": {"lon": (west + east) / 2, "lat": (south + north) / 2},
        "zoom": _zoom_for((west, south, east, north), width_px, height_px),
    }
    # A plain dict: validating a large GeoJSON through plotly objects costs more than the query.
    return {"data": [trace], "layout": layout}
