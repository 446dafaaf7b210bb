"""Server-side map layer assembly: what to send for the part of the territory on screen.

The address layer never ships every point: zoomed out it is H3 hexagon counts
(resolution 7, 8 or 9 as the zoom grows), zoomed in it is the individual
addresses inside the viewport, and only when they are few enough
(:data:`POINT_LIMIT`); otherwise it stays aggregated. The viewport comes from
the map's ``relayoutData`` (``map.center``, ``map.zoom`` and the corner
coordinates in ``map._derived``). Boundaries are simplified for the zoom and
their coordinates rounded, so the geometry sent to the browser stays small.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import h3
import numpy as np
import psycopg

from geo.simplify import simplify_collection
from ioc.storage.addresses import AddressRecord, BBox, address_counts_by_h3, addresses_in_bbox
from ioc.storage.areas import area_geojson
from ioc.storage.map_layers import address_count_in_bbox

__all__ = [
    "Viewport",
    "AddressLayer",
    "HexTable",
    "territory_hex_table",
    "POINT_ZOOM",
    "POINT_LIMIT",
    "PAYLOAD_BUDGET",
    "ZOOM_BUCKETS",
    "bbox_around",
    "viewport_from_relayout",
    "resolution_for_zoom",
    "zoom_bucket",
    "address_layer",
    "hex_counts",
    "boundary_collection",
    "fit_view",
]

logger = logging.getLogger(__name__)

POINT_ZOOM = 15.0  # from this zoom on, individual addresses when few enough
POINT_LIMIT = 12_000  # most points one update may carry (about 0.8 MB of JSON)
PAYLOAD_BUDGET = 2_000_000  # bytes: no map update may exceed this
ZOOM_BUCKETS = (8.0, 10.0, 12.0, 14.0)  # boundaries are simplified once per bucket
_VIEW_PX = (1920, 1080)  # assumed screen when the browser did not report corners
_PAD = 0.15  # fetch a little beyond the viewport so a short pan needs no new data


@dataclass(frozen=True, slots=True)
class Viewport:
    """What the map shows: centre, zoom and the lon/lat box on screen."""

    lon: float
    lat: float
    zoom: float
    bbox: BBox

    def padded(self, fraction: float = _PAD) -> BBox:
        """The box grown by ``fraction`` of its size on every side."""
        min_lon, min_lat, max_lon, max_lat = self.bbox
        dx, dy = (max_lon - min_lon) * fraction, (max_lat - min_lat) * fraction
        return (min_lon - dx, min_lat - dy, max_lon + dx, max_lat + dy)


@dataclass(frozen=True, slots=True)
class AddressLayer:
    """The address layer for one viewport: hexagon counts, or the points themselves."""

    mode: str  # "hex" or "points"
    resolution: int | None = None
    cells: Mapping[str, int] = field(default_factory=dict)
    points: Sequence[AddressRecord] = ()

    @property
    def total(self) -> int:
        """Addresses represented by this layer."""
        return len(self.points) if self.mode == "points" else sum(self.cells.values())


def bbox_around(lon: float, lat: float, zoom: float, size_px: tuple[int, int] = _VIEW_PX) -> BBox:
    """The lon/lat box a web map of ``size_px`` shows around a centre at ``zoom``."""
    degrees_per_px = 360.0 / (512 * 2**zoom)  # MapLibre uses 512-px tiles
    half_lon = size_px[0] / 2 * degrees_per_px
    half_lat = size_px[1] / 2 * degrees_per_px * math.cos(math.radians(lat))
    return (lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)


def _corners_bbox(corners: Any) -> BBox | None:
    try:
        lons = [float(c[0]) for c in corners]
        lats = [float(c[1]) for c in corners]
    except (TypeError, ValueError, IndexError):
        return None
    if len(lons) < 2:
        return None
    return (min(lons), min(lats), max(lons), max(lats))


def viewport_from_relayout(
    relayout: Mapping[str, Any] | None, previous: Viewport | None = None
) -> Viewport | None:
    """The viewport after a ``relayoutData`` event, or ``previous`` when it says nothing new.

    Reads ``map.center`` / ``map.zoom`` and, when present, the visible corners in
    ``map._derived.coordinates``; without corners the box is estimated for a full-HD screen.
    """
    if not relayout:
        return previous
    center = relayout.get("map.center")
    zoom = relayout.get("map.zoom")
    if center is None and zoom is None:
        return previous
    lon = float(center["lon"]) if center else (previous.lon if previous else None)
    lat = float(center["lat"]) if center else (previous.lat if previous else None)
    zoom_value = float(zoom) if zoom is not None else (previous.zoom if previous else None)
    if lon is None or lat is None or zoom_value is None:
        return previous
    derived = relayout.get("map._derived") or {}
    bbox = _corners_bbox(derived.get("coordinates")) or bbox_around(lon, lat, zoom_value)
    return Viewport(lon, lat, zoom_value, bbox)


def resolution_for_zoom(zoom: float) -> int | None:
    """H3 resolution of the aggregated address layer at a zoom, or None for individual points."""
    if zoom < 10.5:
        return 7
    if zoom < 12.5:
        return 8
    if zoom < POINT_ZOOM:
        return 9
    return None


def zoom_bucket(zoom: float) -> float:
    """The zoom that boundaries are simplified for: the highest bucket not above ``zoom``."""
    chosen = ZOOM_BUCKETS[0]
    for bucket in ZOOM_BUCKETS:
        if zoom >= bucket:
            chosen = bucket
    return chosen


@dataclass(frozen=True)
class HexTable:
    """Address counts of every H3 cell of the territory at one resolution, with cell centres.

    Built once per resolution and category filter and kept in the shared cache, so a
    zoomed-out viewport only filters arrays instead of grouping every address again.
    Cells are H3 integers in numpy arrays: the table pickles and loads in about a millisecond.
    """

    resolution: int
    cells: np.ndarray  # uint64 H3 indexes
    counts: np.ndarray
    lons: np.ndarray
    lats: np.ndarray

    @classmethod
    def from_counts(cls, resolution: int, counts: Mapping[str, int]) -> "HexTable":
        """A table from a cell → count mapping."""
        cells = list(counts)
        centres = [h3.cell_to_latlng(c) for c in cells]
        return cls(resolution, np.array([h3.str_to_int(c) for c in cells], dtype=np.uint64),
                   np.array([counts[c] for c in cells], dtype=np.int64),
                   np.array([c[1] for c in centres], dtype=float), np.array([c[0] for c in centres], dtype=float))

    def within(self, bbox: BBox) -> dict[str, int]:
        """Cells whose centre lies in the box: cell → count."""
        min_lon, min_lat, max_lon, max_lat = bbox
        keep = np.flatnonzero((self.lons >= min_lon) & (self.lons <= max_lon)
                              & (self.lats >= min_lat) & (self.lats <= max_lat))
        return {h3.int_to_str(int(self.cells[i])): int(self.counts[i]) for i in keep}


def hex_counts(
    conn: psycopg.Connection, resolution: int, bbox: BBox | None, categories: Sequence[str] | None
) -> dict[str, int]:
    """Addresses per H3 cell (resolution 7, 8 or 9), in a box or everywhere; 8 is summed from the stored 9."""
    if resolution in (7, 9):
        return address_counts_by_h3(conn, resolution, bbox=bbox, categories=categories)
    fine = address_counts_by_h3(conn, 9, bbox=bbox, categories=categories)
    parents: Counter[str] = Counter()
    for cell, count in fine.items():
        parents[h3.cell_to_parent(cell, resolution)] += count
    return dict(parents)


def territory_hex_table(conn: psycopg.Connection, resolution: int, categories: Sequence[str] | None = None) -> HexTable:
    """The :class:`HexTable` of the whole territory at a resolution (7, 8 or 9)."""
    return HexTable.from_counts(resolution, hex_counts(conn, resolution, None, categories))


HexSource = Callable[[int], HexTable]


def address_layer(
    conn: psycopg.Connection,
    viewport: Viewport,
    categories: Sequence[str] | None = None,
    *,
    hex_source: HexSource | None = None,
) -> AddressLayer:
    """The address layer for a viewport: points when zoomed in and few enough, hexagons otherwise.

    ``hex_source(resolution)`` gives a (cached) territory-wide :class:`HexTable`;
    without one the counts are grouped in the database for the viewport only.
    """
    bbox = viewport.padded()
    resolution = resolution_for_zoom(viewport.zoom)
    if resolution is None:
        near = viewport.padded(0.05)
        in_view = address_count_in_bbox(conn, near, categories)
        if in_view <= POINT_LIMIT:
            points = addresses_in_bbox(conn, near, categories, limit=POINT_LIMIT)
            logger.debug("address layer: %s point(s) at zoom %.1f", len(points), viewport.zoom)
            return AddressLayer("points", points=points)
        logger.debug("address layer: %s addresses in view > %s, staying aggregated", in_view, POINT_LIMIT)
        resolution = 9
    if hex_source is not None:
        cells = hex_source(resolution).within(bbox)
    else:
        cells = hex_counts(conn, resolution, bbox, categories)
    logger.debug("address layer: %s cell(s) at resolution %s, zoom %.1f", len(cells), resolution, viewport.zoom)
    return AddressLayer("hex", resolution=resolution, cells=cells)


def _round_coords(coords: Any, digits: int) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_round_coords(c, digits) for c in coords]


def _digits_for_zoom(zoom: float) -> int:
    """Decimals that keep coordinates within about a tenth of a screen pixel at ``zoom``."""
    return max(3, min(6, math.ceil(math.log10(512 * 2**zoom / 36.0))))


def boundary_collection(
    conn: psycopg.Connection, *, zoom: float, level: str | None = None, parent_code: str | None = None
) -> dict[str, Any]:
    """Areas of a level (or the children of one area) simplified and rounded for ``zoom``.

    Properties are cut down to what the map shows: code, names, level and label point.
    """
    collection = area_geojson(conn, level=level, parent_code=parent_code)
    if not collection["features"]:
        return collection
    simplified = simplify_collection(collection, zoom=zoom)
    digits = _digits_for_zoom(zoom)
    keep = ("code", "name_vi", "name_en", "level", "parent_code", "label_lon", "label_lat")
    features = []
    for feature in simplified["features"]:
        geometry = feature["geometry"]
        features.append({
            "type": "Feature",
            "id": feature["id"],
            "geometry": {"type": geometry["type"], "coordinates": _round_coords(geometry["coordinates"], digits)},
            "properties": {k: feature["properties"].get(k) for k in keep},
        })
    return {"type": "FeatureCollection", "features": features}


def fit_view(collection: Mapping[str, Any], size_px: tuple[int, int] = (1280, 720)) -> tuple[float, float, float]:
    """(lon, lat, zoom) that frames every feature of a collection on a map of ``size_px``."""
    lons: list[float] = []
    lats: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for item in coords:
                walk(item)

    for feature in collection.get("features", []):
        if feature.get("geometry"):
            walk(feature["geometry"]["coordinates"])
    if not lons:
        return (106.65, 11.15, 9.0)
    width, height = max(size_px[0], 200), max(size_px[1], 200)
    west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    lon, lat = (west + east) / 2, (south + north) / 2
    span_lon = max(east - west, 1e-4)
    span_lat = max((north - south) / math.cos(math.radians(lat)), 1e-4)
    zoom = min(math.log2(width * 360 / (512 * span_lon)), math.log2(height * 360 / (512 * span_lat)))
    return (lon, lat, round(max(1.0, min(zoom - 0.15, 17.0)), 2))
