"""Pure figure builders of the territory map: data in, plotly traces and layout out.

Traces are plain dicts (``type`` choroplethmap / scattermap), the JSON Dash
sends: building ``go.Choroplethmap`` objects costs plotly's validation and deep
copies on every pan, three times the server time. The tests validate every
builder's output against plotly's schema with ``go.Figure(...)``.

The map figure always has the same traces in the same order (:data:`TRACES`),
visible or not, so a callback can replace one layer with a ``Patch`` without
resending the others. The base map is offline by default: a plain background
style with no tile server and no glyph server (MapLibre then draws the labels,
our own area names, with the browser's fonts). ``tile_url`` adds an XYZ raster
source, or replaces the style when it is a style URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import h3

from ioc.formatting import format_number
from ioc.i18n import pick, t
from ioc.storage.addresses import AddressRecord
from ioc.storage.devices import Device
from ioc.storage.map_layers import LocatedAlert
from layouts.figures import PALETTES, base_style

__all__ = [
    "TRACES",
    "PALETTES",
    "label",
    "CATEGORY_COLOURS",
    "STATUS_COLOURS",
    "SEVERITY_COLOURS",
    "base_style",
    "areas_trace",
    "labels_trace",
    "hex_trace",
    "points_trace",
    "devices_trace",
    "alerts_trace",
    "found_trace",
    "hex_collection",
    "map_layout",
    "assemble",
]

# Trace order of every map figure; the value is the trace's index in ``figure.data``.
TRACES = {name: i for i, name in enumerate(("areas", "labels", "hex", "points", "devices", "alerts", "found"))}

CATEGORY_COLOURS = {
    "household": "#60a5fa", "business": "#fbbf24", "agency": "#c084fc", "religious": "#f472b6",
    "school": "#34d399", "health": "#f87171", "market": "#fb923c", "factory": "#a3a3a3",
}
_OTHER_COLOUR = "#e5e7eb"
STATUS_COLOURS = {"online": "#22c55e", "offline": "#ef4444", "unknown": "#94a3b8"}
SEVERITY_COLOURS = {"critical": "#ef4444", "warning": "#f59e0b", "info": "#38bdf8"}
_HEX_SCALE = [[0, "#1e3a5f"], [0.35, "#2563eb"], [0.7, "#38bdf8"], [1, "#e0f2fe"]]
_SCALES = {
    "higher_better": [[0, "#ef4444"], [0.5, "#f59e0b"], [1, "#22c55e"]],
    "lower_better": [[0, "#22c55e"], [0.5, "#f59e0b"], [1, "#ef4444"]],
    "neutral": [[0, "#1e3a8a"], [1, "#38bdf8"]],
}
_CLEAR = [[0, "rgba(56,189,248,0.04)"], [1, "rgba(56,189,248,0.04)"]]


def label(group: str, key: str, lang: str = "vi") -> str:
    """The UI label of a data value (category, kind, status, severity, level); the value itself when
    the translation table has none (a category or level name an import brought in)."""
    name = f"mapview.{group}.{key}"
    text = t(name, lang)  # logs the missing key once per call, which names what to add to i18n.csv
    return key if text == name else text


def _palette(theme: str) -> dict[str, Any]:
    return PALETTES.get(theme, PALETTES["dark"])


def areas_trace(
    collection: Mapping[str, Any],
    values: Mapping[str, float] | None = None,
    *,
    lang: str = "vi",
    theme: str = "dark",
    unit: str = "",
    decimals: int = 1,
    direction: str = "neutral",
    visible: bool = True,
    selected: str | None = None,
) -> dict[str, Any]:
    """Areas as a clickable choropleth of ``values``, or outlined only when there are none."""
    p = _palette(theme)
    features = collection.get("features", [])
    codes = [f["properties"]["code"] for f in features]
    names = [pick(lang, f["properties"].get("name_vi"), f["properties"].get("name_en")) for f in features]
    shaded = values is not None
    z = [values.get(c) if shaded else 0 for c in codes]
    text = [format_number(v, lang, decimals=decimals) + (f" {unit}" if unit else "") if shaded else "" for v in z]
    widths = [3.0 if c == selected else 1.2 for c in codes]
    return dict(
        type="choroplethmap",
        geojson=dict(collection), featureidkey="properties.code", locations=codes,
        z=z,
        colorscale=_SCALES.get(direction, _SCALES["neutral"]) if shaded else _CLEAR,
        showscale=shaded and any(v is not None for v in z),
        marker={"line": {"color": p["boundary"], "width": widths}, "opacity": 0.72 if shaded else 1.0},
        customdata=[[c, n, s] for c, n, s in zip(codes, names, text)],
        hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<extra></extra>" if shaded
        else "<b>%{customdata[1]}</b><extra></extra>",
        colorbar={"thickness": 10, "len": 0.4, "x": 0.995, "xanchor": "right", "y": 0.02, "yanchor": "bottom",
                  "outlinewidth": 0, "tickfont": {"color": p["text"], "size": 11}, "bgcolor": "rgba(0,0,0,0)",
                  "title": {"text": unit, "font": {"color": p["muted"], "size": 11}}},
        name="areas", visible=visible,
    )


def labels_trace(collection: Mapping[str, Any], *, lang: str = "vi", theme: str = "dark", visible: bool = True) -> dict[str, Any]:
    """Area names at their label points (drawn by MapLibre from the browser's fonts, no glyph server)."""
    features = [f for f in collection.get("features", []) if f["properties"].get("label_lon") is not None]
    return dict(
        type="scattermap",
        lon=[f["properties"]["label_lon"] for f in features],
        lat=[f["properties"]["label_lat"] for f in features],
        text=[pick(lang, f["properties"].get("name_vi"), f["properties"].get("name_en")) for f in features],
        mode="text", textfont={"color": _palette(theme)["text"], "size": 13},
        hoverinfo="skip", name="labels", visible=visible,
    )


def hex_collection(cells: Mapping[str, int]) -> dict[str, Any]:
    """H3 cells as a GeoJSON FeatureCollection (id = cell), coordinates rounded to about 1 m."""
    features = []
    for cell in cells:
        ring = [[round(lng, 5), round(lat, 5)] for lat, lng in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        features.append({"type": "Feature", "id": cell, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": features}


def hex_trace(
    cells: Mapping[str, int], *, lang: str = "vi", theme: str = "dark", visible: bool = True, opacity: float = 0.62
) -> dict[str, Any]:
    """Address counts per H3 hexagon."""
    p = _palette(theme)
    ids = list(cells)
    counts = [cells[c] for c in ids]
    label = t("mapview.addresses_per_cell", lang)
    return dict(
        type="choroplethmap",
        geojson=hex_collection(cells), locations=ids, z=counts, colorscale=_HEX_SCALE,
        zmin=0, zmax=max(counts) if counts else 1,
        marker={"line": {"width": 0}, "opacity": opacity},
        text=[format_number(c, lang, decimals=0) for c in counts],
        hovertemplate=f"{label}: %{{text}}<extra></extra>",
        colorbar={"thickness": 10, "len": 0.3, "x": 0.005, "xanchor": "left", "y": 0.02, "yanchor": "bottom",
                  "outlinewidth": 0, "tickfont": {"color": p["text"], "size": 10}, "bgcolor": "rgba(0,0,0,0)",
                  "title": {"text": label, "font": {"color": p["muted"], "size": 10}}},
        name="hex", visible=visible and bool(ids),
    )


def points_trace(points: Sequence[AddressRecord], *, lang: str = "vi", visible: bool = True) -> dict[str, Any]:
    """Individual addresses coloured by category; customdata carries the code for clicks."""
    labels = {category: label("category", category, lang) for category in {p.category for p in points}}
    return dict(
        type="scattermap",
        lon=[p.lon for p in points], lat=[p.lat for p in points], mode="markers",
        marker={"size": 7, "color": [CATEGORY_COLOURS.get(p.category, _OTHER_COLOUR) for p in points], "opacity": 0.9},
        customdata=[[p.code, labels[p.category]] for p in points],
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        name="points", visible=visible and bool(points),
    )


def devices_trace(devices: Sequence[Device], *, lang: str = "vi", visible: bool = True) -> dict[str, Any]:
    """Cameras and sensors coloured by live status; customdata[0] is the device id."""
    placed = [d for d in devices if d.lon is not None and d.lat is not None]
    return dict(
        type="scattermap",
        lon=[d.lon for d in placed], lat=[d.lat for d in placed], mode="markers",
        marker={"size": [9 if d.kind == "camera" else 7 for d in placed],
                "color": [STATUS_COLOURS.get(d.status, STATUS_COLOURS["unknown"]) for d in placed]},
        customdata=[[d.id, d.name, label("kind", d.kind, lang), label("status", d.status, lang)]
                    for d in placed],
        hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]} · %{customdata[3]}<extra></extra>",
        name="devices", visible=visible and bool(placed),
    )


def alerts_trace(alerts: Sequence[LocatedAlert], *, lang: str = "vi", visible: bool = True) -> dict[str, Any]:
    """Open alerts as halos coloured by severity."""
    return dict(
        type="scattermap",
        lon=[a.lon for a in alerts], lat=[a.lat for a in alerts], mode="markers",
        marker={"size": 22, "opacity": 0.45, "color": [SEVERITY_COLOURS.get(a.severity, "#38bdf8") for a in alerts]},
        customdata=[[a.id, pick(lang, a.message_vi, a.message_en), label("severity", a.severity, lang)]
                    for a in alerts],
        hovertemplate="<b>%{customdata[2]}</b><br>%{customdata[1]}<extra></extra>",
        name="alerts", visible=visible and bool(alerts),
    )


def found_trace(address: AddressRecord | None = None) -> dict[str, Any]:
    """The address the user searched for, ringed in yellow."""
    return dict(
        type="scattermap",
        lon=[address.lon] if address else [], lat=[address.lat] if address else [], mode="markers+text",
        marker={"size": 18, "color": "#facc15"}, text=[address.code] if address else [],
        textposition="top right", textfont={"color": "#facc15", "size": 13},
        hovertemplate="%{text}<extra></extra>", name="found", visible=address is not None,
    )


def map_layout(
    *, lon: float, lat: float, zoom: float, theme: str = "dark", lang: str = "vi",
    tile_url: str | None = None, uirevision: str = "map",
) -> dict[str, Any]:
    """The layout of the map figure: style, view, transparent paper, no margins, no legend."""
    p = _palette(theme)
    return {
        "map": {"style": base_style(theme, tile_url), "center": {"lon": lon, "lat": lat}, "zoom": zoom},
        "uirevision": uirevision,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "paper_bgcolor": p["map_bg"],
        "showlegend": False,
        "clickmode": "event",
        "separators": ",." if lang == "vi" else ".,",
        "font": {"family": "Inter, 'Segoe UI', Roboto, Arial, sans-serif", "color": p["text"]},
        "hoverlabel": {"font": {"family": "Inter, Arial, sans-serif"}},
    }


def assemble(traces: Mapping[str, dict[str, Any]], layout: Mapping[str, Any]) -> dict[str, Any]:
    """A figure dict with every trace of :data:`TRACES` in order (missing ones empty and hidden)."""
    kinds = {"areas": "choroplethmap", "hex": "choroplethmap"}
    data = [traces.get(name) or {"type": kinds.get(name, "scattermap"), "name": name, "visible": False}
            for name in TRACES]
    return {"data": data, "layout": dict(layout)}
