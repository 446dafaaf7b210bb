"""The hourly aggregation job on the real catalog, areas and fleet: readings in, area indicators out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from collectors.aggregation import aggregate_realtime, aggregate_recent
from collectors.scheduler import scheduler_from_settings
from collectors.simulators.seed import load_demo
from ioc.model import Reading, SeriesKey
from ioc.storage.db import Database
from ioc.storage.observations import write_readings

from tests.collectors.conftest import wait_for

VN = timezone(timedelta(hours=7))
H = datetime(2026, 11, 30, 8, tzinfo=timezone.utc)  # 15:00 in Vietnam


@pytest.fixture
def demo_db(empty_db: Database) -> Database:
    """The shipped catalog, the demo territory and the demo fleet."""
    load_demo(empty_db)
    return empty_db


def _area_chain(db: Database, device_id: str) -> list[str]:
    """The device's commune, its district, the province."""
    with db.connection() as conn:
        commune = conn.execute("SELECT area_code FROM device WHERE id = %s", (device_id,)).fetchone()[0]
        district = conn.execute("SELECT parent_code FROM area WHERE code = %s", (commune,)).fetchone()[0]
        province = conn.execute("SELECT parent_code FROM area WHERE code = %s", (district,)).fetchone()[0]
    return [commune, district, province]


def _put(db: Database, device_id: str, metric: str, values: dict[datetime, float]) -> None:
    with db.connection() as conn:
        write_readings(conn, [Reading(SeriesKey.for_device(device_id, metric), ts, v) for ts, v in values.items()])


def _indicator(db: Database, code: str) -> dict[tuple[str, datetime], float]:
    with db.connection() as conn:
        rows = conn.execute("SELECT s.area_code, o.ts, o.value FROM observation o JOIN series s ON s.id = o.series_id"
                            " WHERE s.indicator_code = %s", (code,)).fetchall()
    return {(area, ts): value for area, ts, value in rows}


def test_a_camera_hour_rolls_up_to_commune_district_and_province(demo_db):
    chain = _area_chain(demo_db, "cam-0001")
    _put(demo_db, "cam-0001", "vehicles_total", {H + timedelta(minutes=m): 100.0 for m in range(0, 60, 10)})
    _put(demo_db, "cam-0001", "avg_speed", {H: 30.0, H + timedelta(minutes=30): 40.0})
    _put(demo_db, "cam-0001", "vehicles_total", {H + timedelta(hours=1, minutes=5): 55.0})  # the hour still running

    result = aggregate_recent(demo_db, hours=3, now=H + timedelta(hours=1, minutes=20))

    assert _indicator(demo_db, "GT.LL") == {(area, H): 600.0 for area in chain}  # GT.LL: hourly, sum, sum
    assert _indicator(demo_db, "GT.TOCDO") == {(area, H): 35.0 for area in chain}  # hourly, mean, mean
    assert _indicator(demo_db, "GT.LL_XE.OTO") == {}  # no count_car readings: no value, no zero
    assert _indicator(demo_db, "GT.LL_RT") == {}  # realtime: the realtime job's
    assert result.changed == 6
    again = aggregate_recent(demo_db, hours=3, now=H + timedelta(hours=1, minutes=50))
    assert again.values == 6 and again.changed == 0


def test_the_vietnam_day_is_computed_by_the_runs_just_after_midnight(demo_db):
    chain = _area_chain(demo_db, "cam-0001")
    day = datetime(2026, 11, 30, tzinfo=VN)
    _put(demo_db, "cam-0001", "vehicles_total", {day + timedelta(hours=h): 10.0 * h for h in range(24)})

    aggregate_recent(demo_db, hours=3, now=day + timedelta(hours=23, minutes=30))
    assert _indicator(demo_db, "GT.LL_NGAY") == {}  # the day is not over
    aggregate_recent(demo_db, hours=3, now=day + timedelta(days=1, minutes=10))
    assert _indicator(demo_db, "GT.LL_NGAY") == {(area, day): 2760.0 for area in chain}  # 10 × (0 + ... + 23)
    # the day's peak reading (GT.LL_CAODIEM: daily, max per camera, sum over cameras)
    assert _indicator(demo_db, "GT.LL_CAODIEM") == {(area, day): 230.0 for area in chain}
    # three hours later the day is no longer recomputed: a reading that late is not counted
    _put(demo_db, "cam-0001", "vehicles_total", {day + timedelta(hours=23, minutes=59): 1.0})
    assert aggregate_recent(demo_db, hours=3, now=day + timedelta(days=1, hours=3, minutes=10)).values == 0


def test_the_collector_scheduler_runs_the_job_from_the_settings(demo_db, settings):
    hour = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    chain = _area_chain(demo_db, "air-0001")
    _put(demo_db, "air-0001", "pm25", {hour + timedelta(minutes=5): 20.0, hour + timedelta(minutes=45): 31.0})
    now = datetime.now(timezone.utc)
    _put(demo_db, "cam-0001", "vehicles_total", {now - timedelta(minutes=4): 12.0})
    cam_chain = _area_chain(demo_db, "cam-0001")
    scheduler = scheduler_from_settings(settings.model_copy(update={"aggregate_interval": 1800.0,
                                                                    "aggregate_realtime_interval": 45.0}), demo_db)
    jobs = {job.name: job for job in scheduler.scheduler.get_jobs()}
    assert jobs["aggregation"].trigger.interval == timedelta(seconds=1800)
    assert jobs["aggregation-realtime"].trigger.interval == timedelta(seconds=45)
    scheduler.start()  # both jobs run once at start, catching up the last hours and the last minutes
    try:
        wait_for(lambda: len(_indicator(demo_db, "MT.KK_GIO.PM25")) == 3, timeout=30)
        wait_for(lambda: {area for area, _ in _indicator(demo_db, "GT.LL_RT")} == set(cam_chain), timeout=30)
    finally:
        scheduler.shutdown(wait=True)
    assert _indicator(demo_db, "MT.KK_GIO.PM25") == {(area, hour): 25.5 for area in chain}
    assert set(_indicator(demo_db, "GT.LL_RT").values()) == {12.0}


def test_a_longer_window_catches_up_every_day_that_ended_in_it(demo_db):
    chain = _area_chain(demo_db, "cam-0001")
    first = datetime(2026, 11, 28, tzinfo=VN)
    _put(demo_db, "cam-0001", "vehicles_total", {first + timedelta(days=d, hours=9): 100.0 + d for d in range(3)})
    result = aggregate_recent(demo_db, hours=48, now=first + timedelta(days=3, hours=1))
    assert _indicator(demo_db, "GT.LL_NGAY") == {(area, first + timedelta(days=d)): 100.0 + d
                                                 for area in chain for d in (1, 2)}  # the 28th ended 49 h before
    # three areas × (GT.LL at 09:00 of the 29th and the 30th + GT.LL_NGAY and GT.LL_CAODIEM of both days)
    assert result.changed == 3 * (2 + 2 * 2)


def test_realtime_indicators_follow_the_last_ten_minutes_every_minute(demo_db):
    chain = _area_chain(demo_db, "cam-0001")
    at = H + timedelta(minutes=30)
    _put(demo_db, "cam-0001", "vehicles_total", {at - timedelta(minutes=m): 10.0 for m in range(0, 12)})
    _put(demo_db, "cam-0001", "congestion_level", {at - timedelta(minutes=3): 0.4})

    result = aggregate_realtime(demo_db, now=at + timedelta(seconds=25))  # stamped on the whole minute

    # GT.LL_RT (realtime, sum, sum): the ten readings of (at - 10 min, at], and the same at the two minutes before
    # (a reading every minute from at - 11 min: ten in every window, none twice in one)
    assert _indicator(demo_db, "GT.LL_RT") == {(area, at - timedelta(minutes=k)): 100.0
                                               for area in chain for k in (0, 1, 2)}
    assert _indicator(demo_db, "GT.UNTAC_RT") == {(area, at - timedelta(minutes=k)): 0.4 for area in chain for k in (0, 1, 2)}
    assert result.changed == 2 * 3 * 3
    assert aggregate_realtime(demo_db, now=at + timedelta(seconds=50)).changed == 0  # nothing new: nothing written
