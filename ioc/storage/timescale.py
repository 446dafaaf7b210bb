"""The thin TimescaleDB / plain-PostgreSQL switch.

With the ``timescaledb`` extension available, the big tables become hypertables
with compression and retention policies. Without it the same queries run: a
``time_bucket(interval, timestamptz)`` shim over ``date_bin`` is created, and
retention is a scheduled DELETE (:func:`ioc.storage.maintenance.apply_retention`).

Only :func:`apply_timescale_features` differs between the two paths. It is
verified on plain PostgreSQL only in this repository's CI (see README).
"""

from __future__ import annotations

import logging

import psycopg

__all__ = ["extension_available", "enable_extension", "apply_timescale_features", "install_time_bucket_shim"]

logger = logging.getLogger(__name__)

# Same origin as TimescaleDB's default for time_bucket (a Monday), so weekly
# buckets agree on both paths.
_SHIM = """
CREATE OR REPLACE FUNCTION time_bucket(bucket_width interval, ts timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT date_bin(bucket_width, ts, timestamptz '2000-01-03 00:00:00+00') $$
"""

HYPERTABLES = {
    # table: (time column, chunk interval, compress after, segment by)
    "observation": ("ts", "7 days", "30 days", "series_id"),
    "rollup_hourly": ("bucket", "30 days", "90 days", "series_id"),
    "rollup_daily": ("bucket", "365 days", None, "series_id"),
}


def extension_available(conn: psycopg.Connection) -> bool:
    """True when the server offers the timescaledb extension (installed or not)."""
    row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'").fetchone()
    return row is not None


def enable_extension(conn: psycopg.Connection) -> bool:
    """Create the extension when available; return whether it is installed."""
    if extension_available(conn):
        conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
    return row is not None


def install_time_bucket_shim(conn: psycopg.Connection) -> None:
    """Create ``time_bucket`` over ``date_bin`` on plain PostgreSQL."""
    conn.execute(_SHIM)


def apply_timescale_features(conn: psycopg.Connection, *, retention_days: int) -> None:
    """Hypertables, compression and retention policies (TimescaleDB only; idempotent)."""
    # Table names and intervals come from the constant above, never from input.
    for table, (time_column, chunk, compress_after, segment_by) in HYPERTABLES.items():
        conn.execute(
            f"SELECT create_hypertable('{table}', by_range('{time_column}', INTERVAL '{chunk}'), "
            "migrate_data => true, if_not_exists => true)"
        )
        if compress_after:
            conn.execute(
                f"ALTER TABLE {table} SET (timescaledb.compress, timescaledb.compress_segmentby = '{segment_by}')"
            )
            conn.execute(f"SELECT add_compression_policy('{table}', INTERVAL '{compress_after}', if_not_exists => true)")
    conn.execute(
        "SELECT add_retention_policy('observation', make_interval(days => %s), if_not_exists => true)",
        (retention_days,),
    )
    logger.info("TimescaleDB features applied: hypertables %s", ", ".join(HYPERTABLES))
