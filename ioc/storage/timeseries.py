"""Reading time series for charts: one indicator in one or several areas over a range.

The source table follows the span asked for: raw observations up to 2 days,
hourly rollups up to 60 days, daily rollups beyond. Points are re-bucketed with
``time_bucket`` so a chart never gets more than about :data:`MAX_POINTS` points,
combining values the way the indicator aggregates over time (``agg_time``).
Breakdowns give the latest value of each child area of an area.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from ioc.errors import StorageError

__all__ = [
    "RANGES",
    "MAX_POINTS",
    "Source",
    "Point",
    "AreaValue",
    "range_bounds",
    "choose_source",
    "series_points",
    "comparison",
    "breakdown",
    "sparkline",
    "indicators_at_depth",
]

RANGES = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30), "1y": timedelta(days=365)}
MAX_POINTS = 1000
_NICE_WIDTHS = tuple(
    timedelta(**spec)
    for spec in (
        {"minutes": 1}, {"minutes": 5}, {"minutes": 15}, {"hours": 1}, {"hours": 3},
        {"hours": 6}, {"days": 1}, {"days": 7}, {"days": 30},
    )
)

# Aggregates per source kind and agg_time. Constants only: nothing here comes from input.
_RAW_AGG = {
    "sum": "sum(o.value)",
    "mean": "avg(o.value)",
    "ratio": "avg(o.value)",
    "last": "(array_agg(o.value ORDER BY o.ts DESC))[1]",
    "max": "max(o.value)",
    "min": "min(o.value)",
}
_ROLLUP_AGG = {
    "sum": "sum(o.sum)",
    "mean": "sum(o.sum) / nullif(sum(o.n), 0)",
    "ratio": "sum(o.sum) / nullif(sum(o.n), 0)",
    "last": "(array_agg(o.last ORDER BY o.bucket DESC))[1]",
    "max": "max(o.max)",
    "min": "min(o.min)",
}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a range is read from and how wide its chart buckets are."""

    table: str  # observation, rollup_hourly or rollup_daily
    bucket: timedelta


@dataclass(frozen=True, slots=True)
class Point:
    """One chart point: bucket start and value."""

    ts: datetime
    value: float


@dataclass(frozen=True, slots=True)
class AreaValue:
    """The value of an indicator in one area, with the area's names."""

    code: str
    name_vi: str
    name_en: str | None
    level: str
    value: float | None
    ts: datetime | None
    has_children: bool


def range_bounds(
    range_key: str, *, start: datetime | None = None, end: datetime | None = None, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """(start, end) of a named range ending now, or of a custom range (``range_key='custom'``)."""
    now = now or datetime.now(timezone.utc)
    if range_key == "custom":
        if start is None or end is None or start >= end:
            raise StorageError(f"custom range needs a start before its end (got {start} … {end})")
        return start, end
    if range_key not in RANGES:
        raise StorageError(f"unknown range {range_key!r}; use one of {', '.join(RANGES)} or custom")
    return now - RANGES[range_key], now


def choose_source(start: datetime, end: datetime) -> Source:
    """Raw data for spans ≤ 2 days, hourly rollups ≤ 60 days, daily rollups beyond."""
    span = end - start
    if span <= timedelta(days=2):
        table, floor = "observation", _NICE_WIDTHS[0]
    elif span <= timedelta(days=60):
        table, floor = "rollup_hourly", timedelta(hours=1)
    else:
        table, floor = "rollup_daily", timedelta(days=1)
    wanted = max(floor, span / MAX_POINTS)
    bucket = next((w for w in _NICE_WIDTHS if w >= wanted), _NICE_WIDTHS[-1])
    return Source(table, bucket)


def _agg_time(conn: psycopg.Connection, indicator_code: str) -> str:
    row = conn.execute("SELECT agg_time FROM indicator WHERE code = %s", (indicator_code,)).fetchone()
    if row is None:
        raise StorageError(f"unknown indicator {indicator_code!r}; check the catalog (ioc catalog list)")
    return row[0]


def _series_query(source: Source, agg_time: str) -> sql.Composed:
    if source.table == "observation":
        value, time_col = _RAW_AGG[agg_time], "ts"
    else:
        value, time_col = _ROLLUP_AGG[agg_time], "bucket"
    return sql.SQL(
        """
        SELECT s.area_code, time_bucket(%(width)s::interval, o.{time_col}) AS ts, {value} AS value
        FROM series s
        JOIN {table} o ON o.series_id = s.id
        WHERE s.indicator_code = %(indicator)s AND s.area_code = ANY(%(areas)s) AND s.device_id IS NULL
          AND o.{time_col} >= %(start)s AND o.{time_col} < %(end)s
        GROUP BY 1, 2
        ORDER BY 1, 2
        """
    ).format(time_col=sql.Identifier(time_col), value=sql.SQL(value), table=sql.Identifier(source.table))


def comparison(
    conn: psycopg.Connection,
    indicator_code: str,
    area_codes: Sequence[str],
    *,
    start: datetime,
    end: datetime,
    source: Source | None = None,
) -> dict[str, list[Point]]:
    """Chart points of one indicator in several areas over [start, end): area code → points.

    ``source`` overrides the table and bucket :func:`choose_source` would pick.
    """
    source = source or choose_source(start, end)
    query = _series_query(source, _agg_time(conn, indicator_code))
    result: dict[str, list[Point]] = {code: [] for code in area_codes}
    params = {"width": source.bucket, "indicator": indicator_code, "areas": list(area_codes), "start": start, "end": end}
    for area_code, ts, value in conn.execute(query, params):
        if value is not None:
            result[area_code].append(Point(ts, value))
    return result


def series_points(
    conn: psycopg.Connection, indicator_code: str, area_code: str, *, start: datetime, end: datetime
) -> list[Point]:
    """Chart points of one indicator in one area over [start, end), from the right source."""
    return comparison(conn, indicator_code, [area_code], start=start, end=end)[area_code]


def sparkline(conn: psycopg.Connection, indicator_code: str, area_code: str, *, days: int = 30) -> list[Point]:
    """Daily points of the last ``days`` days from the daily rollups, for KPI tiles."""
    end = datetime.now(timezone.utc)
    daily = Source("rollup_daily", timedelta(days=1))
    return comparison(conn, indicator_code, [area_code], start=end - timedelta(days=days), end=end, source=daily)[
        area_code
    ]


_BREAKDOWN_SQL = """
SELECT a.code, a.name_vi, a.name_en, a.level,
       v.value, v.ts,
       EXISTS (SELECT 1 FROM area c WHERE c.parent_code = a.code) AS has_children
FROM area a
LEFT JOIN series s ON s.area_code = a.code AND s.indicator_code = %(indicator)s AND s.device_id IS NULL
LEFT JOIN LATERAL (
    SELECT l.value, l.ts FROM latest_value l WHERE l.series_id = s.id AND %(at)s::timestamptz IS NULL
    UNION ALL
    SELECT d.last, d.bucket FROM rollup_daily d
    WHERE d.series_id = s.id AND %(at)s::timestamptz IS NOT NULL AND d.bucket <= %(at)s::timestamptz
    ORDER BY 2 DESC LIMIT 1
) v ON true
WHERE a.parent_code = %(parent)s
ORDER BY v.value DESC NULLS LAST, a.name_vi
"""


def breakdown(
    conn: psycopg.Connection, indicator_code: str, parent_code: str, *, at: datetime | None = None
) -> list[AreaValue]:
    """The indicator in each child area of ``parent_code``, highest value first.

    ``at=None`` reads the latest values; a moment reads the last daily value at or before it.
    Child areas without data are listed last with ``value=None``.
    """
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_BREAKDOWN_SQL, {"indicator": indicator_code, "parent": parent_code, "at": at}).fetchall()
    return [AreaValue(**row) for row in rows]


def indicators_at_depth(
    conn: psycopg.Connection, depth: int, sectors: Sequence[str] | None = None
) -> list[tuple[str, str, str]]:
    """(code, name_vi, name_en) of indicators with a current value in some area at ``depth`` (1 = districts).

    ``sectors`` keeps only those sectors' indicators (None: all).
    """
    rows = conn.execute(
        """
        SELECT i.code, i.name_vi, i.name_en
        FROM indicator i
        WHERE i.code IN (
            SELECT s.indicator_code
            FROM area a
            JOIN series s ON s.area_code = a.code AND s.device_id IS NULL
            JOIN latest_value l ON l.series_id = s.id
            WHERE a.depth = %s
        ) AND (%s::text[] IS NULL OR i.sector_code = ANY(%s))
        ORDER BY i.sector_code, i.code
        """,
        (depth, list(sectors) if sectors is not None else None, list(sectors) if sectors is not None else None),
    ).fetchall()
    return [tuple(row) for row in rows]
