"""Upkeep SQL: retention of raw observations on plain PostgreSQL, and staleness flags.

Rollup upkeep itself is :func:`ioc.storage.rollups.refresh_rollups`; the jobs
that call these functions on a schedule are in :mod:`collectors.maintenance`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import psycopg

__all__ = ["EXPECTED_PERIOD", "apply_retention", "mark_stale", "stale_series"]

#: How often a value is expected for each indicator frequency.
EXPECTED_PERIOD: Mapping[str, timedelta] = {
    "realtime": timedelta(minutes=15),
    "hourly": timedelta(hours=1),
    "daily": timedelta(days=1),
    "weekly": timedelta(weeks=1),
    "monthly": timedelta(days=31),
    "quarterly": timedelta(days=92),
    "yearly": timedelta(days=366),
}


def apply_retention(conn: psycopg.Connection, retention_days: int, *, now: datetime) -> int:
    """Delete raw observations older than ``retention_days``; return how many went.

    For plain PostgreSQL only: with TimescaleDB the retention policy drops whole
    chunks instead. Rollups are kept (they are what long charts read).
    """
    cur = conn.execute("DELETE FROM observation WHERE ts < %s", (now - timedelta(days=retention_days),))
    return cur.rowcount


def mark_stale(conn: psycopg.Connection, *, now: datetime, periods: float = 2) -> tuple[list[int], list[int]]:
    """Flag indicator series with no value for ``periods`` expected periods; clear the others.

    Returns (series newly stale, series no longer stale). A newer value clears
    the flag at once by trigger; this also clears series whose period changed.
    """
    frequencies = list(EXPECTED_PERIOD)
    seconds = [EXPECTED_PERIOD[f].total_seconds() * periods for f in frequencies]
    params = {"freq": frequencies, "secs": seconds, "now": now}
    newly = conn.execute(
        """
        UPDATE latest_value l SET stale = true, stale_since = %(now)s
          FROM series s
          JOIN indicator i ON i.code = s.indicator_code
          JOIN unnest(%(freq)s::text[], %(secs)s::float8[]) AS p(frequency, secs) ON p.frequency = i.frequency
         WHERE l.series_id = s.id AND NOT l.stale AND s.device_id IS NULL
           AND l.ts < %(now)s - make_interval(secs => p.secs)
        RETURNING l.series_id
        """,
        params,
    ).fetchall()
    cleared = conn.execute(
        """
        UPDATE latest_value l SET stale = false, stale_since = NULL
          FROM series s
          JOIN indicator i ON i.code = s.indicator_code
          JOIN unnest(%(freq)s::text[], %(secs)s::float8[]) AS p(frequency, secs) ON p.frequency = i.frequency
         WHERE l.series_id = s.id AND l.stale
           AND l.ts >= %(now)s - make_interval(secs => p.secs)
        RETURNING l.series_id
        """,
        params,
    ).fetchall()
    return [r[0] for r in newly], [r[0] for r in cleared]


def stale_series(conn: psycopg.Connection) -> list[int]:
    """Ids of the series currently flagged stale."""
    return [r[0] for r in conn.execute("SELECT series_id FROM latest_value WHERE stale ORDER BY series_id")]
