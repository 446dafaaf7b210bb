"""Writing observations: the narrow (series_id, ts, value) time-series table.

:func:`write_readings` is the idempotent path used by the batching writer and
pull sources: a redelivered reading is stored once, and the latest value and
the hourly/daily rollups are updated in the same transaction from the rows that
were really inserted. :func:`copy_observations` is the bare COPY used by
history backfills into empty time ranges.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

import psycopg

from ioc.model import Reading
from ioc.storage.series import resolve_series

__all__ = ["write_readings", "write_rows", "copy_observations", "latest_values"]

# Staging tables of this session, emptied by write_rows itself (a rolled-back COPY leaves nothing).
_STAGE = "CREATE TEMP TABLE IF NOT EXISTS _obs_in (series_id bigint, ts timestamptz, value double precision)"
_STAGE_NEW = "CREATE TEMP TABLE IF NOT EXISTS _obs_new (LIKE _obs_in)"

# Fast path: no row of the batch is stored yet (the usual case), so a plain INSERT
# succeeds; a redelivered row makes it fail with a unique violation and the
# batch takes the conflict-aware path below instead.
_INSERT_NEW = "INSERT INTO observation (series_id, ts, value) SELECT series_id, ts, value FROM _obs_in"

_INSERT_DEDUP = """
WITH ins AS (
    INSERT INTO observation (series_id, ts, value)
    SELECT DISTINCT ON (series_id, ts) series_id, ts, value FROM _obs_in ORDER BY series_id, ts
    ON CONFLICT (series_id, ts) DO NOTHING
    RETURNING series_id, ts, value
)
INSERT INTO _obs_new SELECT * FROM ins
"""

# Fold the rows really inserted (``{source}``) into the hourly rollup, the daily
# rollup (from the hourly aggregate: far fewer rows) and latest_value, in one
# statement. ``last_ts`` lets increments merge in any order.
_FOLD = """
WITH agg AS MATERIALIZED (
    SELECT series_id, time_bucket('1 hour', ts) AS bucket, count(*)::int AS n, sum(value) AS sum,
           min(value) AS min, max(value) AS max, (array_agg(value ORDER BY ts DESC))[1] AS last,
           max(ts) AS last_ts
    FROM {source} GROUP BY 1, 2
), hourly AS (
    INSERT INTO rollup_hourly AS r (series_id, bucket, n, sum, min, max, last, last_ts)
    SELECT * FROM agg
    ON CONFLICT (series_id, bucket) DO UPDATE
       SET n = r.n + EXCLUDED.n, sum = r.sum + EXCLUDED.sum,
           min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max),
           last = CASE WHEN EXCLUDED.last_ts >= r.last_ts THEN EXCLUDED.last ELSE r.last END,
           last_ts = greatest(r.last_ts, EXCLUDED.last_ts)
), daily AS (
    INSERT INTO rollup_daily AS r (series_id, bucket, n, sum, min, max, last, last_ts)
    SELECT series_id, time_bucket('1 day', bucket), sum(n), sum(sum), min(min), max(max),
           (array_agg(last ORDER BY last_ts DESC))[1], max(last_ts)
    FROM agg GROUP BY 1, 2
    ON CONFLICT (series_id, bucket) DO UPDATE
       SET n = r.n + EXCLUDED.n, sum = r.sum + EXCLUDED.sum,
           min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max),
           last = CASE WHEN EXCLUDED.last_ts >= r.last_ts THEN EXCLUDED.last ELSE r.last END,
           last_ts = greatest(r.last_ts, EXCLUDED.last_ts)
), latest AS (
    INSERT INTO latest_value AS l (series_id, ts, value)
    SELECT DISTINCT ON (series_id) series_id, last_ts, last FROM agg ORDER BY series_id, last_ts DESC
    ON CONFLICT (series_id) DO UPDATE
       SET prev_ts = l.ts, prev_value = l.value, ts = EXCLUDED.ts, value = EXCLUDED.value
     WHERE EXCLUDED.ts > l.ts
)
SELECT coalesce(sum(n), 0) FROM agg
"""
_FOLD_ALL = _FOLD.format(source="_obs_in")
_FOLD_NEW = _FOLD.format(source="_obs_new")

_COPY_BINARY = "COPY {table} (series_id, ts, value) FROM STDIN (FORMAT BINARY)"
_TYPES = ("int8", "timestamptz", "float8")


def _copy(conn: psycopg.Connection, table: str, rows: Iterable[tuple[int, datetime, float]]) -> int:
    """Binary COPY of (series_id, ts, value) rows into ``table``; return the row count."""
    count = 0
    with conn.cursor().copy(_COPY_BINARY.format(table=table)) as copy:
        copy.set_types(_TYPES)
        write = copy.write_row
        for row in rows:
            if row[1].tzinfo is None:  # naive times are taken as UTC
                row = (row[0], row[1].replace(tzinfo=timezone.utc), row[2])
            write(row)  # the float8 dumper takes ints too
            count += 1
    return count


def write_rows(conn: psycopg.Connection, rows: Iterable[tuple[int, datetime, float]]) -> int:
    """Idempotently store (series_id, ts, value) rows; return how many were new.

    Latest values and the hourly/daily rollups are updated from the new rows only,
    in the same transaction.
    """
    conn.execute(_STAGE)
    if not _copy(conn, "_obs_in", rows):
        return 0
    try:
        with conn.transaction():
            conn.execute(_INSERT_NEW)
        inserted = int(conn.execute(_FOLD_ALL).fetchone()[0])
    except psycopg.errors.UniqueViolation:
        conn.execute(_STAGE_NEW)
        conn.execute(_INSERT_DEDUP)
        inserted = int(conn.execute(_FOLD_NEW).fetchone()[0])
        conn.execute("TRUNCATE _obs_new")
    # Emptied now, not only at commit: a second call in the same transaction starts clean.
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
