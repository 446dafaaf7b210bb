"""The device registry: AI traffic cameras, air, water and noise sensors.

Devices are registered by the fleet loader (:func:`upsert_devices`); the MQTT
collector accepts readings only from known devices, marks them seen
(:func:`mark_seen`) and records their online/offline status (:func:`set_status`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

__all__ = [
    "Device",
    "DEVICE_STATUSES",
    "upsert_devices",
    "list_devices",
    "get_device",
    "device_kinds",
    "mark_seen",
    "set_status",
]

DEVICE_STATUSES = ("online", "offline", "unknown")

_COLUMNS = "id, kind, name, area_code, lon, lat, properties, status, last_seen"

_UPSERT = """
INSERT INTO device (id, kind, name, area_code, lon, lat, properties)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (id) DO UPDATE
   SET kind = EXCLUDED.kind, name = EXCLUDED.name, area_code = EXCLUDED.area_code,
       lon = EXCLUDED.lon, lat = EXCLUDED.lat, properties = EXCLUDED.properties
"""

# Only ever moves last_seen forward: a late, redelivered message never rewinds it.
_MARK_SEEN = """
UPDATE device AS d SET last_seen = s.ts
FROM (SELECT id, max(ts) AS ts FROM unnest(%s::text[], %s::timestamptz[]) AS u(id, ts) GROUP BY id) AS s
WHERE d.id = s.id AND (d.last_seen IS NULL OR d.last_seen < s.ts)
"""


@dataclass(frozen=True, slots=True)
class Device:
    """One registered device. ``status`` and ``last_seen`` are read-only (set by the collector)."""

    id: str
    kind: str
    name: str
    area_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
    status: str = "unknown"
    last_seen: datetime | None = None


def _device(row: tuple) -> Device:
    return Device(*row[:6], properties=row[6] or {}, status=row[7], last_seen=row[8])


def upsert_devices(conn: psycopg.Connection, devices: Iterable[Device]) -> int:
    """Insert or update devices by id (status and last_seen are kept); return how many were given."""
    rows = [(d.id, d.kind, d.name, d.area_code, d.lon, d.lat, Jsonb(dict(d.properties))) for d in devices]
    if rows:
        with conn.cursor() as cur:
            cur.executemany(_UPSERT, rows)
    return len(rows)


def list_devices(
    conn: psycopg.Connection, kind: str | None = None, area_code: str | None = None, *,
    sectors: Sequence[str] | None = None,
) -> list[Device]:
    """Devices, optionally of one kind and/or in one area, ordered by id.

    ``sectors`` (None = all) keeps devices whose kind feeds an indicator of those sectors
    (the catalog's ``device_kind``): cameras belong to transport, air sensors to environment...
    """
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM device"
        " WHERE (%(kind)s::text IS NULL OR kind = %(kind)s) AND (%(area)s::text IS NULL OR area_code = %(area)s)"
        " AND (%(sectors)s::text[] IS NULL OR EXISTS (SELECT 1 FROM indicator i"
        " WHERE i.device_kind = device.kind AND i.sector_code = ANY(%(sectors)s)))"
        " ORDER BY id",
        {"kind": kind, "area": area_code, "sectors": list(sectors) if sectors is not None else None},
    )
    return [_device(row) for row in rows]


def get_device(conn: psycopg.Connection, device_id: str) -> Device | None:
    """One device by id, or None when it is not registered."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM device WHERE id = %s", (device_id,)).fetchone()
    return _device(row) if row else None


def device_kinds(conn: psycopg.Connection) -> dict[str, str]:
    """Map of every registered device id to its kind (the collector's validation cache)."""
    return dict(conn.execute("SELECT id, kind FROM device").fetchall())


def mark_seen(conn: psycopg.Connection, ids_with_ts: Iterable[tuple[str, datetime]]) -> int:
    """Move ``last_seen`` of the given devices forward to the given times; return rows changed."""
    pairs = list(ids_with_ts)
    if not pairs:
        return 0
    cur = conn.execute(_MARK_SEEN, ([p[0] for p in pairs], [p[1] for p in pairs]))
    return cur.rowcount


def set_status(conn: psycopg.Connection, device_id: str, status: str, ts: datetime | None = None) -> bool:
    """Set a device's status (online, offline, unknown); return False when the device is unknown."""
    if status not in DEVICE_STATUSES:
        raise ValueError(f"device status must be one of {', '.join(DEVICE_STATUSES)} (got {status!r})")
    cur = conn.execute(
        "UPDATE device SET status = %s,"
        " last_seen = CASE WHEN %s = 'online' AND (last_seen IS NULL OR last_seen < %s) THEN %s ELSE last_seen END"
        " WHERE id = %s",
        (status, status, ts, ts, device_id),
    )
    return cur.rowcount == 1
