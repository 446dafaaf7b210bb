"""The demo territory: Bình Dương's real units on schematic, hand-made geometry.

The geometry is NOT surveyed. The province outline below was drawn by hand to
follow the province's general shape (Saigon River on the west, the Đồng Nai and
Bé rivers on the east, lon 106.33–106.97, lat 10.86–11.50). Communes are the
Voronoi cells of their approximate seats clipped to that outline, and each
district is the union of its communes, so the three levels tile the province
exactly: no gaps, no overlaps. Every feature says ``approximate: true``.

Regenerate the shipped file (deterministic) with ``python -m geo.demo_territory``.
Real boundaries are loaded with ``ioc geo import-areas``.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from geo.boundaries import measure
from geo.units import AdministrativeUnit, load_units
from ioc.errors import DataFileError
from ioc.storage.areas import AreaRecord

__all__ = ["PROVINCE_OUTLINE", "build_geometry", "demo_feature_collection", "load_demo_areas",
           "default_geometry_path", "GEOMETRY_NOTE"]

logger = logging.getLogger(__name__)

GEOMETRY_NOTE = (
    "Schematic demo geometry, not surveyed: a hand-drawn outline of Bình Dương split into "
    "Voronoi cells of approximate commune seats. Names and codes are real (GSO); shapes and "
    "areas are approximate. Load real boundaries with `ioc geo import-areas`."
)
_GRID = 1e-6  # degrees (~0.1 m): snapping shared edges to one grid keeps the tiling exact

# Hand-drawn outline (lon, lat), clockwise from the southern tip at Vĩnh Phú.
PROVINCE_OUTLINE: tuple[tuple[float, float], ...] = (
    (106.690, 10.875), (106.675, 10.905), (106.660, 10.940), (106.640, 10.975),
    (106.615, 10.995), (106.596, 11.030), (106.557, 11.045), (106.516, 11.074),
    (106.486, 11.108), (106.471, 11.146), (106.439, 11.189), (106.407, 11.233),
    (106.370, 11.276), (106.356, 11.330), (106.361, 11.388), (106.384, 11.436),
    (106.420, 11.475), (106.476, 11.485), (106.540, 11.456), (106.595, 11.427),
    (106.650, 11.383), (106.696, 11.432), (106.752, 11.485), (106.807, 11.451),
    (106.848, 11.398), (106.885, 11.339), (106.913, 11.281), (106.940, 11.218),
    (106.917, 11.165), (106.886, 11.108), (106.863, 11.059), (106.839, 11.010),
    (106.825, 10.960), (106.830, 10.910), (106.820, 10.875), (106.790, 10.862),
    (106.750, 10.865), (106.720, 10.870),
)


def default_geometry_path() -> Path:
    """The shipped demo geometry file."""
    return Path(str(resources.files("ioc") / "data" / "areas" / "binhduong_demo.geojson"))


def build_geometry(units: list[AdministrativeUnit]) -> dict[str, BaseGeometry]:
    """Geometry of every unit: leaves are clipped Voronoi cells of their seats, parents the union."""
    outline = shapely.set_precision(Polygon(PROVINCE_OUTLINE), _GRID)
    parents = {u.parent_code for u in units if u.parent_code}
    leaves = [u for u in units if u.code not in parents]
    outside = [u.code for u in leaves if not outline.contains(shapely.Point(u.seat_lon, u.seat_lat))]
    if outside:
        raise DataFileError("demo outline", None, f"seats outside the province outline: {', '.join(outside)}")
    seeds = MultiPoint([(u.seat_lon, u.seat_lat) for u in leaves])
    frame = shapely.box(*outline.buffer(0.5).bounds)
    cells = shapely.voronoi_polygons(seeds, extend_to=frame, ordered=True)
    shapes: dict[str, BaseGeometry] = {}
    for unit, cell in zip(leaves, shapely.get_parts(cells)):
        shapes[unit.code] = shapely.set_precision(cell.intersection(outline), _GRID)
    for unit in sorted(units, key=lambda u: -u.depth):
        if unit.code in shapes:
            continue
        children = [shapes[c.code] for c in units if c.parent_code == unit.code]
        shapes[unit.code] = shapely.set_precision(shapely.coverage_union_all(children), _GRID)
    return shapes


def demo_feature_collection(units: list[AdministrativeUnit] | None = None) -> dict[str, Any]:
    """The demo geometry as a GeoJSON FeatureCollection (province, districts, communes)."""
    units = units if units is not None else load_units()
    shapes = build_geometry(units)
    features = [
        {
            "type": "Feature",
            "properties": {"code": u.code, "name": u.name_vi, "level": u.level,
                           "parent_code": u.parent_code, "approximate": True},
            "geometry": mapping(shapes[u.code]),
        }
        for u in units
    ]
    return {"type": "FeatureCollection", "name": "binhduong_demo", "note": GEOMETRY_NOTE,
            "approximate": True, "features": features}


def load_demo_areas(units_path: str | Path | None = None, geometry_path: str | Path | None = None) -> list[AreaRecord]:
    """Area records of the demo territory: the unit list joined with the shipped demo geometry."""
    units = load_units(units_path)
    geometry_path = Path(geometry_path) if geometry_path else default_geometry_path()
    try:
        collection = json.loads(geometry_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(str(geometry_path), None, f"cannot read demo geometry: {exc}") from exc
    by_code = {f["properties"]["code"]: shape(f["geometry"]) for f in collection["features"]}
    missing = [u.code for u in units if u.code not in by_code]
    if missing:
        raise DataFileError(str(geometry_path), None, f"no geometry for unit(s) {', '.join(missing)}; "
                            "regenerate it with `python -m geo.demo_territory`")
    lons, lats, areas = measure([by_code[u.code] for u in units])
    return [
        AreaRecord(
            code=u.code, name_vi=u.name_vi, name_en=u.name_en, level=u.level, unit_type=u.unit_type,
            parent_code=u.parent_code, depth=u.depth, geometry=mapping(by_code[u.code]),
            centroid_lon=float(lon), centroid_lat=float(lat), area_km2=round(float(area), 3),
            population=u.population,
            properties={"approximate": True, "code_source": u.code_source,
                        "seat_lon": u.seat_lon, "seat_lat": u.seat_lat, "source": "demo"},
        )
        for u, lon, lat, area in zip(units, lons, lats, areas)
    ]


def main() -> None:
    """Write the demo geometry next to the unit list (``python -m geo.demo_territory [PATH]``)."""
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default_geometry_path()
    collection = demo_feature_collection()
    target.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(collection['features'])} features to {target}")


if __name__ == "__main__":
    main()
