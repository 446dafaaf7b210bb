"""Reading real boundary files (GeoJSON, Shapefile, GeoPackage) into area records.

Geometry is reprojected to WGS84, invalid polygons are repaired with
``make_valid`` (the repair is noted in the record's properties), and a feature
that is empty or not polygonal even after repair refuses the whole file with its
feature number and reason. Codes are kept as strings ("718", "25942"). The
hierarchy can have any depth: parents may be in the same file or already in the
database.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypedDict, Unpack

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geo.problems import Problem, refuse_if_any
from ioc.errors import ImportRefused
from ioc.storage.areas import AreaRecord

__all__ = ["BoundaryOptions", "read_boundaries", "resolve_hierarchy", "measure", "repair_polygonal",
           "AREA_CRS", "WGS84"]

logger = logging.getLogger(__name__)

WGS84 = "EPSG:4326"
AREA_CRS = "EPSG:32648"  # UTM 48N: metric, near-true areas over southern Vietnam
_POLYGONAL = ("Polygon", "MultiPolygon")


def measure(geometries: Sequence[BaseGeometry]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Label points (lon, lat inside each shape) and areas in km² of WGS84 geometries."""
    series = gpd.GeoSeries(list(geometries), crs=WGS84)
    points = series.representative_point()
    area_km2 = series.to_crs(AREA_CRS).area.to_numpy() / 1e6
    return points.x.to_numpy(), points.y.to_numpy(), area_km2


def repair_polygonal(geometry: BaseGeometry | None) -> tuple[BaseGeometry | None, str | None]:
    """(polygonal geometry or None, reason): repaired if needed, None with the reason if unusable."""
    if geometry is None or geometry.is_empty:
        return None, "empty geometry"
    if geometry.geom_type not in _POLYGONAL and geometry.geom_type != "GeometryCollection":
        return None, f"geometry is a {geometry.geom_type}, not a Polygon or MultiPolygon"
    if geometry.is_valid and geometry.geom_type in _POLYGONAL:
        return geometry, None
    why = shapely.is_valid_reason(geometry)
    repaired = shapely.make_valid(geometry)
    parts = [p for p in shapely.get_parts(repaired) if p.geom_type in _POLYGONAL and not p.is_empty]
    if not parts:
        return None, f"no polygon left after repairing invalid geometry ({why})"
    fixed = shapely.union_all(parts)
    if fixed.is_empty or fixed.area == 0:
        return None, f"no area left after repairing invalid geometry ({why})"
    return fixed, f"repaired: {why}"


def _as_code(value: Any) -> str | None:
    """A code as text: 718, 718.0 and " 718 " all give "718"; missing gives None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = str(value).strip()
    return text or None


def _is_count(text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    return math.isfinite(number) and number >= 0 and number.is_integer()


def _plain(value: Any) -> Any:
    """A JSON-safe property value."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _read_frame(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio/GDAL raise many types for unreadable files
        raise ImportRefused(str(path), None, f"cannot read boundaries: {exc}") from exc
    if frame.empty:
        raise ImportRefused(str(path), None, "the file has no features")
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ImportRefused(
                str(path), None, "no coordinate reference system and coordinates are not lon/lat; "
                "save the file with its CRS (a .prj for shapefiles)"
            )
        logger.warning("%s has no CRS; assuming WGS84 lon/lat", path)
        frame = frame.set_crs(WGS84)
    return frame.to_crs(WGS84)


class _RequiredOptions(TypedDict):
    level: str
    code_field: str
    name_field: str


class BoundaryOptions(_RequiredOptions, total=False):
    """How to read one level of a boundary file: keyword arguments of :func:`read_boundaries`.

    ``level`` names the units (district, commune, ward ...); ``*_field`` name the
    attributes holding the official code, the Vietnamese name, the parent's code,
    the English name, the unit type (Phường, Xã ...) and the population;
    ``parent_code`` is one parent for every feature when the file has no parent
    field; ``layer`` picks the layer of a GeoPackage or multi-layer file.
    """

    parent_field: str | None
    parent_code: str | None
    layer: str | None
    name_en_field: str | None
    unit_type_field: str | None
    population_field: str | None


@dataclass(frozen=True)
class _Fields:
    """Which attribute of the file holds what."""

    code: str
    name: str
    parent: str | None = None
    name_en: str | None = None
    unit_type: str | None = None
    population: str | None = None

    @classmethod
    def of(cls, options: BoundaryOptions) -> _Fields:
        """The fields ``options`` name; a missing or unknown option is a TypeError, as for an argument."""
        missing = BoundaryOptions.__required_keys__ - options.keys()
        unknown = options.keys() - BoundaryOptions.__annotations__.keys()
        if missing or unknown:
            raise TypeError(f"boundary options: missing {sorted(missing)}, unknown {sorted(unknown)}")
        return cls(options["code_field"], options["name_field"], options.get("parent_field"),
                   options.get("name_en_field"), options.get("unit_type_field"), options.get("population_field"))

    def named(self) -> list[str]:
        return [f for f in (self.code, self.name, self.parent, self.name_en, self.unit_type, self.population) if f]


def read_boundaries(path: str | Path, **options: Unpack[BoundaryOptions]) -> list[AreaRecord]:
    """Area records of one level from a boundary file, in file order (depth 0 until resolved).

    ``options`` are those of :class:`BoundaryOptions` (``level``, ``code_field`` and ``name_field`` required).
    Raises :class:`ImportRefused` (feature number and reason) when any feature is unusable.
    """
    path = Path(path)
    fields = _Fields.of(options)
    level, parent_code = options["level"], options.get("parent_code")
    frame = _read_frame(path, options.get("layer"))
    missing = [f for f in fields.named() if f not in frame.columns]
    if missing:
        present = ", ".join(c for c in frame.columns if c != frame.geometry.name)
        raise ImportRefused(str(path), None, f"no field(s) {', '.join(missing)}; the file has: {present}")
    problems: list[Problem] = []
    records: list[AreaRecord] = []
    seen: dict[str, int] = {}
    attributes = frame.drop(columns=frame.geometry.name)
    for number, (geometry, (_, row)) in enumerate(zip(frame.geometry, attributes.iterrows()), start=1):
        try:
            record = _feature(row, geometry, fields, level=level, parent_code=parent_code, seen=seen)
        except _FeatureRefused as exc:
            problems.append(Problem(number, str(exc)))
            continue
        seen[record.code] = number
        record.properties.update(source="import", source_file=path.name, source_feature=number)
        if "repair" in record.properties:
            logger.warning("%s feature %s (code %s): %s", path, number, record.code, record.properties["repair"])
        records.append(record)
    refuse_if_any(path, problems)
    lons, lats, areas = measure([shape(r.geometry) for r in records])
    return [
        replace(r, centroid_lon=float(lon), centroid_lat=float(lat), area_km2=round(float(area), 4))
        for r, lon, lat, area in zip(records, lons, lats, areas)
    ]


class _FeatureRefused(Exception):
    """One feature cannot be imported; the message is the reason."""


def _feature(row: Any, geometry: BaseGeometry | None, fields: _Fields, *, level: str,
             parent_code: str | None, seen: Mapping[str, int]) -> AreaRecord:
    """The record of one feature (without label point and area yet), or :class:`_FeatureRefused`."""
    code, name = _as_code(row[fields.code]), _as_code(row[fields.name])
    if code is None or name is None:
        raise _FeatureRefused(f"empty {fields.code if code is None else fields.name}")
    if code in seen:
        raise _FeatureRefused(f"duplicate code {code} (first on feature {seen[code]})")
    population = _as_code(row[fields.population]) if fields.population else None
    if population is not None and not _is_count(population):
        raise _FeatureRefused(f"population {population!r} is not a whole number (code {code})")
    fixed, note = repair_polygonal(geometry)
    if fixed is None:
        raise _FeatureRefused(f"{note} (code {code})")
    properties = {str(k): _plain(v) for k, v in row.items()}
    properties["approximate"] = False  # replaces the demo's flag when real shapes overwrite it
    if note:
        properties["repair"] = note
    return AreaRecord(
        code=code,
        name_vi=name,
        level=level,
        name_en=_as_code(row[fields.name_en]) if fields.name_en else None,
        unit_type=_as_code(row[fields.unit_type]) if fields.unit_type else None,
        parent_code=_as_code(row[fields.parent]) if fields.parent else parent_code,
        geometry=mapping(fixed),
        population=int(float(population)) if population is not None else None,
        properties=properties,
    )


def resolve_hierarchy(
    records: Sequence[AreaRecord], known_depths: Mapping[str, int], *, path: str | Path = "<areas>"
) -> list[AreaRecord]:
    """Set each record's depth from its parent (in the same list or already known).

    A record whose parent is neither in the list nor known, or that sits in a
    parent cycle, refuses the whole list with its feature number.
    """
    by_code = {r.code: (number, r) for number, r in enumerate(records, start=1)}
    depths: dict[str, int] = {}
    problems: list[Problem] = []

    def depth_of(code: str, trail: tuple[str, ...]) -> int | None:
        if code in depths:
            return depths[code]
        number, record = by_code[code]
        parent = record.parent_code
        if parent is None:
            depth = 0
        elif parent in trail or parent == code:
            problems.append(Problem(number, f"parent cycle through {' > '.join((*trail, code))}"))
            return None
        elif parent in by_code:
            above = depth_of(parent, (*trail, code))
            if above is None:
                return None
            depth = above + 1
        elif parent in known_depths:
            depth = known_depths[parent] + 1
        else:
            reason = f"unknown parent code {parent} of {code} (in neither this file nor the database)"
            problems.append(Problem(number, reason))
            return None
        depths[code] = depth
        return depth

    for record in records:
        depth_of(record.code, ())
    refuse_if_any(path, sorted(set(problems), key=lambda p: p.row or 0),
                  hint="import the parent level first or fix the parent codes")
    return [r.with_depth(depths[r.code]) for r in records]
