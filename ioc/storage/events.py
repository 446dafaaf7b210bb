"""Discrete device events (camera incidents, flood alarms ...), stored once each.

An event is identified by (device, ts, kind): a redelivered MQTT message adds
nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import psycopg
from psycopg.types.json import Jsonb

from ioc.model import Event

__all__ = ["write_events", "list_recent_events"]

_INSERT = """
INSERT INTO event (ts, device_id, area_code, kind, severity, details)
SELECT * FROM unnest(%s::timestamptz[], %s::text[], %s::text[], %s::text[], %s::text[], %s::jsonb[])
ON CONFLICT ON CONSTRAINT event_identity DO NOTHING
"""

# A device's area is filled in from the device registry when the payload has none.
_FILL_AREA = """
UPDATE event e SET area_code = d.area_code FROM device d
WHERE e.id = ANY(%s) AND e.area_code IS NULL AND e.device_id = d.id
"""


def write_events(conn: psycopg.Connection, events: Iterable[Event]) -> int:
    """Store events idempotently on (device, ts, kind); return how many were new."""
    items = list(events)
    if not items:
        return 0
    cur = conn.execute(
        _INSERT + " RETURNING id",
        (
            [e.ts for e in items],
            [e.device_id for e in items],
            [e.area_code for e in items],
            [e.kind for e in items],
            [e.severity for e in items],
            [Jsonb(e.details) for e in items],
        ),
    )
    ids = [row[0] for row in cur.fetchall()]
    if ids:
        conn.execute(_FILL_AREA, (ids,))
    return len(ids)


def list_recent_events(
    conn: psycopg.Connection,
    limit: int = 50,
    *,
    since: datetime | None = None,
    device_id: str | None = None,
    kind: str | None = None,
) -> list[Event]:
    """The most recent events first, optionally since a time, of one device or one kind."""
    rows = conn.execute(
        "SELECT ts, kind, device_id, area_code, severity, details FROM event"
        " WHERE (%(since)s::timestamptz IS NULL OR ts >= %(since)s)"
        "   AND (%(device)s::text IS NULL OR device_id = %(device)s)"
        "   AND (%(kind)s::text IS NULL OR kind = %(kind)s)"
        " ORDER BY ts DESC, id DESC LIMIT %(limit)s",
        {"since": since, "device": device_id, "kind": kind, "limit": limit},
    )
    return [Event(ts, k, d, a, s, details) for ts, k, d, a, s, details in rows]
