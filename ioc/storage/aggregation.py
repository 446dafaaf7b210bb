"""Area indicators aggregated from device readings: the hourly and daily series devices feed.

A catalog indicator with ``source = mqtt`` names the device kind and metric that
feed it (``device_kind``, ``device_metric``). Its value for one area and one
period is computed from the hourly rollups of the readings of every device of
that kind placed in the area or below it (``device.area_code``, then up the
area tree to the levels the indicator is reported at): first per device over
the period by ``agg_time`` (sum, mean, max, min, last), then across those
devices by ``agg_area`` (sum, max, min, last, otherwise the mean), rounded to
the indicator's ``decimals``. A camera in a commune thus counts in its commune,
its district and the province. Hourly periods are clock hours; daily periods
are Vietnam days (00:00 at UTC+7), the periods the simulator and the scheduled
indicators use.

Realtime indicators (frequency ``realtime``) are computed at given instants
from the readings of a rolling window before each (:data:`REALTIME_WINDOW`).

Writing is idempotent: a value is inserted, replaced when it differs (late
readings), or left alone; the rollups and latest values of the changed series
follow in the same transaction. A period without readings gives no row.
Concurrent runs (several collectors each running the scheduler) queue on an
advisory lock instead of racing. :func:`device_indicator_values` computes,
:func:`store_device_indicator_values` stores; the job that calls both every
hour is :mod:`collectors.aggregation`; the history backfill computes and
writes into empty time ranges with its own bulk COPY.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg

from ioc.storage.observations import write_rows

__all__ = ["AGGREGATED_FREQUENCIES", "REALTIME_WINDOW", "AggregationResult", "device_indicator_values",
           "realtime_indicator_values", "store_device_indicator_values", "period_bounds"]

logger = logging.getLogger(__name__)

#: Frequencies of the device-fed indicators computed over whole periods.
AGGREGATED_FREQUENCIES = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}

#: Realtime device-fed indicators (vehicles now, water level now ...): the readings of this rolling
#: window before each instant they are computed for (:func:`realtime_indicator_values`).
REALTIME_WINDOW = timedelta(minutes=10)

#: Period boundaries fall on Vietnam midnights (UTC+7, no daylight saving) and whole hours.
_ORIGIN = datetime(2000, 1, 3, tzinfo=timezone(timedelta(hours=7)))

#: A backfill's long window is computed two days at a time (whole days: period bounds stay whole).
_SLICE = timedelta(days=2)

_LOCK = "SELECT pg_advisory_xact_lock(hashtext('ioc.storage.aggregation'))"

# Per device over the period (agg_time); then the devices of one place (indicator and device area)
# into partial states (sum, count, max, min, last), so that fanning out to the areas above moves
# few rows; then per goal (indicator and area) by agg_area. Places and goals are numbered so the
# big groupings hash integers, not text. An hourly period is one rollup row per device.
_AGGREGATE = """
WITH RECURSIVE up (area_code, target) AS (
    SELECT code, code FROM area
    UNION ALL
    SELECT up.area_code, a.parent_code FROM up JOIN area a ON a.code = up.target WHERE a.parent_code IS NOT NULL
), fed AS MATERIALIZED (
    SELECT i.code, i.agg_time, s.id AS series_id, d.area_code, dense_rank() OVER (ORDER BY i.code, d.area_code) AS place
    FROM indicator i
    JOIN device d ON d.kind = i.device_kind AND d.area_code IS NOT NULL
    JOIN series s ON s.device_id = d.id AND s.metric = i.device_metric
    WHERE i.source = 'mqtt' AND i.frequency = %(frequency)s
      AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s))
), goal AS MATERIALIZED (
    SELECT p.place, dense_rank() OVER (ORDER BY p.code, up.target) AS goal, p.code, up.target, i.agg_area, i.decimals
    FROM (SELECT DISTINCT place, code, area_code FROM fed) p
    JOIN indicator i ON i.code = p.code
    JOIN up ON up.area_code = p.area_code
    JOIN area t ON t.code = up.target AND t.level = ANY (i.levels)
), per_device AS ({per_device}
), per_place AS (
    SELECT place, period, sum(value) AS sum, count(*) AS n, max(value) AS max, min(value) AS min,
           max(ARRAY[extract(epoch FROM last_ts)::float8, value]) AS last
    FROM per_device GROUP BY place, period
), per_goal AS (
    SELECT g.goal, p.period, sum(p.sum) AS sum, sum(p.n) AS n, max(p.max) AS max, min(p.min) AS min,
           max(p.last) AS last
    FROM per_place p JOIN goal g ON g.place = p.place
    GROUP BY g.goal, p.period
)
SELECT g.code, g.target, v.period,
       round(CASE g.agg_area WHEN 'sum' THEN v.sum WHEN 'max' THEN v.max WHEN 'min' THEN v.min
                  WHEN 'last' THEN v.last[2] ELSE v.sum / v.n END::numeric, g.decimals)::float8
FROM per_goal v
JOIN (SELECT DISTINCT goal, code, target, agg_area, decimals FROM goal) g ON g.goal = v.goal
"""

_PER_DEVICE = {
    "hourly": """
    SELECT f.place, h.bucket AS period, h.last_ts,
           CASE f.agg_time WHEN 'sum' THEN h.sum WHEN 'max' THEN h.max WHEN 'min' THEN h.min WHEN 'last' THEN h.last
                ELSE h.sum / h.n END AS value
    FROM fed f
    JOIN rollup_hourly h ON h.series_id = f.series_id AND h.bucket >= %(since)s AND h.bucket < %(until)s""",
    "daily": """
    SELECT f.place, date_bin('1 day', h.bucket, %(origin)s) AS period, max(h.last_ts) AS last_ts,
           CASE f.agg_time WHEN 'sum' THEN sum(h.sum) WHEN 'max' THEN max(h.max) WHEN 'min' THEN min(h.min)
                WHEN 'last' THEN (max(ARRAY[extract(epoch FROM h.last_ts)::float8, h.last]))[2]
                ELSE sum(h.sum) / sum(h.n) END AS value
    FROM fed f
    JOIN rollup_hourly h ON h.series_id = f.series_id AND h.bucket >= %(since)s AND h.bucket < %(until)s
    GROUP BY f.series_id, f.place, f.agg_time, 2""",
}

# Realtime: per device over the rolling window before each instant, from the readings themselves.
_PER_DEVICE_REALTIME = """
    SELECT f.place, t.at AS period, max(o.ts) AS last_ts,
           CASE f.agg_time WHEN 'sum' THEN sum(o.value) WHEN 'max' THEN max(o.value) WHEN 'min' THEN min(o.value)
                WHEN 'last' THEN (max(ARRAY[extract(epoch FROM o.ts)::float8, o.value]))[2]
                ELSE avg(o.value) END AS value
    FROM fed f
    CROSS JOIN unnest(%(instants)s::timestamptz[]) AS t(at)
    JOIN observation o ON o.series_id = f.series_id AND o.ts > t.at - %(window)s::interval AND o.ts <= t.at
    GROUP BY f.series_id, f.place, f.agg_time, t.at"""

_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS _area_value (
    indicator_code text NOT NULL, area_code text NOT NULL, ts timestamptz NOT NULL, value double precision NOT NULL)
"""

_NEW_SERIES = """
INSERT INTO series (indicator_code, area_code)
SELECT DISTINCT indicator_code, area_code FROM _area_value
ON CONFLICT ON CONSTRAINT series_identity DO NOTHING
"""

# The computed values that are not stored yet, or stored with another value (``stored``).
_DIFF = """
SELECT s.id, v.ts, v.value, o.value IS NOT NULL AS stored
FROM _area_value v
JOIN series s ON s.indicator_code = v.indicator_code AND s.area_code = v.area_code
             AND s.device_id IS NULL AND s.metric IS NULL
LEFT JOIN observation o ON o.series_id = s.id AND o.ts = v.ts
WHERE o.value IS DISTINCT FROM v.value
"""

_REPLACE = """
UPDATE observation o SET value = c.value
FROM unnest(%(ids)s::bigint[], %(ts)s::timestamptz[], %(values)s::float8[]) AS c(series_id, ts, value)
WHERE o.series_id = c.series_id AND o.ts = c.ts
"""

# The hourly and daily rollup buckets holding a replaced value, recomputed whole from their
# observations (the day is a UTC day, as everywhere in the rollups). Index probes per touched
# bucket, so neither the table's size nor its statistics matter. The table name is a constant.
_ROLLUP = """
WITH touched AS (
    SELECT DISTINCT series_id, time_bucket(%(width)s::interval, ts) AS bucket
    FROM unnest(%(ids)s::bigint[], %(ts)s::timestamptz[]) AS c(series_id, ts)
)
INSERT INTO {table} (series_id, bucket, n, sum, min, max, last, last_ts)
SELECT t.series_id, t.bucket, b.*
FROM touched t
CROSS JOIN LATERAL (
    SELECT count(*), sum(o.value), min(o.value), max(o.value), (array_agg(o.value ORDER BY o.ts DESC))[1], max(o.ts)
    FROM observation o
    WHERE o.series_id = t.series_id AND o.ts >= t.bucket AND o.ts < t.bucket + %(width)s::interval
) b
ON CONFLICT (series_id, bucket) DO UPDATE
   SET n = EXCLUDED.n, sum = EXCLUDED.sum, min = EXCLUDED.min, max = EXCLUDED.max, last = EXCLUDED.last,
       last_ts = EXCLUDED.last_ts
"""
_ROLLUP_TABLES = (("rollup_hourly", "1 hour"), ("rollup_daily", "1 day"))

# The last two stored values of each series with a replaced value, by two probes of the primary key each.
_LATEST = """
INSERT INTO latest_value AS l (series_id, ts, value, prev_ts, prev_value)
SELECT s.id, last.ts[1], last.value[1], last.ts[2], last.value[2]
FROM unnest(%s::bigint[]) AS s(id)
CROSS JOIN LATERAL (
    SELECT array_agg(t.ts ORDER BY t.ts DESC) AS ts, array_agg(t.value ORDER BY t.ts DESC) AS value
    FROM (SELECT o.ts, o.value FROM observation o WHERE o.series_id = s.id ORDER BY o.ts DESC LIMIT 2) t
) last
ON CONFLICT (series_id) DO UPDATE
   SET ts = EXCLUDED.ts, value = EXCLUDED.value, prev_ts = EXCLUDED.prev_ts, prev_value = EXCLUDED.prev_value
 WHERE (l.ts, l.value, l.prev_ts, l.prev_value)
       IS DISTINCT FROM (EXCLUDED.ts, EXCLUDED.value, EXCLUDED.prev_ts, EXCLUDED.prev_value)
"""


@dataclass(frozen=True)
class AggregationResult:
    """What one aggregation did: area values computed, rows inserted or changed, series they belong to."""

    values: int = 0
    changed: int = 0
    series: int = 0


def _slices(since: datetime, until: datetime) -> list[datetime]:
    """Starts of the slices a long window is computed in: each slice's groupings stay in memory."""
    starts = [since]
    while starts[-1] + _SLICE < until:
        starts.append(starts[-1] + _SLICE)
    return starts


def period_bounds(frequency: str, since: datetime, until: datetime) -> tuple[datetime, datetime] | None:
    """[first start, last end) of the whole periods of ``frequency`` that lie in [since, until), if any."""
    width = AGGREGATED_FREQUENCIES[frequency]
    first = _ORIGIN + -((_ORIGIN - since) // width) * width  # the first boundary at or after since
    last = _ORIGIN + ((until - _ORIGIN) // width) * width  # the last boundary at or before until
    return (first, last) if first < last else None


def _queries(since: datetime, until: datetime, frequencies: Sequence[str],
             indicator_codes: Sequence[str] | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """The aggregation query and its parameters for each frequency and slice of the window."""
    codes = list(indicator_codes) if indicator_codes is not None else None
    for frequency in frequencies:
        bounds = period_bounds(frequency, since, until)
        if bounds is None:
            continue
        sql = _AGGREGATE.format(per_device=_PER_DEVICE[frequency])
        for lo in _slices(*bounds):
            yield sql, {"frequency": frequency, "codes": codes, "origin": _ORIGIN,
                        "since": lo, "until": min(lo + _SLICE, bounds[1])}


def device_indicator_values(
    conn: psycopg.Connection,
    *,
    since: datetime,
    until: datetime,
    frequencies: Sequence[str] = tuple(AGGREGATED_FREQUENCIES),
    indicator_codes: Sequence[str] | None = None,
) -> list[tuple[str, str, datetime, float]]:
    """(indicator, area, period start, value) of every device-fed area value of the whole periods in [since, until).

    ``indicator_codes`` limits the work to those indicators (default: every
    ``mqtt`` indicator of the given frequencies). Computed, not stored: store
    them with :func:`store_device_indicator_values` in the same transaction,
    which this call holds the aggregation lock for (a concurrent run waits, so
    an older computation never overwrites a newer one).
    """
    conn.execute(_LOCK)
    conn.execute("SET LOCAL work_mem = '64MB'")  # the groupings stay in memory
    return [row for sql, params in _queries(since, until, frequencies, indicator_codes)
            for row in conn.execute(sql, params)]


def realtime_indicator_values(
    conn: psycopg.Connection,
    *,
    instants: Sequence[datetime],
    window: timedelta = REALTIME_WINDOW,
    indicator_codes: Sequence[str] | None = None,
) -> list[tuple[str, str, datetime, float]]:
    """(indicator, area, instant, value) of the realtime device-fed indicators at each instant.

    The value at an instant aggregates the readings of (instant - ``window``, instant]:
    per device by ``agg_time``, then across the devices of the area by ``agg_area``,
    like the hourly ones. An area whose devices sent nothing in the window gets no
    value (not a zero). Holds the aggregation lock, as :func:`device_indicator_values`.
    """
    if not instants:
        return []
    conn.execute(_LOCK)
    codes = list(indicator_codes) if indicator_codes is not None else None
    params = {"frequency": "realtime", "codes": codes, "instants": list(instants), "window": window}
    return list(conn.execute(_AGGREGATE.format(per_device=_PER_DEVICE_REALTIME), params))


def store_device_indicator_values(conn: psycopg.Connection,
                                  values: Sequence[tuple[str, str, datetime, float]]) -> AggregationResult:
    """Store computed area values: a new one inserted, a differing one replaced, an equal one left alone.

    New values go through the write path (rollups and latest values follow);
    replaced ones get their rollup buckets and latest values rebuilt.
    """
    if not values:
        return AggregationResult()
    conn.execute(_STAGE)
    with conn.cursor().copy("COPY _area_value (indicator_code, area_code, ts, value) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
    conn.execute("ANALYZE _area_value")  # a temporary table has no statistics otherwise
    conn.execute(_NEW_SERIES)
    differ = conn.execute(_DIFF).fetchall()
    conn.execute("TRUNCATE _area_value")  # now, not at commit: a second call in the transaction starts clean
    new = [(sid, ts, value) for sid, ts, value, stored in differ if not stored]
    replaced = [(sid, ts, value) for sid, ts, value, stored in differ if stored]
    write_rows(conn, new)
    if replaced:
        _replace(conn, replaced)
    series = len({row[0] for row in differ})
    logger.debug("aggregation: %d value(s), %d new, %d replaced, in %d series", len(values), len(new), len(replaced),
                 series)
    return AggregationResult(len(values), len(differ), series)


def _replace(conn: psycopg.Connection, rows: list[tuple[int, datetime, float]]) -> None:
    """Store new values at stored instants (late readings), then rebuild their rollups and latest values."""
    columns = {"ids": [r[0] for r in rows], "ts": [r[1] for r in rows], "values": [r[2] for r in rows]}
    conn.execute(_REPLACE, columns)
    for table, width in _ROLLUP_TABLES:
        conn.execute(_ROLLUP.format(table=table), {**columns, "width": width})
    conn.execute(_LATEST, (sorted(set(columns["ids"])),))
