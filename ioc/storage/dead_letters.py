"""Dead letters: every payload the collectors refused, with topic, payload, reason and time.

Nothing refused is silently lost: operators list the dead letters on the
dashboard, fix the sender, and can replay the stored payload.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import psycopg

__all__ = ["DeadLetter", "add_dead_letters", "list_dead_letters", "count_dead_letters"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One refused payload. ``id`` is set only on rows read back from the database."""

    topic: str | None
    payload: bytes
    reason: str
    received_at: datetime = field(default_factory=_now)
    source: str = "mqtt"
    id: int | None = None


def add_dead_letters(conn: psycopg.Connection, items: Iterable[DeadLetter]) -> int:
    """Store refused payloads; return how many were stored."""
    rows = [(d.received_at, d.source, d.topic, d.payload, d.reason) for d in items]
    if rows:
        with conn.cursor().copy("COPY dead_letter (received_at, source, topic, payload, reason) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


def list_dead_letters(
    conn: psycopg.Connection, limit: int = 100, *, source: str | None = None, topic_prefix: str | None = None
) -> list[DeadLetter]:
    """The most recent dead letters first, optionally of one source or under one topic prefix."""
    rows = conn.execute(
        "SELECT topic, payload, reason, received_at, source, id FROM dead_letter"
        " WHERE (%(source)s::text IS NULL OR source = %(source)s)"
        "   AND (%(prefix)s::text IS NULL OR starts_with(topic, %(prefix)s))"
        " ORDER BY received_at DESC, id DESC LIMIT %(limit)s",
        {"source": source, "prefix": topic_prefix, "limit": limit},
    )
    return [DeadLetter(t, bytes(p) if p is not None else b"", r, at, s, i) for t, p, r, at, s, i in rows]


def count_dead_letters(
    conn: psycopg.Connection, *, since: datetime | None = None, topic_prefix: str | None = None
) -> int:
    """How many dead letters were stored (since a time, under a topic prefix)."""
    row = conn.execute(
        "SELECT count(*) FROM dead_letter"
        " WHERE (%(since)s::timestamptz IS NULL OR received_at >= %(since)s)"
        "   AND (%(prefix)s::text IS NULL OR starts_with(topic, %(prefix)s))",
        {"since": since, "prefix": topic_prefix},
    ).fetchone()
    return row[0]
