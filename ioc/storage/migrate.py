"""Versioned SQL migrations: ``ioc/storage/sql/NNNN_name.sql``, applied once each.

Migrations run in file-name order, each in its own transaction, under an
advisory lock so two processes starting at once do not race. Applying them again
is a no-op. After the files, the TimescaleDB features or the plain-PostgreSQL
shim are (re)applied; both are idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources

import psycopg

from ioc.errors import MigrationError
from ioc.storage import timescale
from ioc.storage.db import Database

__all__ = ["Migration", "available_migrations", "applied_migrations", "upgrade"]

logger = logging.getLogger(__name__)

_LOCK_KEY = 0x10C_5C4E  # any constant shared by every ioc process


@dataclass(frozen=True)
class Migration:
    """One SQL migration file."""

    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Every migration shipped with the package, in order."""
    folder = resources.files("ioc.storage") / "sql"
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    return [Migration(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


def applied_migrations(conn: psycopg.Connection) -> set[str]:
    """Names of the migrations already applied to this database."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration ("
        " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    return {row[0] for row in conn.execute("SELECT name FROM schema_migration")}


def upgrade(db: Database, *, retention_days: int = 400) -> list[str]:
    """Apply pending migrations and storage features; return the names applied now."""
    applied_now: list[str] = []
    with db.connection() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        has_timescale = timescale.enable_extension(conn)
        if not has_timescale:
            timescale.install_time_bucket_shim(conn)
        done = applied_migrations(conn)
        for migration in available_migrations():
            if migration.name in done:
                continue
            try:
                with conn.transaction():
                    conn.execute(migration.sql)
                    conn.execute("INSERT INTO schema_migration (name) VALUES (%s)", (migration.name,))
            except psycopg.Error as exc:
                raise MigrationError(f"migration {migration.name}.sql failed: {exc}") from exc
            logger.info("applied migration %s", migration.name)
            applied_now.append(migration.name)
        if has_timescale:
            timescale.apply_timescale_features(conn, retention_days=retention_days)
    return applied_now
