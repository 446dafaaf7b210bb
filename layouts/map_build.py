"""What the map callbacks compute: the whole map for a state, or one viewport's address layer.

The callbacks in ``layouts/components/map_view.py`` are thin wrappers over these
functions, and ``ioc bench map`` times the same functions. Reference data
(boundaries, indicator values, devices, alerts) comes through the shared cache
of :mod:`layouts.map_data` (re-exported here for the callbacks); the address
layer depends on the viewport and is computed per request, within
:data:`geo.layers.PAYLOAD_BUDGET`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import h3
import shapely
from plotly.io.json import to_json_plotly
from shapely.geometry import shape

from geo import layers
from geo.export import ExportLayers, ExportPoint
from geo.layers import AddressLayer, Viewport
from ioc.cache import SHORT, memoize
from ioc.catalog import fold_text
from ioc.formatting import format_datetime, format_number
from ioc.i18n import pick, t
from ioc.storage import addresses, map_layers
from ioc.storage.db import get_database
from layouts import map_figures as mf
from layouts.access import scope
from layouts.map_data import (
    AreaLevel,
    area_levels,
    area_record,
    area_summary,
    boundaries,
    device_detail,
    find_address,
    hex_table,
    indicator_meta,
    indicator_options,
    indicator_values,
    live_alerts,
    live_devices,
    search_codes,
)

__all__ = [
    "LAYERS",
    "DEFAULT_LAYERS",
    "MapState",
    "MapView",
    "AreaLevel",
    "area_levels",
    "area_summary",
    "area_at_cell",
    "shown_values",
    "live_devices",
    "live_alerts",
    "export_layers",
    "device_detail",
    "indicator_options",
    "indicator_choices",
    "FIRST_CHOICES",
    "build_map",
    "shared_map",
    "address_patch",
    "address_traces",
    "find_address",
    "focus",
    "search_codes",
    "viewport_to_store",
    "viewport_from_store",
    "payload_bytes",
]

logger = logging.getLogger(__name__)

LAYERS = ("boundaries", "labels", "choropleth", "addresses", "devices", "alerts")
DEFAULT_LAYERS = ("boundaries", "labels", "choropleth", "addresses", "devices", "alerts")
MAX_ZOOM = 24.0  # the deepest zoom MapLibre draws


@dataclass(frozen=True)
class MapState:
    """Everything the user chose: layers, level or drilled area, indicator, address categories."""

    layers: frozenset[str] = frozenset(DEFAULT_LAYERS)
    level: str | None = None
    area_code: str | None = None
    indicator: str | None = None
    categories: tuple[str, ...] = ()
    lang: str = "vi"
    theme: str = "dark"
    tile_url: str | None = None

    def has(self, layer: str) -> bool:
        """Whether a layer is switched on."""
        return layer in self.layers


@dataclass(frozen=True)
class MapView:
    """A built map: the figure as a plain dict, the viewport it shows and what it drew."""

    figure: dict[str, Any]
    viewport: Viewport
    address_mode: str
    address_total: int
    address_resolution: int | None
    area_codes: tuple[str, ...] = field(default_factory=tuple)


# --- the indicator picker ----------------------------------------------------------------

# The picker opens with this many indicators and finds the others as the user types: handing a
# dropdown all 381 mapped indicators at once makes it build their search index on the browser's
# main thread while the map loads (0.15-0.45 s on the 2-core machine, see docs/map.md).
FIRST_CHOICES = 30
SEARCH_CHOICES = 60


def indicator_choices(scope: tuple[str, ...] | None, lang: str, search: str | None = None,
                      selected: str | None = None) -> list[dict[str, str]]:
    """Dropdown options of the picker: the first :data:`FIRST_CHOICES` indicators of the scope, or (at
    most :data:`SEARCH_CHOICES`) those whose code or name in either language holds every word of
    ``search``, compared without case or diacritics (the dropdown then applies its own filter to
    what it receives, on each option's ``search`` text); the ``selected`` one always, when the
    scope may read it, so the dropdown can show its name."""
    metas = indicator_options(scope)
    if search and search.strip():
        words = fold_text(search).split()
        shown = [m for m in metas if all(w in fold_text(m.code, m.name_vi, m.name_en) for w in words)]
        shown = shown[:SEARCH_CHOICES]
    else:
        shown = metas[:FIRST_CHOICES]
    if selected and selected not in {m.code for m in shown}:
        shown = [m for m in metas if m.code == selected] + shown
    # ``search`` is what the dropdown's own filter matches: the label, and the same words without
    # diacritics, the other language's name and the code, so "nuoc" or "water" keeps "Mực nước".
    return [{"label": pick(lang, m.name_vi, m.name_en), "value": m.code,
             "search": f"{pick(lang, m.name_vi, m.name_en)} {fold_text(m.name_vi, m.name_en, m.code)}"}
            for m in shown]


# --- the map -----------------------------------------------------------------------------

def viewport_to_store(view: Viewport) -> dict[str, Any]:
    """A viewport as JSON for a ``dcc.Store``."""
    return {"lon": view.lon, "lat": view.lat, "zoom": view.zoom, "bbox": list(view.bbox)}


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def viewport_from_store(data: Any) -> Viewport | None:
    """The viewport kept in a ``dcc.Store`` as :func:`viewport_to_store` wrote it, else None (empty or malformed)."""
    if not isinstance(data, dict):
        return None
    lon, lat, zoom, bbox = data.get("lon"), data.get("lat"), data.get("zoom"), data.get("bbox")
    if not (_finite(lon) and _finite(lat) and _finite(zoom) and isinstance(bbox, list) and len(bbox) == 4
            and all(_finite(v) for v in bbox)):
        return None
    if abs(lat) > 90 or abs(lon) > 540 or not 0 <= zoom <= MAX_ZOOM:
        return None
    return Viewport(float(lon), float(lat), float(zoom), tuple(float(v) for v in bbox))  # type: ignore[arg-type]


def _shown_areas(state: MapState) -> tuple[str | None, str | None]:
    """(level, parent) of the areas drawn: the drilled area's children, else a whole level."""
    if state.area_code:
        record, children = area_record(state.area_code)
        if record is not None and children:
            return None, state.area_code
        if record is not None:
            return record.level, record.parent_code
    if state.level:
        return state.level, None
    levels = area_levels()
    return (levels[1].name if len(levels) > 1 else levels[0].name if levels else None), None


def payload_bytes(obj: Any) -> int:
    """Size of ``obj`` as the JSON Dash sends to the browser."""
    return len(to_json_plotly(obj).encode("utf-8"))


def _address_layer(state: MapState, view: Viewport) -> AddressLayer:
    with get_database().connection() as conn:
        return layers.address_layer(conn, view, state.categories or None,
                                    hex_source=lambda resolution: hex_table(resolution, state.categories))


def address_traces(state: MapState, view: Viewport) -> tuple[dict[str, Any], dict[str, Any], AddressLayer]:
    """The hexagon and point traces (as dicts) of the address layer for a viewport, within the budget."""
    if not state.has("addresses"):
        empty = AddressLayer("hex")
        return mf.hex_trace({}, visible=False), mf.points_trace([], visible=False), empty
    layer = _address_layer(state, view)
    while True:
        # Over a shaded choropleth the hexagons stay faint, so both read.
        shaded = state.has("choropleth") and state.indicator is not None
        hexes = mf.hex_trace(layer.cells, lang=state.lang, theme=state.theme, opacity=0.3 if shaded else 0.62)
        points = mf.points_trace(layer.points, lang=state.lang)
        size = payload_bytes(hexes) + payload_bytes(points)
        if size <= layers.PAYLOAD_BUDGET or layer.resolution == 7:
            return hexes, points, layer
        coarser = 9 if layer.mode == "points" else (layer.resolution or 8) - 1
        logger.warning("address layer of %s bytes over budget at zoom %.1f; using H3 resolution %s",
                       size, view.zoom, coarser)
        layer = _coarsen(state, view, coarser)


def _coarsen(state: MapState, view: Viewport, resolution: int) -> AddressLayer:
    cells = hex_table(resolution, state.categories).within(view.padded())
    return AddressLayer("hex", resolution=resolution, cells=cells)


def _area_trace(state: MapState, collection: dict[str, Any], visible: bool) -> Any:
    meta = indicator_meta(state.indicator, scope()) if state.indicator and state.has("choropleth") else None
    values = None
    if meta is not None:
        level, parent = _shown_areas(state)
        values = indicator_values(meta.code, level, parent, scope())
    return mf.areas_trace(
        collection, values, lang=state.lang, theme=state.theme, visible=visible,
        unit=meta.unit if meta else "", decimals=meta.decimals if meta else 1,
        direction=meta.direction if meta else "neutral",
        selected=state.area_code,
    )


def build_map(
    state: MapState, view: Viewport | None = None, *, uirevision: str | None = None,
    size_px: tuple[int, int] = (1280, 720),
) -> MapView:
    """The whole map for a state; ``view`` None frames the areas shown on a map of ``size_px``."""
    level, parent = _shown_areas(state)
    if view is None:
        lon, lat, zoom = layers.fit_view(boundaries(level, parent, layers.ZOOM_BUCKETS[0]), size_px)
        view = Viewport(lon, lat, zoom, layers.bbox_around(lon, lat, zoom, size_px))
    collection = boundaries(level, parent, layers.zoom_bucket(view.zoom))
    outlined = state.has("boundaries") or (state.has("choropleth") and state.indicator is not None)
    hexes, points, address_layer = address_traces(state, view)
    traces = {
        "areas": _area_trace(state, collection, outlined),
        "labels": mf.labels_trace(collection, lang=state.lang, theme=state.theme, visible=state.has("labels")),
        "hex": hexes,
        "points": points,
        "devices": mf.devices_trace(live_devices(scope()) if state.has("devices") else [], lang=state.lang,
                                    visible=state.has("devices")),
        "alerts": mf.alerts_trace(live_alerts(scope()) if state.has("alerts") else [], lang=state.lang,
                                  visible=state.has("alerts")),
    }
    layout = mf.map_layout(lon=view.lon, lat=view.lat, zoom=view.zoom, theme=state.theme, lang=state.lang,
                           tile_url=state.tile_url, uirevision=uirevision or f"area-{state.area_code or level}")
    figure = mf.assemble(traces, layout)
    codes = tuple(f["properties"]["code"] for f in collection["features"])
    return MapView(figure, view, address_layer.mode, address_layer.total, address_layer.resolution, codes)


@memoize(SHORT)
def _shared_map(layers_on: tuple[str, ...], level: str | None, area_code: str | None, indicator: str | None,
                categories: tuple[str, ...], lang: str, theme: str, tile_url: str | None,
                view: tuple[float, float, float, tuple[float, float, float, float]] | None,
                size_px: tuple[int, int], viewer_scope: tuple[str, ...] | None) -> MapView:
    # Plain, ordered arguments: the cache key is their repr, the same in every worker (a frozenset's
    # order is not). ``viewer_scope`` is scope() of this request, which build_map reads itself.
    state = MapState(frozenset(layers_on), level, area_code, indicator, categories, lang, theme, tile_url)
    return build_map(state, Viewport(*view) if view is not None else None, uirevision="map", size_px=size_px)


def shared_map(state: MapState, view: Viewport | None = None, *, uirevision: str,
               size_px: tuple[int, int] = (1280, 720)) -> MapView:
    """:func:`build_map` through the shared cache (``SHORT``, like the live layers it holds).

    Every view of the map page builds the same figure for the same choices, viewer scope and
    map size: about 220 kB of traces whose building (address layer, devices, alerts, boundaries)
    cost 10-100 ms of server CPU per view. Cached, the next view in any worker costs one cache
    read; only ``uirevision``, which is new on each view, is set afterwards.
    """
    built = _shared_map(tuple(sorted(state.layers)), state.level, state.area_code, state.indicator,
                        tuple(state.categories), state.lang, state.theme, state.tile_url,
                        (view.lon, view.lat, view.zoom, tuple(view.bbox)) if view is not None else None,
                        tuple(size_px), scope())
    figure = {"data": built.figure["data"], "layout": {**built.figure["layout"], "uirevision": uirevision}}
    return replace(built, figure=figure)


def address_patch(state: MapState, view: Viewport, previous: Viewport | None) -> tuple[dict[int, Any], AddressLayer]:
    """Trace replacements (index → trace dict) after the user moved the map.

    The address layer always; the areas again only when the zoom crossed a
    simplification bucket, so their outline stays sharp without being resent on every pan.
    """
    hexes, points, layer = address_traces(state, view)
    changes: dict[int, Any] = {mf.TRACES["hex"]: hexes, mf.TRACES["points"]: points}
    if previous is None or layers.zoom_bucket(previous.zoom) != layers.zoom_bucket(view.zoom):
        level, parent = _shown_areas(state)
        collection = boundaries(level, parent, layers.zoom_bucket(view.zoom))
        outlined = state.has("boundaries") or (state.has("choropleth") and state.indicator is not None)
        changes[mf.TRACES["areas"]] = _area_trace(state, collection, outlined)
    return changes, layer


def focus(state: MapState, record: addresses.AddressRecord, zoom: float = 17.0) -> tuple[Viewport, MapState]:
    """The street-level viewport around an address (and the state with addresses switched on)."""
    lon, lat = record.lon, record.lat
    view = Viewport(lon, lat, zoom, layers.bbox_around(lon, lat, zoom))
    return view, replace(state, layers=state.layers | {"addresses"})


def shown_values(state: MapState) -> tuple[map_layers.IndicatorMeta, list[tuple[str, str, str | None, float]]] | None:
    """The indicator in every area on the map, highest first, or None without indicator or values."""
    meta = indicator_meta(state.indicator, scope()) if state.indicator else None
    if meta is None:
        return None
    level, parent = _shown_areas(state)
    values = indicator_values(meta.code, level, parent, scope())
    names = {f["properties"]["code"]: (f["properties"].get("name_vi"), f["properties"].get("name_en"))
             for f in boundaries(level, parent, layers.ZOOM_BUCKETS[0])["features"]}
    rows = [(code, *names.get(code, (code, None)), value) for code, value in values.items() if value is not None]
    return (meta, sorted(rows, key=lambda r: r[3], reverse=True)) if rows else None


def area_at_cell(level: str | None, area_code: str | None, cell: str) -> str | None:
    """Code of the shown area that holds the centre of an H3 cell (a click on a hexagon drills too)."""
    lat, lon = h3.cell_to_latlng(cell)
    shown_level, parent = _shown_areas(MapState(level=level, area_code=area_code))
    for feature in boundaries(shown_level, parent, layers.ZOOM_BUCKETS[-1])["features"]:
        if shapely.contains_xy(shape(feature["geometry"]), lon, lat):
            return feature["properties"]["code"]
    return None


def _colour_for(value: float | None, low: float, high: float, direction: str) -> str:
    if value is None:
        return "#64748b"
    share = 0.5 if high <= low else (value - low) / (high - low)
    if direction == "lower_better":
        share = 1 - share
    if direction == "neutral":
        return "#1e3a8a" if share < 0.34 else "#2563eb" if share < 0.67 else "#38bdf8"
    return "#ef4444" if share < 0.34 else "#f59e0b" if share < 0.67 else "#22c55e"


def _export_areas(state: MapState, collection: dict[str, Any]) -> tuple[dict[str, Any], dict | None, dict | None]:
    named = {"type": "FeatureCollection", "features": [
        {**f, "properties": {**f["properties"], "name": pick(state.lang, f["properties"].get("name_vi"),
                                                             f["properties"].get("name_en"))}}
        for f in collection["features"]]}
    meta = indicator_meta(state.indicator, scope()) if state.indicator and state.has("choropleth") else None
    if meta is None:
        return named, None, None
    level, parent = _shown_areas(state)
    values = indicator_values(meta.code, level, parent, scope())
    present = [v for v in values.values() if v is not None]
    low, high = (min(present), max(present)) if present else (0.0, 0.0)
    colours = {f["properties"]["code"]: _colour_for(values.get(f["properties"]["code"]), low, high, meta.direction)
               for f in collection["features"]}
    texts = {code: f"{format_number(v, state.lang, decimals=meta.decimals)} {meta.unit}".strip()
             for code, v in values.items()}
    return named, colours, texts


def export_layers(state: MapState, view: Viewport | None) -> ExportLayers:
    """What the export draws for a state and viewport: the same layers and filters as on screen."""
    level, parent = _shown_areas(state)
    if view is None:
        lon, lat, zoom = layers.fit_view(boundaries(level, parent, layers.ZOOM_BUCKETS[0]))
        view = Viewport(lon, lat, zoom, layers.bbox_around(lon, lat, zoom))
    lang = state.lang
    collection = boundaries(level, parent, layers.zoom_bucket(view.zoom))
    outlined = state.has("boundaries") or (state.has("choropleth") and state.indicator is not None)
    named, colours, texts = _export_areas(state, collection) if outlined else (None, None, None)
    address_layer = _address_layer(state, view) if state.has("addresses") else None
    hexes = points = None
    if address_layer is not None and address_layer.mode == "hex":
        hexes = mf.hex_collection(address_layer.cells)
        for feature in hexes["features"]:
            feature["properties"] = {"count": address_layer.cells[feature["id"]]}
    elif address_layer is not None:
        points = [ExportPoint(p.lon, p.lat, mf.CATEGORY_COLOURS.get(p.category, "#e5e7eb"),
                              f"{p.code} · {mf.label('category', p.category, lang)}", 4.0)
                  for p in address_layer.points]
    shown_path = area_summary(state.area_code)["path"] if state.area_code else []
    where = pick(lang, shown_path[-1][1], shown_path[-1][2]) if shown_path else t("mapview.home", lang)
    legend = [
        (t("mapview.legend.devices", lang), [(c, mf.label("status", k, lang)) for k, c in mf.STATUS_COLOURS.items()]),
        (t("mapview.legend.alerts", lang), [(c, mf.label("severity", k, lang)) for k, c in mf.SEVERITY_COLOURS.items()]),
    ]
    if points:
        cats = state.categories or tuple(mf.CATEGORY_COLOURS)
        legend.append((t("mapview.legend.categories", lang),
                       [(mf.CATEGORY_COLOURS.get(k, "#e5e7eb"), mf.label("category", k, lang)) for k in cats]))
    palette = mf.PALETTES.get(state.theme, mf.PALETTES["dark"])
    return ExportLayers(
        title=t("mapview.export_title", lang, area=where),
        note=t("mapview.export_note", lang, when=format_datetime(datetime.now(timezone.utc), lang)),
        center=(view.lon, view.lat), zoom=view.zoom,
        layer_names={name: t(f"mapview.layer.{name}", lang) for name in LAYERS},
        areas=named, area_colours=colours, area_values=texts, labels=state.has("labels"),
        hexes=hexes, points=points,
        devices=[ExportPoint(d.lon, d.lat, mf.STATUS_COLOURS.get(d.status, "#94a3b8"),
                             f"{d.name} · {mf.label('status', d.status, lang)}", 6.0)
                 for d in live_devices(scope()) if d.lon is not None and d.lat is not None] if state.has("devices") else None,
        alerts=[ExportPoint(a.lon, a.lat, mf.SEVERITY_COLOURS.get(a.severity, "#38bdf8"),
                            pick(lang, a.message_vi, a.message_en), 12.0)
                for a in live_alerts(scope())] if state.has("alerts") else None,
        legend=legend, background=palette["map_bg"], text_colour=palette["text"], tile_url=state.tile_url,
    )
