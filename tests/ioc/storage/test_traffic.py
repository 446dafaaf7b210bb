"""Traffic read queries over camera readings and incidents written through the storage API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from ioc.formatting import LOCAL_TZ
from ioc.model import Event, Reading, SeriesKey
from ioc.storage.devices import Device, upsert_devices
from ioc.storage.events import write_events
from ioc.storage.observations import write_readings
from ioc.storage.traffic import camera_latest, hourly_profile, recent_incidents, top_congested

DAY = date(2026, 11, 26)  # a Thursday


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TZ)


def _seed(conn):
    upsert_devices(conn, [
        Device("cam-1", "camera", "Ngã tư 550", lon=106.76, lat=10.90),
        Device("cam-2", "camera", "Cầu Ông Cộ", lon=106.70, lat=10.95),
        Device("air-1", "air", "Trạm không khí"),
    ])
    r = lambda dev, metric, ts, v: Reading(SeriesKey.for_device(dev, metric), ts, v)  # noqa: E731
    readings = [
        r("cam-1", "count_car", _at(DAY, 8), 120), r("cam-1", "count_car", _at(DAY, 8, 5), 130),
        r("cam-1", "count_motorbike", _at(DAY, 8, 5), 900), r("cam-1", "avg_speed", _at(DAY, 8, 5), 18.5),
        r("cam-1", "congestion_level", _at(DAY, 8, 5), 0.82),
        r("cam-2", "congestion_level", _at(DAY, 8), 0.35), r("cam-2", "avg_speed", _at(DAY, 8), 42.0),
        r("air-1", "pm25", _at(DAY, 8), 30),
    ]
    # vehicles_total: today 08h = 100 + 50 (two cameras); previous Thursdays 08h = 80 and 120 (cam-1 only)
    readings += [r("cam-1", "vehicles_total", _at(DAY, 8, 10), 100), r("cam-2", "vehicles_total", _at(DAY, 8, 20), 50),
                 r("cam-1", "vehicles_total", _at(DAY, 9), 70),
                 r("cam-1", "vehicles_total", _at(DAY - timedelta(weeks=1), 8), 80),
                 r("cam-1", "vehicles_total", _at(DAY - timedelta(weeks=2), 8), 120),
                 r("cam-1", "vehicles_total", _at(DAY - timedelta(weeks=2), 17), 40),
                 r("cam-1", "vehicles_total", _at(DAY - timedelta(days=1), 8), 999)]  # a Wednesday: ignored
    write_readings(conn, readings)
    write_events(conn, [
        Event(_at(DAY, 7), "accident", "cam-1", severity="critical", details={"lane": 2}),
        Event(_at(DAY, 8), "wrong_way", "cam-2", severity="warning"),
        Event(_at(DAY - timedelta(days=3), 8), "crowd", "cam-2"),
    ])


def test_camera_latest_values(empty_db):
    with empty_db.connection() as conn:
        _seed(conn)
        cameras = {c.id: c for c in camera_latest(conn)}
    assert set(cameras) == {"cam-1", "cam-2"}
    cam = cameras["cam-1"]
    assert cam.values["count_car"] == 130 and cam.values["count_motorbike"] == 900
    assert cam.values["avg_speed"] == 18.5 and cam.congestion == 0.82
    assert cam.updated_at == _at(DAY, 9) and cam.name == "Ngã tư 550"


def test_top_congested(empty_db):
    with empty_db.connection() as conn:
        _seed(conn)
        cameras = camera_latest(conn)
    assert [c.id for c in top_congested(cameras)] == ["cam-1", "cam-2"]
    assert [c.id for c in top_congested(cameras, minimum=0.5)] == ["cam-1"]
    assert [c.id for c in top_congested(cameras, fresh_since=_at(DAY, 8, 30))] == ["cam-1"]


def test_recent_incidents(empty_db):
    with empty_db.connection() as conn:
        _seed(conn)
        recent = recent_incidents(conn, since=_at(DAY, 0))
        crowd = recent_incidents(conn, since=_at(DAY, 0) - timedelta(days=7), kinds=["crowd"])
    assert [(i.kind, i.device_name) for i in recent] == [("wrong_way", "Cầu Ông Cộ"), ("accident", "Ngã tư 550")]
    assert recent[1].severity == "critical" and recent[1].details == {"lane": 2} and recent[1].lon == 106.76
    assert [i.kind for i in crowd] == ["crowd"]


def test_hourly_profile_against_same_weekdays(empty_db):
    with empty_db.connection() as conn:
        _seed(conn)
        profile = hourly_profile(conn, day=DAY, weeks=4)
        one = hourly_profile(conn, day=DAY, weeks=4, devices=["cam-2"])
    assert profile.today == {8: 150.0, 9: 70.0}
    assert profile.days_in_typical == 2
    assert profile.typical[8] == pytest.approx(100.0)  # (80 + 120) / 2
    assert profile.typical[17] == pytest.approx(20.0)  # (0 + 40) / 2: a silent hour counts as 0
    assert one.today == {8: 50.0} and one.days_in_typical == 0 and one.typical == {}
