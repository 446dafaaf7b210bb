"""Writing observations: the narrow (series_id, ts, value) time-series table.

:func:`write_rows` / :func:`write_readings` are the idempotent path used by
pull sources and the aggregation job: a redelivered reading is stored once, and
the latest value and the hourly/daily rollups are updated in the same
transaction from the rows that were really inserted. :func:`copy_new_rows` is
the batching writer's fast path for rows that are new in the usual case: it
raises on a stored row and the writer then redoes the whole transaction with
:func:`write_rows`. :func:`copy_observations` is the bare COPY used by history
backfills into empty time ranges.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import psycopg

from ioc.model import Reading
from ioc.storage.columns import ObservationColumns
from ioc.storage.series import resolve_series

__all__ = ["write_readings", "write_rows", "copy_new_rows", "copy_observations", "latest_values"]

# Staging tables of this session for the conflict-aware path (a rolled-back COPY leaves nothing).
_STAGE = "CREATE TEMP TABLE IF NOT EXISTS _obs_in (series_id bigint, ts timestamptz, value double precision)"

_INSERT_DEDUP = """
INSERT INTO observation (series_id, ts, value)
SELECT DISTINCT ON (series_id, ts) series_id, ts, value FROM _obs_in ORDER BY series_id, ts
ON CONFLICT (series_id, ts) DO NOTHING
RETURNING series_id, ts, value
"""

# Fold the per-(series, hour) aggregates of the rows really inserted into the hourly
# rollup, the daily rollup (from the hourly aggregates: far fewer rows) and
# latest_value, in one statement. ``last_ts`` lets increments merge in any order.
# Times arrive as microseconds since the Unix epoch, sorted by (series, hour): every
# table is upserted in key order, so two writers folding the same series wait for
# each other instead of deadlocking.
_FOLD = """
WITH agg AS MATERIALIZED (
    SELECT a.series_id, timestamptz 'epoch' + a.bucket_us * interval '1 microsecond' AS bucket,
           a.n, a.sum, a.min, a.max, a.last,
           timestamptz 'epoch' + a.last_us * interval '1 microsecond' AS last_ts
    FROM unnest(%(series_id)s::bigint[], %(bucket_us)s::bigint[], %(n)s::int[], %(sum)s::float8[],
                %(min)s::float8[], %(max)s::float8[], %(last)s::float8[], %(last_us)s::bigint[])
         AS a(series_id, bucket_us, n, sum, min, max, last, last_us)
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
    FROM agg GROUP BY 1, 2 ORDER BY 1, 2
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
SELECT 1
"""

_COPY_BINARY = "COPY {table} (series_id, ts, value) FROM STDIN (FORMAT BINARY)"


def _copy(conn: psycopg.Connection, table: str, columns: ObservationColumns) -> int:
    """Binary COPY of the columns into ``table`` (one write of a numpy-built stream)."""
    with conn.cursor().copy(_COPY_BINARY.format(table=table)) as copy:
        copy.write(columns.copy_payload())
    return len(columns)


def _fold(conn: psycopg.Connection, columns: ObservationColumns) -> None:
    conn.execute(_FOLD, columns.hourly().as_params())


def copy_new_rows(conn: psycopg.Connection, columns: ObservationColumns) -> int:
    """COPY rows that are new into ``observation`` and fold them into rollups and latest values.

    The fastest idempotent write, with no savepoint: a row that is stored already
    (a redelivered message) raises :class:`psycopg.errors.UniqueViolation` and
    aborts the caller's transaction. The caller then rolls back and writes the
    batch again with :func:`write_rows`, so nothing is counted twice.
    """
    if not len(columns):
        return 0
    _copy(conn, "observation", columns)
    _fold(conn, columns)
    return len(columns)


def write_rows(conn: psycopg.Connection, rows: Iterable[tuple[int, datetime, float]] | ObservationColumns) -> int:
    """Idempotently store (series_id, ts, value) rows; return how many were new.

    Latest values and the hourly/daily rollups are updated from the new rows only,
    in the caller's transaction. The batch is COPYed straight into ``observation``
    inside a savepoint — no row is stored yet in the usual case. A redelivered row
    (stored before, or twice in the batch) makes the COPY fail with a unique
    violation; the batch then goes through a staging table and ``INSERT ... ON
    CONFLICT DO NOTHING``, and only what was really inserted is folded.
    """
    columns = rows if isinstance(rows, ObservationColumns) else ObservationColumns.from_rows(rows)
    if not len(columns):
        return 0
    # An explicit savepoint: it joins the caller's transaction even when nothing ran on the
    # connection yet (conn.transaction() would then be a transaction of its own, committing
    # the rows before — and without — their rollups).
    conn.execute("SAVEPOINT ioc_copy")
    try:
        _copy(conn, "observation", columns)
        conn.execute("RELEASE SAVEPOINT ioc_copy")
    except psycopg.errors.UniqueViolation:
        conn.execute("ROLLBACK TO SAVEPOINT ioc_copy")
        conn.execute(_STAGE)
        _copy(conn, "_obs_in", columns)
        inserted = conn.execute(_INSERT_DEDUP).fetchall()
        # Emptied now, not only at commit: a second call in the same transaction starts clean.
        conn.execute("TRUNCATE _obs_in")
        if inserted:
            _fold(conn, ObservationColumns.from_rows(inserted))
        return len(inserted)
    _fold(conn, columns)
    return len(columns)


def write_readings(conn: psycopg.Connection, readings: Sequence[Reading]) -> int:
    """Idempotently store readings (creating their series); return how many were new."""
    if not readings:
        return 0
    ids = resolve_series(conn, (r.key for r in readings))
    return write_rows(conn, ((ids[r.key], r.ts, r.value) for r in readings))


def copy_observations(conn: psycopg.Connection, rows: Iterable[tuple[int, datetime, float]] | ObservationColumns) -> int:
    """Bare binary COPY into observation (no conflict handling): for backfills of empty ranges.

    Latest values and rollups are not touched: call
    :func:`ioc.storage.rollups.refresh_rollups` and
    :func:`ioc.storage.rollups.refresh_latest` afterwards.
    """
    columns = rows if isinstance(rows, ObservationColumns) else ObservationColumns.from_rows(rows)
    return _copy(conn, "observation", columns) if len(columns) else 0


def latest_values(conn: psycopg.Connection, series_ids: Sequence[int]) -> dict[int, tuple[datetime, float]]:
    """Latest (ts, value) of each given series that has one."""
    rows = conn.execute("SELECT series_id, ts, value FROM latest_value WHERE series_id = ANY(%s)", (list(series_ids),))
    return {sid: (ts, value) for sid, ts, value in rows}
