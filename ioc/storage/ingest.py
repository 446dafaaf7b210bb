"""Look-ups and bookkeeping for the ingest pipeline: known subjects and collector status.

The MQTT collector validates against in-memory copies of the device, indicator
and area registries (refreshed from here) and publishes its counters into
``source_status`` so the dashboard shows them beside the pull sources.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

__all__ = [
    "known_devices",
    "known_indicators",
    "known_areas",
    "record_collector_status",
    "purge_devices",
    "count_device_readings",
]


def known_devices(conn: psycopg.Connection) -> dict[str, str]:
    """Every registered device id with its kind."""
    return dict(conn.execute("SELECT id, kind FROM device").fetchall())


def known_indicators(conn: psycopg.Connection) -> dict[str, str]:
    """Every catalog indicator code with its unit."""
    return dict(conn.execute("SELECT code, unit FROM indicator").fetchall())


def known_areas(conn: psycopg.Connection) -> set[str]:
    """Every administrative area code."""
    return {row[0] for row in conn.execute("SELECT code FROM area")}


def record_collector_status(
    conn: psycopg.Connection, name: str, *, status: str, at: datetime, rows: int, details: dict[str, Any]
) -> None:
    """Upsert a streaming collector's row in source_status (kind ``mqtt``) with its counters."""
    conn.execute(
        """
        INSERT INTO source_status (name, kind, status, last_run, last_success, rows_taken, details)
        VALUES (%s, 'mqtt', %s, %s, %s, %s, %s)
        ON CONFLICT (name) DO UPDATE
           SET kind = 'mqtt', status = EXCLUDED.status, last_run = EXCLUDED.last_run,
               last_success = EXCLUDED.last_success, rows_taken = EXCLUDED.rows_taken,
               details = EXCLUDED.details
        """,
        (name, status, at, at, rows, Jsonb(details)),
    )


def purge_devices(conn: psycopg.Connection, device_ids: list[str]) -> int:
    """Delete devices with their series, observations, rollups, events (benchmarks and tests clean up)."""
    ids = [row[0] for row in conn.execute("SELECT id FROM series WHERE device_id = ANY(%s)", (device_ids,))]
    if ids:
        for table in ("observation", "rollup_hourly", "rollup_daily", "latest_value"):
            conn.execute(f"DELETE FROM {table} WHERE series_id = ANY(%s)", (ids,))
        conn.execute("DELETE FROM series WHERE id = ANY(%s)", (ids,))
    conn.execute("DELETE FROM event WHERE device_id = ANY(%s)", (device_ids,))
    return conn.execute("DELETE FROM device WHERE id = ANY(%s)", (device_ids,)).rowcount


def count_device_readings(conn: psycopg.Connection, device_ids: list[str]) -> tuple[int, float]:
    """Stored readings of the given devices: (count, sum of values)."""
    row = conn.execute(
        "SELECT count(*), coalesce(sum(o.value), 0) FROM observation o JOIN series s ON s.id = o.series_id"
        " WHERE s.device_id = ANY(%s)",
        (device_ids,),
    ).fetchone()
    return int(row[0]), float(row[1])
