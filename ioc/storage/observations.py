"""Writing observations: the narrow (series_id, ts, value) time-series table.

:func:`write_readings` is the idempotent path used by the batching writer and
pull sources: a redelivered reading is stored once, and the latest value and
the hourly/daily rollups are updated in the same transaction from the rows that
were really inserted. :func:`copy_observations` is the bare COPY used by
history backfills into empty time ranges.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import psycopg

from ioc.model import Reading
from ioc.storage.series import resolve_series

__all__ = ["write_readings", "write_rows", "copy_observations", "latest_values"]

_STAGE = "CREATE TEMP TABLE IF NOT EXISTS _obs_in (series_id bigint, ts timestamptz, value double precision) ON COMMIT DELETE ROWS"

# One statement: insert new rows, then fold exactly those rows into latest_value
# and the rollups (data-modifying CTEs share one snapshot).
_MERGE = """
WITH ins AS (
    INSERT INTO observation (series_id, ts, value)
    SELECT DISTINCT ON (series_id, ts) series_id, ts, value FROM _obs_in ORDER BY series_id, ts
    ON CONFLICT (series_id, ts) DO NOTHING
    RETURNING series_id, ts, value
), latest AS (
    INSERT INTO latest_value AS l (series_id, ts, value)
    SELECT DISTINCT ON (series_id) series_id, ts, value FROM ins ORDER BY series_id, ts DESC
    ON CONFLICT (series_id) DO UPDATE
       SET prev_ts = l.ts, prev_value = l.value, ts = EXCLUDED.ts, value = EXCLUDED.value
     WHERE EXCLUDED.ts > l.ts
), hourly AS (
    INSERT INTO rollup_hourly AS r (series_id, bucket, n, sum, min, max, last, last_ts)
    SELECT series_id, time_bucket('1 hour', ts), count(*), sum(value), min(value), max(value),
           (array_agg(value ORDER BY ts DESC))[1], max(ts)
    FROM ins GROUP BY 1, 2
    ON CONFLICT (series_id, bucket) DO UPDATE
       SET n = r.n + EXCLUDED.n, sum = r.sum + EXCLUDED.sum,
           min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max),
           last = CASE WHEN EXCLUDED.last_ts >= r.last_ts THEN EXCLUDED.last ELSE r.last END,
           last_ts = greatest(r.last_ts, EXCLUDED.last_ts)
), daily AS (
    INSERT INTO rollup_daily AS r (series_id, bucket, n, sum, min, max, last, last_ts)
    SELECT series_id, time_bucket('1 day', ts), count(*), sum(value), min(value), max(value),
           (array_agg(value ORDER BY ts DESC))[1], max(ts)
    FROM ins GROUP BY 1, 2
    ON CONFLICT (series_id, bucket) DO UPDATE
       SET n = r.n + EXCLUDED.n, sum = r.sum + EXCLUDED.sum,
           min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max),
           last = CASE WHEN EXCLUDED.last_ts >= r.last_ts THEN EXCLUDED.last ELSE r.last END,
           last_ts = greatest(r.last_ts, EXCLUDED.last_ts)
)
SELECT count(*) FROM ins
"""


def write_rows(conn: psycopg.Connection, rows: Iterable[tuple[int, datetime, float]]) -> int:
    """Idempotently store (series_id, ts, value) rows; return how many were new."""
    conn.execute(_STAGE)
    with conn.cursor().copy("COPY _obs_in (series_id, ts, value) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    inserted = conn.execute(_MERGE).fetchone()[0]
    conn.execute("TRUNCATE _obs_in")
    return inserted


def write_readings(conn: psycopg.Connection, readings: Sequence[Reading]) -> int:
    """Idempotently store readings (creating their series); return how many were new."""
    if not readings:
        return 0
    ids = resolve_series(conn, (r.key for r in readings))
    return write_rows(conn, ((ids[r.key], r.ts, r.value) for r in readings))


def copy_observations(conn: psycopg.Connection, rows: Iterable[tuple[int, datetime, float]]) -> int:
    """Bare COPY into observation (no conflict handling): for backfills of empty ranges.

    Latest values and rollups are not touched: call
    :func:`ioc.storage.rollups.refresh_rollups` and
    :func:`ioc.storage.rollups.refresh_latest` afterwards.
    """
    count = 0
    with conn.cursor().copy("COPY observation (series_id, ts, value) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def latest_values(conn: psycopg.Connection, series_ids: Sequence[int]) -> dict[int, tuple[datetime, float]]:
    """Latest (ts, value) of each given series that has one."""
    rows = conn.execute("SELECT series_id, ts, value FROM latest_value WHERE series_id = ANY(%s)", (list(series_ids),))
    return {sid: (ts, value) for sid, ts, value in rows}
