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

Writing is idempotent: a value is inserted, replaced when it differs (late
readings), or left alone; the rollups and latest values of the changed series
follow in the same transaction. A period without readings gives no row.
Concurrent runs (several collectors each running the scheduler) queue on an
advisory lock instead of racing. The job that calls this every hour is
:mod:`collectors.aggregation`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import psycopg

from ioc.storage.rollups import refresh_rollups

__all__ = ["AGGREGATED_FREQUENCIES", "AggregationResult", "aggregate_device_indicators", "period_bounds"]

logger = logging.getLogger(__name__)

#: Frequencies of the device-fed indicators computed here (realtime ones are published as they come).
AGGREGATED_FREQUENCIES = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}

#: Period boundaries fall on Vietnam midnights (UTC+7, no daylight saving) and whole hours.
_ORIGIN = datetime(2000, 1, 3, tzinfo=timezone(timedelta(hours=7)))

_LOCK = "SELECT pg_advisory_xact_lock(hashtext('ioc.storage.aggregation'))"

# Per device over the period (agg_time), then across the devices of each area (agg_area).
_AGGREGATE = """
INSERT INTO _area_value (indicator_code, area_code, ts, value)
WITH RECURSIVE up (area_code, target) AS (
    SELECT code, code FROM area
    UNION ALL
    SELECT up.area_code, a.parent_code FROM up JOIN area a ON a.code = up.target WHERE a.parent_code IS NOT NULL
), fed AS MATERIALIZED (
    SELECT i.code, i.agg_time, s.id AS series_id, d.area_code
    FROM indicator i
    JOIN device d ON d.kind = i.device_kind AND d.area_code IS NOT NULL
    JOIN series s ON s.device_id = d.id AND s.metric = i.device_metric
    WHERE i.source = 'mqtt' AND i.frequency = %(frequency)s
      AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s))
), per_device AS (
    SELECT f.code, f.area_code, date_bin(%(width)s, h.bucket, %(origin)s) AS period, max(h.last_ts) AS last_ts,
           CASE f.agg_time WHEN 'sum' THEN sum(h.sum) WHEN 'max' THEN max(h.max) WHEN 'min' THEN min(h.min)
                WHEN 'last' THEN (array_agg(h.last ORDER BY h.last_ts DESC))[1]
                ELSE sum(h.sum) / sum(h.n) END AS value
    FROM fed f
    JOIN rollup_hourly h ON h.series_id = f.series_id AND h.bucket >= %(since)s AND h.bucket < %(until)s
    GROUP BY f.code, f.agg_time, f.series_id, f.area_code, 3
)
SELECT p.code, up.target, p.period,
       round(CASE i.agg_area WHEN 'sum' THEN sum(p.value) WHEN 'max' THEN max(p.value) WHEN 'min' THEN min(p.value)
                  WHEN 'last' THEN (array_agg(p.value ORDER BY p.last_ts DESC))[1]
                  ELSE avg(p.value) END::numeric, i.decimals)::float8
FROM per_device p
JOIN indicator i ON i.code = p.code
JOIN up ON up.area_code = p.area_code
JOIN area t ON t.code = up.target AND t.level = ANY (i.levels)
GROUP BY p.code, up.target, p.period, i.agg_area, i.decimals
"""

_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS _area_value (
    indicator_code text NOT NULL, area_code text NOT NULL, ts timestamptz NOT NULL, value double precision NOT NULL)
"""

_NEW_SERIES = """
INSERT INTO series (indicator_code, area_code)
SELECT DISTINCT indicator_code, area_code FROM _area_value
ON CONFLICT ON CONSTRAINT series_identity DO NOTHING
"""

# Inserted, or replaced when the value differs: an unchanged value is not written again.
_UPSERT = """
INSERT INTO observation AS o (series_id, ts, value)
SELECT s.id, v.ts, v.value
FROM _area_value v
JOIN series s ON s.indicator_code = v.indicator_code AND s.area_code = v.area_code
             AND s.device_id IS NULL AND s.metric IS NULL
ON CONFLICT (series_id, ts) DO UPDATE SET value = EXCLUDED.value WHERE o.value IS DISTINCT FROM EXCLUDED.value
RETURNING o.series_id
"""

# The last two stored values of each changed series, found by two probes of the primary key each.
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


def period_bounds(frequency: str, since: datetime, until: datetime) -> tuple[datetime, datetime] | None:
    """[first start, last end) of the whole periods of ``frequency`` that lie in [since, until), if any."""
    width = AGGREGATED_FREQUENCIES[frequency]
    first = _ORIGIN + -((_ORIGIN - since) // width) * width  # the first boundary at or after since
    last = _ORIGIN + ((until - _ORIGIN) // width) * width  # the last boundary at or before until
    return (first, last) if first < last else None


def aggregate_device_indicators(
    conn: psycopg.Connection,
    *,
    since: datetime,
    until: datetime,
    frequencies: Sequence[str] = tuple(AGGREGATED_FREQUENCIES),
    indicator_codes: Sequence[str] | None = None,
) -> AggregationResult:
    """Compute and store every device-fed area indicator value of the whole periods in [since, until).

    ``indicator_codes`` limits the work to those indicators (default: every
    ``mqtt`` indicator of the given frequencies). Runs in the caller's
    transaction; see the module doc for what is computed and how it is stored.
    """
    conn.execute(_LOCK)
    conn.execute(_STAGE)
    conn.execute("TRUNCATE _area_value")
    codes = list(indicator_codes) if indicator_codes is not None else None
    windows: dict[str, tuple[datetime, datetime]] = {}
    for frequency in frequencies:
        bounds = period_bounds(frequency, since, until)
        if bounds is None:
            continue
        windows[frequency] = bounds
        conn.execute(_AGGREGATE, {"frequency": frequency, "codes": codes, "width": AGGREGATED_FREQUENCIES[frequency],
                                  "origin": _ORIGIN, "since": bounds[0], "until": bounds[1]})
    values = conn.execute("SELECT count(*) FROM _area_value").fetchone()[0]
    if not values:
        return AggregationResult()
    conn.execute(_NEW_SERIES)
    changed = conn.execute(_UPSERT).fetchall()
    conn.execute("TRUNCATE _area_value")  # now, not at commit: a second call in the transaction starts clean
    if changed:
        ids = sorted({sid for (sid,) in changed})
        lo, hi = min(b[0] for b in windows.values()), max(b[1] for b in windows.values())
        refresh_rollups(conn, since=lo, until=hi - timedelta(microseconds=1), series_ids=ids)
        conn.execute(_LATEST, (ids,))
        logger.debug("aggregation: %d value(s), %d changed in %d series", values, len(changed), len(ids))
        return AggregationResult(values, len(changed), len(ids))
    return AggregationResult(values, 0, 0)
