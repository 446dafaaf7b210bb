"""What the alert evaluator reads: latest values with thresholds, quiet devices, new incidents.

Each query returns small frozen records with the names (vi/en) needed to write
an alert message, so the rules never touch the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row

__all__ = [
    "SeriesSnapshot",
    "DeviceSnapshot",
    "IncidentEvent",
    "series_snapshots",
    "quiet_devices",
    "incident_events_after",
    "get_cursor",
    "set_cursor",
]


@dataclass(frozen=True)
class SeriesSnapshot:
    """The latest value of one indicator series, with its indicator's thresholds and names."""

    series_id: int
    indicator_code: str
    area_code: str | None
    metric: str | None
    name_vi: str
    name_en: str
    area_vi: str | None
    area_en: str | None
    unit: str
    decimals: int
    direction: str
    frequency: str
    warning: float | None
    critical: float | None
    ts: datetime
    value: float
    prev_ts: datetime | None = None
    prev_value: float | None = None
    stale: bool = False
    stale_since: datetime | None = None


@dataclass(frozen=True)
class DeviceSnapshot:
    """A device and when it was last heard from."""

    id: str
    kind: str
    name: str
    area_code: str | None
    area_vi: str | None
    last_seen: datetime | None
    status: str = "unknown"


@dataclass(frozen=True)
class IncidentEvent:
    """One stored event that may open an incident alert."""

    id: int
    ts: datetime
    kind: str
    severity: str
    device_id: str | None
    device_name: str | None
    area_code: str | None
    area_vi: str | None
    details: dict[str, Any] = field(default_factory=dict)


def series_snapshots(
    conn: psycopg.Connection, *, rate_codes: Sequence[str] = (), series_ids: Sequence[int] | None = None,
    max_depth: int | None = None,
) -> list[SeriesSnapshot]:
    """Indicator series worth evaluating: with a threshold, a rate-of-change limit, or stale.

    ``max_depth`` keeps only areas that deep in the hierarchy (0 = the province).
    """
    cur = conn.cursor(row_factory=class_row(SeriesSnapshot))
    return cur.execute(
        """
        SELECT s.id AS series_id, s.indicator_code, s.area_code, s.metric, i.name_vi, i.name_en,
               a.name_vi AS area_vi, coalesce(a.name_en, a.name_vi) AS area_en, i.unit, i.decimals,
               i.direction, i.frequency, i.warning, i.critical,
               l.ts, l.value, l.prev_ts, l.prev_value, l.stale, l.stale_since
        FROM latest_value l
        JOIN series s ON s.id = l.series_id
        JOIN indicator i ON i.code = s.indicator_code
        LEFT JOIN area a ON a.code = s.area_code
        WHERE (i.warning IS NOT NULL OR i.critical IS NOT NULL OR i.code = ANY(%(rate)s) OR l.stale)
          AND (%(ids)s::bigint[] IS NULL OR s.id = ANY(%(ids)s))
          AND (%(depth)s::int IS NULL OR a.depth IS NULL OR a.depth <= %(depth)s)
        ORDER BY s.id
        """,
        {"rate": list(rate_codes), "ids": list(series_ids) if series_ids is not None else None,
         "depth": max_depth},
    ).fetchall()


def quiet_devices(conn: psycopg.Connection, *, seen_before: datetime) -> list[DeviceSnapshot]:
    """Devices that said they went offline, or were heard from once but not since ``seen_before``."""
    cur = conn.cursor(row_factory=class_row(DeviceSnapshot))
    return cur.execute(
        """
        SELECT d.id, d.kind, d.name, d.area_code, a.name_vi AS area_vi, d.last_seen, d.status
        FROM device d LEFT JOIN area a ON a.code = d.area_code
        WHERE d.status = 'offline' OR (d.last_seen IS NOT NULL AND d.last_seen < %s)
        ORDER BY d.id
        """,
        (seen_before,),
    ).fetchall()


def incident_events_after(
    conn: psycopg.Connection,
    position: int,
    *,
    kinds: Sequence[str],
    since: datetime | None = None,
    limit: int = 1000,
) -> list[IncidentEvent]:
    """Events of the given kinds stored after event id ``position`` (and at or after ``since``), oldest first."""
    cur = conn.cursor(row_factory=class_row(IncidentEvent))
    return cur.execute(
        """
        SELECT e.id, e.ts, e.kind, e.severity, e.device_id, d.name AS device_name,
               coalesce(e.area_code, d.area_code) AS area_code, a.name_vi AS area_vi, e.details
        FROM event e
        LEFT JOIN device d ON d.id = e.device_id
        LEFT JOIN area a ON a.code = coalesce(e.area_code, d.area_code)
        WHERE e.id > %(pos)s AND e.kind = ANY(%(kinds)s)
          AND (%(since)s::timestamptz IS NULL OR e.ts >= %(since)s)
        ORDER BY e.id LIMIT %(limit)s
        """,
        {"pos": position, "kinds": list(kinds), "since": since, "limit": limit},
    ).fetchall()


def get_cursor(conn: psycopg.Connection, name: str) -> int:
    """Where the named incremental scan stopped (0 before the first run)."""
    row = conn.execute("SELECT position FROM alert_cursor WHERE name = %s", (name,)).fetchone()
    return row[0] if row else 0


def set_cursor(conn: psycopg.Connection, name: str, position: int) -> None:
    """Remember where the named incremental scan stopped."""
    conn.execute(
        "INSERT INTO alert_cursor (name, position) VALUES (%s, %s)"
        " ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()",
        (name, position),
    )
