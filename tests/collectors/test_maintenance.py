"""Maintenance jobs on a real database: rollup upkeep, retention, staleness."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from collectors.maintenance import enforce_retention, mark_stale_series, refresh_recent_rollups
from ioc.model import Reading, SeriesKey
from ioc.storage.observations import copy_observations, write_readings
from ioc.storage.series import resolve_series
from tests.collectors.pull._support import seed_reference_data

NOW = datetime(2026, 11, 30, 6, 30, tzinfo=timezone.utc)
KEY = SeriesKey.for_indicator("TEST.AIR_PM25", "724")


def _count(db, table: str) -> int:
    with db.connection() as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # table names are test constants


def test_rollup_upkeep_rebuilds_recent_buckets(empty_db):
    seed_reference_data(empty_db)
    with empty_db.connection() as conn:
        series_id = resolve_series(conn, [KEY])[KEY]
        # A backfill by bare COPY leaves the rollups untouched ...
        copy_observations(conn, [(series_id, NOW - timedelta(minutes=m), 10.0 + m) for m in (5, 65, 125, 600)])
    assert _count(empty_db, "rollup_hourly") == 0
    # ... the upkeep job rebuilds the last 3 hours (whole buckets) and their days.
    assert refresh_recent_rollups(empty_db, hours=3, now=NOW) > 0
    with empty_db.connection() as conn:
        hours = conn.execute("SELECT bucket, n, last FROM rollup_hourly ORDER BY bucket").fetchall()
        days = conn.execute("SELECT n FROM rollup_daily").fetchall()
    assert [(b.hour, n) for b, n, _ in hours] == [(4, 1), (5, 1), (6, 1)]  # 10 h ago is outside the window
    assert days == [(3,)]  # 10 h ago is on 29/11 (UTC buckets): its day is outside the window too


def test_retention_deletes_only_old_raw_observations(empty_db):
    seed_reference_data(empty_db)
    with empty_db.connection() as conn:
        write_readings(conn, [Reading(KEY, NOW - timedelta(days=d), float(d)) for d in (1, 399, 401, 900)])
    deleted = enforce_retention(empty_db, retention_days=400, now=NOW)
    assert deleted == (None if empty_db.has_timescale else 2)
    if not empty_db.has_timescale:
        with empty_db.connection() as conn:
            kept = sorted(r[0] for r in conn.execute("SELECT value FROM observation"))
        assert kept == [1.0, 399.0]


def test_staleness_per_frequency(empty_db):
    seed_reference_data(empty_db)  # TEST.AIR_PM25 is hourly, TEST.DOSSIER_ON_TIME_RATE daily
    daily = SeriesKey.for_indicator("TEST.DOSSIER_ON_TIME_RATE", "724")
    with empty_db.connection() as conn:
        write_readings(conn, [Reading(KEY, NOW - timedelta(hours=3), 1.0), Reading(daily, NOW - timedelta(hours=30), 95.0)])
    newly, cleared = mark_stale_series(empty_db, periods=2, now=NOW)
    assert len(newly) == 1  # the hourly series is 3 h old (> 2 periods); the daily one is 30 h old (< 48 h)
    newly, cleared = mark_stale_series(empty_db, periods=2, now=NOW + timedelta(hours=20))
    assert len(newly) == 1 and cleared == []  # now the daily one too
    newly, cleared = mark_stale_series(empty_db, periods=5, now=NOW)  # a looser policy clears the hourly one
    assert newly == [] and len(cleared) == 2
