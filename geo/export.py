"""Export the current map as one standalone HTML file (folium / Leaflet) that opens offline.

folium links Leaflet, jQuery and Bootstrap from CDNs; an operations room has no
Internet, so the export drops every CDN link and inlines the Leaflet 1.9.4 files
vendored in ``geo/static/leaflet`` (JS, CSS, and the layer-control icons as data
URIs). The layers use only plain Leaflet (GeoJSON, circle markers, div-icon labels,
layer control) and the legend is static HTML, so nothing else is needed. With a
configured XYZ tile URL the tiles load from that server when it is reachable;
without one the base is a plain background with our own boundaries and labels.
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import Element

__all__ = ["ExportPoint", "ExportLayers", "export_map_html", "leaflet_assets"]

logger = logging.getLogger(__name__)

_HEX_COLOURS = ("#1e3a5f", "#2563eb", "#38bdf8", "#bae6fd", "#e0f2fe")


@dataclass(frozen=True, slots=True)
class ExportPoint:
    """A point of an exported layer: where, its colour and its tooltip text."""

    lon: float
    lat: float
    colour: str
    label: str
    radius: float = 5.0


@dataclass(frozen=True)
class ExportLayers:
    """Everything the export draws, already translated and coloured by the caller.

    ``layer_names`` maps layer keys (boundaries, labels, choropleth, addresses,
    devices, alerts) to their display names; a layer is drawn when its data is not None.
    """

    title: str
    note: str
    center: tuple[float, float]  # lon, lat
    zoom: float
    layer_names: Mapping[str, str]
    areas: Mapping[str, Any] | None = None  # FeatureCollection with properties code, name
    area_colours: Mapping[str, str] | None = None  # code → fill colour of the choropleth
    area_values: Mapping[str, str] | None = None  # code → formatted value for the tooltip
    labels: bool = True
    hexes: Mapping[str, Any] | None = None  # FeatureCollection with property "count"
    points: Sequence[ExportPoint] | None = None
    devices: Sequence[ExportPoint] | None = None
    alerts: Sequence[ExportPoint] | None = None
    legend: Sequence[tuple[str, Sequence[tuple[str, str]]]] = field(default_factory=tuple)  # (title, [(colour, label)])
    background: str = "#0d1a2e"
    text_colour: str = "#e6edf7"
    tile_url: str | None = None


_LEAFLET = Path(__file__).resolve().parent / "static" / "leaflet"


def _static(*parts: str) -> Path:
    return _LEAFLET.joinpath(*parts)


@cache
def leaflet_assets() -> tuple[str, str]:
    """(leaflet.js, leaflet.css) of the vendored Leaflet, the CSS with its icons inlined."""
    script = _static("leaflet.js").read_text(encoding="utf-8")
    style = _static("leaflet.css").read_text(encoding="utf-8")
    for name in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode(_static("images", name).read_bytes()).decode("ascii")
        style = style.replace(f"url(images/{name})", f"url(data:image/png;base64,{data})")
    return script, style


def _new_map(layers: ExportLayers) -> folium.Map:
    lon, lat = layers.center
    # MapLibre zooms count 512-px tiles, Leaflet 256-px ones: the same view is one Leaflet zoom higher.
    fmap = folium.Map(location=[lat, lon], zoom_start=int(round(layers.zoom + 1)), tiles=None, control_scale=True,
                      prefer_canvas=True)
    # No CDN: Leaflet is inlined below; jQuery, Bootstrap and the icon fonts are not used.
    fmap.default_js = []
    fmap.default_css = []
    if layers.tile_url and "{z}" in layers.tile_url:
        folium.TileLayer(tiles=layers.tile_url, attr=html.escape(layers.tile_url), name="Base").add_to(fmap)
    return fmap


def _areas(fmap: folium.Map, layers: ExportLayers) -> None:
    colours = layers.area_colours or {}
    values = layers.area_values or {}
    collection = {
        "type": "FeatureCollection",
        "features": [
            {**f, "properties": {**f["properties"], "value": values.get(f["properties"]["code"], "")}}
            for f in layers.areas["features"]
        ],
    }
    name = layers.layer_names["choropleth" if colours else "boundaries"]
    group = folium.FeatureGroup(name=name)
    folium.GeoJson(
        collection,
        style_function=lambda f: {
            "color": "#8fb3d9", "weight": 1.5,
            "fillColor": colours.get(f["properties"]["code"], "#38bdf8"),
            "fillOpacity": 0.65 if colours else 0.05,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "value"] if colours else ["name"], labels=False),
    ).add_to(group)
    group.add_to(fmap)
    if layers.labels:
        labels = folium.FeatureGroup(name=layers.layer_names["labels"])
        for feature in layers.areas["features"]:
            props = feature["properties"]
            if props.get("label_lat") is None:
                continue
            folium.Marker(
                [props["label_lat"], props["label_lon"]],
                icon=folium.DivIcon(html=f'<div class="ioc-label">{html.escape(props["name"])}</div>',
                                    icon_size=(160, 20), icon_anchor=(80, 10)),
            ).add_to(labels)
        labels.add_to(fmap)


def _hex_colour(count: int, top: int) -> str:
    step = min(len(_HEX_COLOURS) - 1, int(len(_HEX_COLOURS) * count / max(top, 1)))
    return _HEX_COLOURS[step]


def _hexes(fmap: folium.Map, layers: ExportLayers) -> None:
    top = max((f["properties"]["count"] for f in layers.hexes["features"]), default=1)
    group = folium.FeatureGroup(name=layers.layer_names["addresses"])
    folium.GeoJson(
        layers.hexes,
        style_function=lambda f: {"stroke": False, "fillOpacity": 0.6,
                                  "fillColor": _hex_colour(f["properties"]["count"], top)},
        tooltip=folium.GeoJsonTooltip(fields=["count"], labels=False),
    ).add_to(group)
    group.add_to(fmap)


def _points(fmap: folium.Map, name: str, points: Sequence[ExportPoint], *, fill_opacity: float = 0.9) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
             "properties": {"label": p.label, "colour": p.colour, "radius": p.radius}}
            for p in points
        ],
    }
    group = folium.FeatureGroup(name=name)
    folium.GeoJson(
        collection,
        marker=folium.CircleMarker(radius=5, weight=0, fill=True),
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": f["properties"]["colour"],
                                  "radius": f["properties"]["radius"], "fillOpacity": fill_opacity, "weight": 0},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(group)
    group.add_to(fmap)


def _legend_html(layers: ExportLayers) -> str:
    blocks = []
    for title, items in layers.legend:
        rows = "".join(
            f'<div><span class="ioc-dot" style="background:{html.escape(colour)}"></span>{html.escape(label)}</div>'
            for colour, label in items
        )
        blocks.append(f"<div class='ioc-legend-block'><b>{html.escape(title)}</b>{rows}</div>")
    return (
        f"<div class='ioc-title'><b>{html.escape(layers.title)}</b><br><small>{html.escape(layers.note)}</small></div>"
        f"<div class='ioc-legend'>{''.join(blocks)}</div>"
    )


def _page_style(layers: ExportLayers) -> str:
    bg, fg = layers.background, layers.text_colour
    return f"""<style>
.leaflet-container {{ background: {bg}; font-family: 'Segoe UI', Roboto, Arial, sans-serif; }}
.ioc-label {{ color: {fg}; font-size: 13px; font-weight: 600; text-align: center; white-space: nowrap;
  text-shadow: 0 0 3px {bg}, 0 0 3px {bg}; }}
.ioc-title, .ioc-legend {{ position: fixed; z-index: 1000; background: rgba(14,27,48,.9); color: #e6edf7;
  border: 1px solid #1f3354; border-radius: 8px; padding: 8px 12px; font: 13px 'Segoe UI', Roboto, Arial, sans-serif; }}
.ioc-title {{ top: 10px; left: 56px; }}
.ioc-legend {{ bottom: 56px; left: 10px; max-width: 320px; }}
.ioc-legend-block {{ margin-bottom: 6px; }}
.ioc-dot {{ display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin: 0 6px 0 2px; }}
</style>"""


def export_map_html(layers: ExportLayers) -> str:
    """The standalone HTML of the map: inlined Leaflet, the drawn layers, layer control, title and legend."""
    fmap = _new_map(layers)
    if layers.areas is not None and layers.areas.get("features"):
        _areas(fmap, layers)
    if layers.hexes is not None and layers.hexes.get("features"):
        _hexes(fmap, layers)
    if layers.points:
        _points(fmap, layers.layer_names["addresses"], layers.points)
    if layers.devices:
        _points(fmap, layers.layer_names["devices"], layers.devices)
    if layers.alerts:
        _points(fmap, layers.layer_names["alerts"], layers.alerts, fill_opacity=0.45)
    folium.LayerControl(collapsed=False).add_to(fmap)
    script, style = leaflet_assets()
    root = fmap.get_root()
    root.header.add_child(Element(f"<style>{style}</style>"), name="leaflet_css_inline")
    root.header.add_child(Element(f"<script>{script}</script>"), name="leaflet_js_inline")
    root.header.add_child(Element(_page_style(layers)), name="ioc_style")
    root.html.add_child(Element(_legend_html(layers)), name="ioc_legend")
    root.title = layers.title
    text = root.render()
    logger.info("exported map %r: %s bytes", layers.title, len(text))
    return text
