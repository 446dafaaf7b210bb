"""Read queries the map needs beyond areas and addresses: values by area, viewport counts,
device readings, located alerts and address-code search.

Every query is parameterised and returns plain records; the map layers in
``geo/layers.py`` turn them into traces.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg

from ioc.storage.addresses import BBox

__all__ = [
    "ReadingPoint",
    "LocatedAlert",
    "IndicatorMeta",
    "mapped_indicators",
    "indicator_meta",
    "indicator_values",
    "address_count_in_bbox",
    "device_readings",
    "located_open_alerts",
    "search_address_codes",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReadingPoint:
    """One recent reading of a device metric."""

    metric: str
    ts: datetime
    value: float


@dataclass(frozen=True, slots=True)
class LocatedAlert:
    """An unresolved alert with the place it belongs to (its device, else its area's label point)."""

    id: int
    rule: str
    severity: str
    state: str
    message_vi: str
    message_en: str
    opened_at: datetime
    device_id: str | None
    area_code: str | None
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class IndicatorMeta:
    """What the map needs to shade and label an indicator."""

    code: str
    name_vi: str
    name_en: str
    unit: str
    decimals: int
    direction: str


_META = "SELECT code, name_vi, name_en, unit, decimals, direction FROM indicator"


def mapped_indicators(conn: psycopg.Connection, sectors: Sequence[str] | None = None) -> list[IndicatorMeta]:
    """Indicators (of ``sectors``; None = all) that have a current value in at least one area, by name."""
    rows = conn.execute(
        f"""{_META} i WHERE EXISTS (
            SELECT 1 FROM series s JOIN latest_value l ON l.series_id = s.id
            WHERE s.indicator_code = i.code AND s.area_code IS NOT NULL AND s.device_id IS NULL)
          AND (%(sectors)s::text[] IS NULL OR i.sector_code = ANY(%(sectors)s))
        ORDER BY name_vi""",
        {"sectors": list(sectors) if sectors is not None else None},
    ).fetchall()
    return [IndicatorMeta(*row) for row in rows]


def indicator_meta(conn: psycopg.Connection, code: str) -> IndicatorMeta | None:
    """Name, unit, decimals and direction of one indicator, or None when unknown."""
    row = conn.execute(f"{_META} WHERE code = %s", (code,)).fetchone()
    return IndicatorMeta(*row) if row else None


def indicator_values(
    conn: psycopg.Connection, indicator_code: str, *, level: str | None = None, parent_code: str | None = None
) -> dict[str, float]:
    """Latest value of an indicator in every area of a level and/or under one parent: code → value."""
    rows = conn.execute(
        """
        SELECT a.code, l.value
        FROM series s
        JOIN area a ON a.code = s.area_code
        JOIN latest_value l ON l.series_id = s.id
        WHERE s.indicator_code = %(indicator)s AND s.device_id IS NULL
          AND (%(level)s::text IS NULL OR a.level = %(level)s)
          AND (%(parent)s::text IS NULL OR a.parent_code = %(parent)s)
        """,
        {"indicator": indicator_code, "level": level, "parent": parent_code},
    ).fetchall()
    return {code: value for code, value in rows}


def address_count_in_bbox(conn: psycopg.Connection, bbox: BBox, categories: Sequence[str] | None = None) -> int:
    """How many addresses (of the given categories, or all) lie inside a lon/lat box."""
    min_lon, min_lat, max_lon, max_lat = bbox
    row = conn.execute(
        "SELECT count(*) FROM digital_address"
        " WHERE lon BETWEEN %s AND %s AND lat BETWEEN %s AND %s"
        " AND (%s::text[] IS NULL OR category = ANY(%s::text[]))",
        (min_lon, max_lon, min_lat, max_lat, list(categories) if categories else None,
         list(categories) if categories else None),
    ).fetchone()
    return int(row[0])


def device_readings(
    conn: psycopg.Connection, device_id: str, *, since: datetime, limit: int = 2000
) -> list[ReadingPoint]:
    """Readings of every metric of one device since a time, oldest first (at most ``limit``, newest kept)."""
    rows = conn.execute(
        """
        SELECT metric, ts, value FROM (
            SELECT s.metric, o.ts, o.value
            FROM observation o JOIN series s ON s.id = o.series_id
            WHERE s.device_id = %s AND o.ts >= %s
            ORDER BY o.ts DESC
            LIMIT %s
        ) recent ORDER BY ts
        """,
        (device_id, since, limit),
    ).fetchall()
    return [ReadingPoint(metric or "value", ts, value) for metric, ts, value in rows]


def located_open_alerts(
    conn: psycopg.Connection, *, sectors: Sequence[str] | None = None, limit: int = 500
) -> list[LocatedAlert]:
    """Unresolved alerts that can be placed on the map, most severe then newest first.

    ``sectors`` (None = all) keeps alerts of those sectors' indicators and of devices whose
    kind feeds an indicator of those sectors (the catalog's ``device_kind``).
    """
    rows = conn.execute(
        """
        SELECT al.id, al.rule, al.severity, al.state, al.message_vi, al.message_en, al.opened_at,
               al.device_id, coalesce(d.area_code, s.area_code) AS area_code,
               coalesce(d.lon, ar.centroid_lon) AS lon, coalesce(d.lat, ar.centroid_lat) AS lat
        FROM alert al
        LEFT JOIN device d ON d.id = al.device_id
        LEFT JOIN series s ON s.id = al.series_id
        LEFT JOIN area ar ON ar.code = coalesce(s.area_code, d.area_code)
        WHERE al.state <> 'resolved'
          AND coalesce(d.lon, ar.centroid_lon) IS NOT NULL
          AND coalesce(d.lat, ar.centroid_lat) IS NOT NULL
          AND (%(sectors)s::text[] IS NULL
               OR EXISTS (SELECT 1 FROM indicator i
                          WHERE i.code = s.indicator_code AND i.sector_code = ANY(%(sectors)s))
               OR (s.indicator_code IS NULL AND EXISTS (
                   SELECT 1 FROM indicator i WHERE i.device_kind = d.kind AND i.sector_code = ANY(%(sectors)s))))
        ORDER BY CASE al.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                 al.opened_at DESC, al.id DESC
        LIMIT %(limit)s
        """,
        {"sectors": list(sectors) if sectors is not None else None, "limit": limit},
    ).fetchall()
    return [LocatedAlert(*row) for row in rows]


def search_address_codes(conn: psycopg.Connection, text: str, *, limit: int = 10) -> list[str]:
    """Address codes equal to ``text`` (as typed or upper-cased) first, then codes starting with it.

    The prefix search uses the ``text_pattern_ops`` index of migration 0550.
    """
    typed = text.strip()
    if not typed:
        return []
    wanted = typed.upper()
    pattern = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(
        "(SELECT code FROM digital_address WHERE code = ANY(%s))"
        " UNION ALL"
        " (SELECT code FROM digital_address WHERE code LIKE %s AND code <> ALL(%s) ORDER BY code LIMIT %s)",
        ([typed, wanted], pattern, [typed, wanted], limit),
    ).fetchall()
    return [r[0] for r in rows][:limit]
