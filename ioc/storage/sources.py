"""Status of the scheduled pull sources: last run, last success, last error, next run, rows.

The scheduler records every run here (one row per source in ``source_status``);
the CLI and the dashboard read it with :func:`list_sources`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

__all__ = [
    "SourceStatus",
    "register_source",
    "record_run_start",
    "record_success",
    "record_failure",
    "set_next_run",
    "list_sources",
    "get_source",
    "reference_codes",
]

_COLUMNS = (
    "name, kind, status, schedule, last_run, last_success, last_error, last_error_at, "
    "next_run, rows_taken, last_duration, failures, runs, details"
)


@dataclass(frozen=True)
class SourceStatus:
    """One pull source as last seen by the scheduler."""

    name: str
    kind: str
    status: str  # idle, running, ok, error
    schedule: str | None = None
    last_run: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    next_run: datetime | None = None
    rows_taken: int = 0  # rows written by the last successful run
    last_duration: float | None = None
    failures: int = 0  # consecutive failed runs
    runs: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def register_source(conn: psycopg.Connection, name: str, *, kind: str, schedule: str, next_run: datetime | None) -> None:
    """Create or refresh the status row of a configured source (its history is kept)."""
    conn.execute(
        """
        INSERT INTO source_status (name, kind, schedule, next_run) VALUES (%s, %s, %s, %s)
        ON CONFLICT (name) DO UPDATE
           SET kind = EXCLUDED.kind, schedule = EXCLUDED.schedule, next_run = EXCLUDED.next_run,
               status = CASE WHEN source_status.status = 'running' THEN 'idle' ELSE source_status.status END
        """,
        (name, kind, schedule, next_run),
    )


def record_run_start(conn: psycopg.Connection, name: str, *, at: datetime) -> None:
    """Mark a source as running since ``at``."""
    conn.execute("UPDATE source_status SET status = 'running', last_run = %s WHERE name = %s", (at, name))


def record_success(
    conn: psycopg.Connection,
    name: str,
    *,
    at: datetime,
    rows: int,
    duration: float,
    next_run: datetime | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record a successful run: ``rows`` written, how long it took, and what it noted."""
    conn.execute(
        """
        UPDATE source_status
           SET status = 'ok', last_success = %s, rows_taken = %s, last_duration = %s, next_run = %s,
               failures = 0, runs = runs + 1,
               details = details || %s || jsonb_build_object(
                   'total_rows', coalesce((details ->> 'total_rows')::bigint, 0) + %s)
         WHERE name = %s
        """,
        (at, rows, duration, next_run, Jsonb(details or {}), rows, name),
    )


def record_failure(
    conn: psycopg.Connection,
    name: str,
    *,
    at: datetime,
    error: str,
    duration: float,
    next_run: datetime | None,
) -> None:
    """Record a failed run with its error message (the last success is kept)."""
    conn.execute(
        """
        UPDATE source_status
           SET status = 'error', last_error = %s, last_error_at = %s, last_duration = %s, next_run = %s,
               failures = failures + 1, runs = runs + 1
         WHERE name = %s
        """,
        (error, at, duration, next_run, name),
    )


def set_next_run(conn: psycopg.Connection, name: str, next_run: datetime | None) -> None:
    """Store when the scheduler will run the source next."""
    conn.execute("UPDATE source_status SET next_run = %s WHERE name = %s", (next_run, name))


def list_sources(conn: psycopg.Connection) -> list[SourceStatus]:
    """Every known source, by name."""
    cur = conn.cursor(row_factory=class_row(SourceStatus))
    return cur.execute(f"SELECT {_COLUMNS} FROM source_status ORDER BY name").fetchall()


def get_source(conn: psycopg.Connection, name: str) -> SourceStatus | None:
    """One source's status, or None when it never ran."""
    cur = conn.cursor(row_factory=class_row(SourceStatus))
    return cur.execute(f"SELECT {_COLUMNS} FROM source_status WHERE name = %s", (name,)).fetchone()


def reference_codes(conn: psycopg.Connection) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Codes a pull source may write: (indicators, areas, departments)."""
    indicators = frozenset(r[0] for r in conn.execute("SELECT code FROM indicator"))
    areas = frozenset(r[0] for r in conn.execute("SELECT code FROM area"))
    departments = frozenset(r[0] for r in conn.execute("SELECT code FROM department"))
    return indicators, areas, departments
