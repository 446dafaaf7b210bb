"""Hourly and daily rollups recomputed from raw observations.

The write path keeps rollups current incrementally; these functions rebuild a
time range from scratch, for backfills and for the scheduled upkeep job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg

__all__ = ["refresh_rollups", "refresh_latest"]

_TABLES = {"rollup_hourly": "1 hour", "rollup_daily": "1 day"}


def refresh_rollups(
    conn: psycopg.Connection,
    *,
    since: datetime,
    until: datetime,
    series_ids: Sequence[int] | None = None,
) -> int:
    """Rebuild hourly and daily rollups for buckets overlapping [since, until); return rows written."""
    written = 0
    # No "(%s IS NULL OR series_id = ANY(%s))": once psycopg prepares the statement (its fifth run on
    # a connection), PostgreSQL may switch to a generic plan that cannot use the series condition on
    # the index and compares every row of the time range with the whole id list (minutes, not seconds).
    ids = list(series_ids) if series_ids is not None else None
    only = " AND series_id = ANY(%s)" if ids is not None else ""
    extra = (ids,) if ids is not None else ()
    for table, width in _TABLES.items():
        # Widen to whole buckets so partial buckets are recomputed completely.
        lo, hi = conn.execute(
            "SELECT time_bucket(%s::interval, %s::timestamptz), time_bucket(%s::interval, %s::timestamptz) + %s::interval",
            (width, since, width, until, width),
        ).fetchone()
        conn.execute(f"DELETE FROM {table} WHERE bucket >= %s AND bucket < %s{only}", (lo, hi, *extra))
        cur = conn.execute(
            f"""
            INSERT INTO {table} (series_id, bucket, n, sum, min, max, last, last_ts)
            SELECT series_id, time_bucket(%s::interval, ts), count(*), sum(value), min(value), max(value),
                   (array_agg(value ORDER BY ts DESC))[1], max(ts)
            FROM observation
            WHERE ts >= %s AND ts < %s{only}
            GROUP BY 1, 2
            """,
            (width, lo, hi, *extra),
        )
        written += cur.rowcount
    return written


def refresh_latest(conn: psycopg.Connection, *, series_ids: Sequence[int] | None = None) -> int:
    """Recompute latest_value (and the value before it) from raw observations."""
    ids = list(series_ids) if series_ids is not None else None
    cur = conn.execute(
        """
        INSERT INTO latest_value AS l (series_id, ts, value, prev_ts, prev_value)
        SELECT series_id, ts, value, prev_ts, prev_value FROM (
            SELECT series_id, ts, value,
                   lag(ts) OVER w AS prev_ts, lag(value) OVER w AS prev_value,
                   row_number() OVER (PARTITION BY series_id ORDER BY ts DESC) AS rn
            FROM (
                SELECT o.series_id, o.ts, o.value,
                       row_number() OVER (PARTITION BY o.series_id ORDER BY o.ts DESC) AS k
                FROM observation o
                WHERE %s::bigint[] IS NULL OR o.series_id = ANY(%s)
            ) last_two
            WHERE k <= 2
            WINDOW w AS (PARTITION BY series_id ORDER BY ts)
        ) ranked
        WHERE rn = 1
        ON CONFLICT (series_id) DO UPDATE
           SET ts = EXCLUDED.ts, value = EXCLUDED.value,
               prev_ts = EXCLUDED.prev_ts, prev_value = EXCLUDED.prev_value
        """,
        (ids, ids),
    )
    return cur.rowcount
