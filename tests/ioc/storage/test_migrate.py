"""Migrations on plain PostgreSQL: applied once, then a no-op; the time_bucket shim works."""

from __future__ import annotations

from datetime import datetime, timezone

from ioc.storage.migrate import applied_migrations, available_migrations, upgrade


def test_upgrade_twice_is_a_noop(empty_db):
    # empty_db is cloned from the migrated template: everything is applied already.
    assert upgrade(empty_db) == []
    with empty_db.connection() as conn:
        names = applied_migrations(conn)
        tables_before = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert names == {m.name for m in available_migrations()}
    assert upgrade(empty_db) == []
    with empty_db.connection() as conn:
        tables_after = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables_after == tables_before


def test_fresh_database_gets_every_migration(pg_server_url):
    from tests.conftest import RUN_ID, create_database, drop_database
    from ioc.storage.db import Database

    name = f"ioc_test_{RUN_ID}_fresh"
    url = create_database(pg_server_url, name)
    try:
        with Database(url, max_size=1) as db:
            applied = upgrade(db)
            assert applied == [m.name for m in available_migrations()]
            assert upgrade(db) == []
            with db.connection() as conn:
                tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    finally:
        drop_database(pg_server_url, name)
    assert {"observation", "series", "indicator", "area", "alert", "dead_letter", "digital_address"} <= tables


def test_time_bucket_shim_matches_timescale_origin(db):
    with db.connection() as conn:
        has_ts = db.has_timescale
        week, hour = conn.execute(
            "SELECT time_bucket('7 days', %s::timestamptz), time_bucket('1 hour', %s::timestamptz)",
            (datetime(2026, 11, 26, 15, 30, tzinfo=timezone.utc),) * 2,
        ).fetchone()
    assert not has_ts  # this CI verifies the plain-PostgreSQL path
    assert week == datetime(2026, 11, 23, tzinfo=timezone.utc)  # a Monday, as TimescaleDB's origin
    assert hour == datetime(2026, 11, 26, 15, tzinfo=timezone.utc)
