"""Administrative areas: a parent/child tree of any depth, with GeoJSON geometry.

Before 2025 Bình Dương was province > district > commune; after the 2025 reform
a province has communes directly. Nothing here assumes a number of levels: the
level names and depths come from the data that was loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

__all__ = [
    "AreaRecord",
    "upsert_areas",
    "list_areas",
    "get_area",
    "area_children",
    "area_levels",
    "area_depths",
    "area_geojson",
    "area_path",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AreaRecord:
    """One administrative unit; ``geometry`` is a GeoJSON mapping in WGS84 (lon, lat).

    ``centroid_lon`` / ``centroid_lat`` hold a label point guaranteed to lie inside
    the polygon (a representative point, not the arithmetic centroid).
    """

    code: str
    name_vi: str
    level: str
    name_en: str | None = None
    unit_type: str | None = None
    parent_code: str | None = None
    depth: int = 0
    geometry: dict[str, Any] | None = None
    centroid_lon: float | None = None
    centroid_lat: float | None = None
    area_km2: float | None = None
    population: int | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    def with_depth(self, depth: int) -> "AreaRecord":
        """A copy at another depth of the tree."""
        return replace(self, depth=depth)


_COLUMNS = (
    "code, name_vi, name_en, level, unit_type, parent_code, depth, geometry, "
    "centroid_lon, centroid_lat, area_km2, population, properties"
)

# A re-import updates the unit in place. Values the new file does not carry
# (no population column, no geometry) keep what an earlier import stored.
_UPSERT = f"""
INSERT INTO area ({_COLUMNS})
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (code) DO UPDATE SET
    name_vi      = EXCLUDED.name_vi,
    name_en      = COALESCE(EXCLUDED.name_en, area.name_en),
    level        = EXCLUDED.level,
    unit_type    = COALESCE(EXCLUDED.unit_type, area.unit_type),
    parent_code  = EXCLUDED.parent_code,
    depth        = EXCLUDED.depth,
    geometry     = COALESCE(EXCLUDED.geometry, area.geometry),
    centroid_lon = COALESCE(EXCLUDED.centroid_lon, area.centroid_lon),
    centroid_lat = COALESCE(EXCLUDED.centroid_lat, area.centroid_lat),
    area_km2     = COALESCE(EXCLUDED.area_km2, area.area_km2),
    population   = COALESCE(EXCLUDED.population, area.population),
    properties   = area.properties || EXCLUDED.properties,
    updated_at   = now()
"""


def upsert_areas(conn: psycopg.Connection, areas: Iterable[AreaRecord]) -> int:
    """Insert or update areas (parents first, by depth); return how many were written.

    Re-importing the same codes updates the rows, never duplicates them.
    """
    ordered = sorted(areas, key=lambda a: (a.depth, a.code))
    params = [
        (
            a.code, a.name_vi, a.name_en, a.level, a.unit_type, a.parent_code, a.depth,
            Jsonb(a.geometry) if a.geometry is not None else None,
            a.centroid_lon, a.centroid_lat, a.area_km2, a.population, Jsonb(a.properties),
        )
        for a in ordered
    ]
    with conn.cursor() as cur:
        cur.executemany(_UPSERT, params)
    logger.info("upserted %s area(s)", len(params))
    return len(params)


def _record(row: dict[str, Any]) -> AreaRecord:
    return AreaRecord(
        code=row["code"],
        name_vi=row["name_vi"],
        level=row["level"],
        name_en=row["name_en"],
        unit_type=row["unit_type"],
        parent_code=row["parent_code"],
        depth=row["depth"],
        geometry=row.get("geometry"),
        centroid_lon=row["centroid_lon"],
        centroid_lat=row["centroid_lat"],
        area_km2=row["area_km2"],
        population=row["population"],
        properties=row["properties"] or {},
    )


def _select(with_geometry: bool) -> str:
    geometry = "geometry" if with_geometry else "NULL::jsonb AS geometry"
    return _COLUMNS.replace("geometry", geometry, 1)


def list_areas(
    conn: psycopg.Connection,
    level: str | None = None,
    parent_code: str | None = None,
    *,
    with_geometry: bool = False,
) -> list[AreaRecord]:
    """Areas, optionally of one level and/or under one parent, by depth then code."""
    query = (
        f"SELECT {_select(with_geometry)} FROM area "
        "WHERE (%(level)s::text IS NULL OR level = %(level)s) "
        "AND (%(parent)s::text IS NULL OR parent_code = %(parent)s) "
        "ORDER BY depth, code"
    )
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query, {"level": level, "parent": parent_code}).fetchall()
    return [_record(r) for r in rows]


def get_area(conn: psycopg.Connection, code: str, *, with_geometry: bool = True) -> AreaRecord | None:
    """One area by code, or None."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"SELECT {_select(with_geometry)} FROM area WHERE code = %s", (code,)).fetchone()
    return _record(row) if row else None


def area_children(conn: psycopg.Connection, code: str, *, with_geometry: bool = False) -> list[AreaRecord]:
    """The direct children of an area, by code."""
    return list_areas(conn, parent_code=code, with_geometry=with_geometry)


def area_levels(conn: psycopg.Connection) -> list[str]:
    """Level names present in the database, from the root down (e.g. province, district, commune)."""
    rows = conn.execute("SELECT level FROM area GROUP BY level ORDER BY min(depth), level").fetchall()
    return [r[0] for r in rows]


def area_depths(conn: psycopg.Connection) -> dict[str, int]:
    """Depth of every known area code (to check and place the parents of an import)."""
    return dict(conn.execute("SELECT code, depth FROM area").fetchall())


def area_path(conn: psycopg.Connection, code: str) -> list[AreaRecord]:
    """The breadcrumb from the root down to ``code`` (empty when the code is unknown)."""
    query = f"""
    WITH RECURSIVE up AS (
        SELECT a.*, 0 AS hop FROM area a WHERE a.code = %s
        UNION ALL
        SELECT p.*, up.hop + 1 FROM area p JOIN up ON p.code = up.parent_code
        WHERE up.hop < 64
    )
    SELECT {_select(False)} FROM up ORDER BY hop DESC
    """
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query, (code,)).fetchall()
    return [_record(r) for r in rows]


def area_geojson(
    conn: psycopg.Connection, level: str | None = None, parent_code: str | None = None
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the areas that have geometry (level and parent optional)."""
    features = [
        {
            "type": "Feature",
            "id": a.code,
            "geometry": a.geometry,
            "properties": {
                "code": a.code,
                "name_vi": a.name_vi,
                "name_en": a.name_en,
                "level": a.level,
                "unit_type": a.unit_type,
                "parent_code": a.parent_code,
                "depth": a.depth,
                "population": a.population,
                "area_km2": a.area_km2,
                "label_lon": a.centroid_lon,
                "label_lat": a.centroid_lat,
                "approximate": bool(a.properties.get("approximate", False)),
            },
        }
        for a in list_areas(conn, level, parent_code, with_geometry=True)
        if a.geometry is not None
    ]
    return {"type": "FeatureCollection", "features": features}
