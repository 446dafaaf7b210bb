"""The idempotent write path: observations, latest values and rollups."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from ioc.model import Reading, SeriesKey
from ioc.storage.columns import ObservationColumns
from ioc.storage.observations import copy_new_rows, copy_observations, write_readings, write_rows
from ioc.storage.rollups import refresh_latest, refresh_rollups
from ioc.storage.series import resolve_series

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def device(empty_db):
    """One camera device in an empty database."""
    with empty_db.connection() as conn:
        conn.execute("INSERT INTO device (id, kind, name) VALUES ('cam-1', 'camera', 'Camera 1')")
    return empty_db


def _readings(n: int, start: datetime = T0, step: timedelta = timedelta(minutes=10)) -> list[Reading]:
    key = SeriesKey.for_device("cam-1", "vehicles_total")
    return [Reading(key, start + i * step, float(i)) for i in range(n)]


def test_resolve_series_creates_once(device):
    key = SeriesKey.for_device("cam-1", "pm25")
    with device.connection() as conn:
        first = resolve_series(conn, [key, key])
        second = resolve_series(conn, [key])
        count = conn.execute("SELECT count(*) FROM series").fetchone()[0]
    assert first == second and count == 1


def test_write_is_idempotent_and_updates_latest_and_rollups(device):
    readings = _readings(12)  # 08:00 .. 09:50, two hourly buckets
    with device.connection() as conn:
        assert write_readings(conn, readings) == 12
        assert write_readings(conn, readings[6:] + readings[6:]) == 0  # redelivered: stored once
        stored = conn.execute("SELECT count(*), sum(value) FROM observation").fetchone()
        latest = conn.execute("SELECT ts, value, prev_value FROM latest_value").fetchone()
        hourly = conn.execute("SELECT bucket, n, sum, min, max, last FROM rollup_hourly ORDER BY bucket").fetchall()
        daily = conn.execute("SELECT n, sum, last FROM rollup_daily").fetchall()
    assert stored == (12, sum(range(12)))
    assert latest[0] == T0 + timedelta(minutes=110) and latest[1] == 11.0
    assert [(h[1], h[2], h[3], h[4], h[5]) for h in hourly] == [(6, 15.0, 0.0, 5.0, 5.0), (6, 51.0, 6.0, 11.0, 11.0)]
    assert daily == [(12, 66.0, 11.0)]


def test_late_reading_does_not_replace_latest_or_rollup_last(device):
    with device.connection() as conn:
        write_readings(conn, _readings(3))  # 08:00, 08:10, 08:20
        late = Reading(SeriesKey.for_device("cam-1", "vehicles_total"), T0 + timedelta(minutes=5), 100.0)
        assert write_readings(conn, [late]) == 1
        latest = conn.execute("SELECT value FROM latest_value").fetchone()[0]
        hourly = conn.execute("SELECT n, max, last FROM rollup_hourly").fetchone()
    assert latest == 2.0
    assert hourly == (4, 100.0, 2.0)


def test_refresh_rebuilds_rollups_and_latest_after_bulk_copy(device):
    with device.connection() as conn:
        sid = resolve_series(conn, [SeriesKey.for_device("cam-1", "vehicles_total")])[
            SeriesKey.for_device("cam-1", "vehicles_total")
        ]
        rows = [(sid, T0 + timedelta(hours=i), float(i)) for i in range(48)]
        assert copy_observations(conn, rows) == 48
        refresh_rollups(conn, since=T0, until=T0 + timedelta(hours=48))
        refresh_latest(conn)
        hourly = conn.execute("SELECT count(*), sum(sum) FROM rollup_hourly").fetchone()
        daily = conn.execute("SELECT bucket, n FROM rollup_daily ORDER BY bucket").fetchall()
        latest = conn.execute("SELECT value, prev_value FROM latest_value").fetchone()
    assert hourly == (48, float(sum(range(48))))
    assert [d[1] for d in daily] == [16, 24, 8]  # 08:00 start: 16 h, 24 h, 8 h
    assert latest == (47.0, 46.0)


def test_two_redelivery_writes_in_one_transaction_fold_each_row_once(device):
    readings = _readings(6)
    with device.connection() as conn:
        assert write_readings(conn, readings[:3]) == 3
        assert write_readings(conn, readings[:4]) == 1  # conflict-aware path
        assert write_readings(conn, readings[:5]) == 1  # again, in the same transaction
        assert write_readings(conn, readings) == 1
        n, total = conn.execute("SELECT sum(n), sum(sum) FROM rollup_hourly").fetchone()
    assert (n, total) == (6, float(sum(range(6))))


def _counts(db) -> tuple[int, int, int]:
    with db.connection() as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM observation), (SELECT coalesce(sum(n), 0) FROM rollup_hourly),"
            " (SELECT count(*) FROM latest_value)"
        ).fetchone()


def test_write_rows_on_a_fresh_connection_is_one_transaction_with_its_rollups(device):
    """The first statement of a connection: rows and rollups still commit or roll back together."""
    with device.connection() as conn:
        sid = resolve_series(conn, [SeriesKey.for_device("cam-1", "vehicles_total")])
        sid = next(iter(sid.values()))
    rows = [(sid, T0 + timedelta(minutes=i), float(i)) for i in range(5)]
    with pytest.raises(RuntimeError), device.connection() as conn:
        assert write_rows(conn, rows) == 5
        raise RuntimeError("the caller fails after the write")
    assert _counts(device) == (0, 0, 0)
    with device.connection() as conn:
        assert write_rows(conn, rows) == 5
    assert _counts(device) == (5, 5, 1)


def test_copy_new_rows_refuses_a_stored_row_and_write_rows_takes_the_rest(device):
    with device.connection() as conn:
        sid = next(iter(resolve_series(conn, [SeriesKey.for_device("cam-1", "vehicles_total")]).values()))
    first = ObservationColumns.from_rows([(sid, T0 + timedelta(minutes=i), float(i)) for i in range(3)])
    again = ObservationColumns.from_rows([(sid, T0 + timedelta(minutes=i), float(i)) for i in range(5)])
    with device.connection() as conn:
        assert copy_new_rows(conn, first) == 3
    with pytest.raises(psycopg.errors.UniqueViolation), device.connection() as conn:
        copy_new_rows(conn, again)
    assert _counts(device) == (3, 3, 1)  # the refused transaction left nothing
    with device.connection() as conn:
        assert write_rows(conn, again) == 2
    assert _counts(device) == (5, 5, 1)
