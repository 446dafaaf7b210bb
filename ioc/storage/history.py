"""What a backfill must not overwrite: the span of observations each series already has.

The history backfill writes with a bare COPY (no conflict handling), so before
writing it asks, per series, for the first and last observation inside the
window and generates only instants outside that span. Afterwards it sets the
latest values from what it wrote (:func:`merge_latest`) instead of rescanning
every series, and refreshes the planner's statistics between large chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg

__all__ = ["observed_spans", "count_observations", "analyze_observations", "merge_latest"]

# One index probe per series and end (the primary key is (series_id, ts)).
_SPANS = """
SELECT s.id,
       (SELECT min(o.ts) FROM observation o WHERE o.series_id = s.id AND o.ts >= %(since)s AND o.ts <= %(until)s),
       (SELECT max(o.ts) FROM observation o WHERE o.series_id = s.id AND o.ts >= %(since)s AND o.ts <= %(until)s)
FROM unnest(%(ids)s::bigint[]) AS s(id)
"""


def observed_spans(
    conn: psycopg.Connection, series_ids: Sequence[int], *, since: datetime, until: datetime
) -> dict[int, tuple[datetime, datetime]]:
    """(first, last) observation time in [since, until] of each given series that has any."""
    if not series_ids:
        return {}
    rows = conn.execute(_SPANS, {"ids": list(series_ids), "since": since, "until": until})
    return {sid: (first, last) for sid, first, last in rows if first is not None}


def count_observations(conn: psycopg.Connection, series_ids: Sequence[int] | None = None) -> int:
    """Number of observations, of the given series or of all."""
    row = conn.execute(
        "SELECT count(*) FROM observation WHERE %(ids)s::bigint[] IS NULL OR series_id = ANY(%(ids)s)",
        {"ids": list(series_ids) if series_ids is not None else None},
    ).fetchone()
    return int(row[0])


def analyze_observations(conn: psycopg.Connection) -> None:
    """Refresh the planner's statistics of the observation table (after a large COPY)."""
    conn.execute("ANALYZE observation")


# Like the write path: a newer value moves the older one to prev; an older one changes nothing.
_MERGE_LATEST = """
INSERT INTO latest_value AS l (series_id, ts, value, prev_ts, prev_value)
SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[], %s::timestamptz[], %s::float8[])
ON CONFLICT (series_id) DO UPDATE
   SET ts = EXCLUDED.ts, value = EXCLUDED.value,
       prev_ts = CASE WHEN l.ts < EXCLUDED.prev_ts OR EXCLUDED.prev_ts IS NULL THEN coalesce(EXCLUDED.prev_ts, l.ts)
                      ELSE l.ts END,
       prev_value = CASE WHEN l.ts < EXCLUDED.prev_ts OR EXCLUDED.prev_ts IS NULL THEN coalesce(EXCLUDED.prev_value, l.value)
                         ELSE l.value END
 WHERE EXCLUDED.ts > l.ts
"""


def merge_latest(
    conn: psycopg.Connection, rows: Sequence[tuple[int, datetime, float, datetime | None, float | None]]
) -> int:
    """Make (series, ts, value, prev_ts, prev_value) the latest value where it is newer than the stored one."""
    if not rows:
        return 0
    columns = [list(col) for col in zip(*rows)]
    return conn.execute(_MERGE_LATEST, columns).rowcount
