"""Device readings → hourly and daily area indicators, on the real PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ioc.catalog.models import Catalog, Department, Indicator, Sector
from ioc.model import Reading, SeriesKey
from ioc.storage.aggregation import (
    device_indicator_values,
    period_bounds,
    realtime_indicator_values,
    store_device_indicator_values,
)
from ioc.storage.areas import AreaRecord, upsert_areas
from ioc.storage.catalog import upsert_catalog
from ioc.storage.devices import Device, upsert_devices
from ioc.storage.observations import write_readings

VN = timezone(timedelta(hours=7))
H = datetime(2026, 11, 30, 8, tzinfo=timezone.utc)  # 15:00 in Vietnam: an hour wholly inside one local day

AREAS = [
    AreaRecord("74", "Bình Dương", "province"),
    AreaRecord("724", "Dĩ An", "district", parent_code="74", depth=1),
    AreaRecord("725", "Thuận An", "district", parent_code="74", depth=1),
    AreaRecord("25942", "Tân Bình", "commune", parent_code="724", depth=2),
    AreaRecord("25945", "Bình An", "commune", parent_code="724", depth=2),
    AreaRecord("25966", "Lái Thiêu", "commune", parent_code="725", depth=2),
]
DEVICES = [
    Device("cam-a", "camera", "Camera ngã tư 550", area_code="25942"),
    Device("cam-b", "camera", "Camera cầu vượt Sóng Thần", area_code="25945"),
    Device("cam-c", "camera", "Camera quốc lộ 13", area_code="25966"),
    Device("cam-x", "camera", "Camera chưa đặt", area_code=None),  # not placed: counts nowhere
    Device("air-a", "air", "Trạm không khí Tân Bình", area_code="25942"),
    Device("air-b", "air", "Trạm không khí Bình An", area_code="25945"),
    Device("lvl-a", "water_level", "Trạm mực nước Tân Bình", area_code="25942"),
]
ALL_LEVELS = ("province", "district", "commune")

# (code, unit, frequency, agg_time, agg_area, kind, metric, levels, decimals)
INDICATORS = [
    ("TEST.XE", "xe", "hourly", "sum", "sum", "camera", "vehicles_total", ALL_LEVELS, 0),
    ("TEST.UNTAC", "hệ số", "hourly", "mean", "max", "camera", "congestion_level", ALL_LEVELS, 2),
    ("TEST.PM25", "µg/m³", "hourly", "mean", "mean", "air", "pm25", ALL_LEVELS, 1),
    ("TEST.MUCNUOC", "m", "hourly", "max", "max", "water_level", "water_level", ("province", "district"), 2),
    ("TEST.XE_NGAY", "xe", "daily", "sum", "sum", "camera", "vehicles_total", ALL_LEVELS, 0),
    ("TEST.XE_RT", "xe", "realtime", "sum", "sum", "camera", "vehicles_total", ALL_LEVELS, 0),  # a rolling window
    ("TEST.TOCDO_RT", "km/h", "realtime", "last", "mean", "camera", "avg_speed", ("province", "district"), 1),
]


def _catalog() -> Catalog:
    return Catalog(
        sectors=(Sector(code="GT", name_vi="Giao thông", name_en="Transport"),),
        departments=(Department(code="SGTVT", name_vi="Sở Giao thông vận tải", name_en="Dept of Transport"),),
        units=(), levels=(), device_metrics=(),
        indicators=tuple(
            Indicator(code=code, name_vi=f"Chỉ số thử {code}", name_en=f"Test indicator {code}", sector_code="GT",
                      department_code="SGTVT", unit=unit, frequency=frequency, agg_time=agg_time, agg_area=agg_area,
                      direction="neutral", levels=levels, source="mqtt", device_kind=kind, device_metric=metric,
                      decimals=decimals)
            for code, unit, frequency, agg_time, agg_area, kind, metric, levels, decimals in INDICATORS
        ),
    )


@pytest.fixture
def fleet_db(empty_db):
    """Two districts, three communes, cameras, air sensors and a water-level gauge, mqtt indicators."""
    with empty_db.connection() as conn:
        upsert_areas(conn, AREAS)
        upsert_catalog(conn, _catalog())
        upsert_devices(conn, DEVICES)
    return empty_db


def _readings(db, device: str, metric: str, values: dict[datetime, float]) -> None:
    with db.connection() as conn:
        write_readings(conn, [Reading(SeriesKey.for_device(device, metric), ts, v) for ts, v in values.items()])


def _minutes(hour: datetime, *values: float) -> dict[datetime, float]:
    """One reading every 10 minutes from the start of ``hour``."""
    return {hour + timedelta(minutes=10 * i): v for i, v in enumerate(values)}


def _aggregate(db, since: datetime, until: datetime, **kwargs):
    with db.connection() as conn:
        return store_device_indicator_values(conn, device_indicator_values(conn, since=since, until=until, **kwargs))


def _values(db, code: str) -> dict[tuple[str, datetime], float]:
    with db.connection() as conn:
        rows = conn.execute("SELECT s.area_code, o.ts, o.value FROM observation o JOIN series s ON s.id = o.series_id"
                            " WHERE s.indicator_code = %s", (code,)).fetchall()
    return {(area, ts): value for area, ts, value in rows}


def _table(db, sql: str) -> list[tuple]:
    with db.connection() as conn:
        return conn.execute(sql).fetchall()


def test_readings_become_area_values_per_the_catalog(fleet_db):
    _readings(fleet_db, "cam-a", "vehicles_total", _minutes(H, 100, 120, 80))
    _readings(fleet_db, "cam-b", "vehicles_total", _minutes(H, 50, 50))
    _readings(fleet_db, "cam-c", "vehicles_total", _minutes(H, 30))
    _readings(fleet_db, "cam-x", "vehicles_total", _minutes(H, 999))
    _readings(fleet_db, "cam-a", "congestion_level", _minutes(H, 0.2, 0.4))
    _readings(fleet_db, "cam-b", "congestion_level", _minutes(H, 0.9, 0.5))
    _readings(fleet_db, "air-a", "pm25", _minutes(H, 20, 30))
    _readings(fleet_db, "air-b", "pm25", _minutes(H, 41))
    _readings(fleet_db, "lvl-a", "water_level", _minutes(H, 1.2, 1.75, 1.5))
    result = _aggregate(fleet_db, H, H + timedelta(hours=1))

    # sum over the hour per camera, then the cameras of the area: the commune, its district, the province
    assert _values(fleet_db, "TEST.XE") == {
        ("25942", H): 300, ("25945", H): 100, ("25966", H): 30, ("724", H): 400, ("725", H): 30, ("74", H): 430}
    # the hour's mean per camera (0.3, 0.7), then the worst camera of the area
    assert _values(fleet_db, "TEST.UNTAC") == {
        ("25942", H): 0.3, ("25945", H): 0.7, ("724", H): 0.7, ("74", H): 0.7}
    # mean per sensor (25, 41), then the mean of the sensors, rounded to one decimal
    assert _values(fleet_db, "TEST.PM25") == {
        ("25942", H): 25.0, ("25945", H): 41.0, ("724", H): 33.0, ("74", H): 33.0}
    # reported at province and district only: the gauge of a commune rolls up, no commune series
    assert _values(fleet_db, "TEST.MUCNUOC") == {("724", H): 1.75, ("74", H): 1.75}
    assert _values(fleet_db, "TEST.XE_RT") == {}  # realtime indicators have their own job
    assert _values(fleet_db, "TEST.XE_NGAY") == {}  # the day is not over within the window
    assert (result.values, result.changed, result.series) == (16, 16, 16)
    # rollups and latest values of the new series follow
    assert _table(fleet_db, """SELECT sum(r.n) FROM rollup_hourly r JOIN series s ON s.id = r.series_id
                               WHERE s.indicator_code LIKE 'TEST.%'""") == [(16,)]
    assert _table(fleet_db, """SELECT l.ts, l.value FROM latest_value l JOIN series s ON s.id = l.series_id
                               WHERE s.indicator_code = 'TEST.XE' AND s.area_code = '74'""") == [(H, 430.0)]


def test_running_the_same_hour_again_changes_nothing(fleet_db):
    _readings(fleet_db, "cam-a", "vehicles_total", _minutes(H, 100, 120))
    _readings(fleet_db, "air-a", "pm25", _minutes(H, 20))
    first = _aggregate(fleet_db, H, H + timedelta(hours=1))
    snapshot = {table: _table(fleet_db, f"SELECT * FROM {table} ORDER BY 1, 2")
                for table in ("observation", "rollup_hourly", "rollup_daily", "latest_value")}
    again = _aggregate(fleet_db, H, H + timedelta(hours=1))
    assert first.changed == 6 and (again.values, again.changed, again.series) == (6, 0, 0)
    assert snapshot == {table: _table(fleet_db, f"SELECT * FROM {table} ORDER BY 1, 2") for table in snapshot}


def test_a_late_reading_replaces_the_hour_and_its_rollups(fleet_db):
    _readings(fleet_db, "cam-a", "vehicles_total", _minutes(H, 100))
    _readings(fleet_db, "cam-a", "vehicles_total", _minutes(H + timedelta(hours=1), 10))
    _aggregate(fleet_db, H, H + timedelta(hours=2))
    _readings(fleet_db, "cam-a", "vehicles_total", {H + timedelta(minutes=59): 25})  # arrives late
    result = _aggregate(fleet_db, H, H + timedelta(hours=2))
    assert result.changed == 3  # the first hour of the commune, district and province; the second is unchanged
    assert _values(fleet_db, "TEST.XE")[("74", H)] == 125
    assert _table(fleet_db, """SELECT r.bucket, r.n, r.sum FROM rollup_hourly r JOIN series s ON s.id = r.series_id
                               WHERE s.indicator_code = 'TEST.XE' AND s.area_code = '74' ORDER BY 1""") == [
        (H, 1, 125.0), (H + timedelta(hours=1), 1, 10.0)]
    assert _table(fleet_db, """SELECT l.ts, l.value, l.prev_ts, l.prev_value FROM latest_value l
                               JOIN series s ON s.id = l.series_id
                               WHERE s.indicator_code = 'TEST.XE' AND s.area_code = '74'""") == [
        (H + timedelta(hours=1), 10.0, H, 125.0)]


def test_an_hour_without_readings_gives_no_row(fleet_db):
    _readings(fleet_db, "cam-a", "vehicles_total", _minutes(H, 100))
    result = _aggregate(fleet_db, H - timedelta(hours=2), H + timedelta(hours=2))
    assert {ts for _, ts in _values(fleet_db, "TEST.XE")} == {H}
    assert result.values == 3
    assert _aggregate(fleet_db, H + timedelta(hours=1), H + timedelta(hours=3)).values == 0


def test_only_whole_periods_inside_the_window(fleet_db):
    _readings(fleet_db, "cam-a", "vehicles_total", _minutes(H, 100) | _minutes(H + timedelta(hours=1), 7))
    _aggregate(fleet_db, H + timedelta(minutes=30), H + timedelta(hours=2))
    assert {ts for _, ts in _values(fleet_db, "TEST.XE")} == {H + timedelta(hours=1)}  # H is cut by the window


def test_a_vietnam_day_sums_its_hours(fleet_db):
    day = datetime(2026, 11, 30, tzinfo=VN)
    _readings(fleet_db, "cam-a", "vehicles_total", {day - timedelta(minutes=1): 1000,  # the day before
                                                    day: 10, day + timedelta(hours=12): 20,
                                                    day + timedelta(hours=23, minutes=59): 30,
                                                    day + timedelta(days=1): 2000})  # the day after
    _readings(fleet_db, "cam-c", "vehicles_total", {day + timedelta(hours=5): 5})
    _aggregate(fleet_db, day, day + timedelta(days=1), frequencies=("daily",))
    assert _values(fleet_db, "TEST.XE_NGAY") == {
        ("25942", day): 60, ("724", day): 60, ("25966", day): 5, ("725", day): 5, ("74", day): 65}
    assert _values(fleet_db, "TEST.XE") == {}  # only the frequencies asked for


def test_indicator_codes_limit_the_work(fleet_db):
    _readings(fleet_db, "cam-a", "vehicles_total", _minutes(H, 100))
    _readings(fleet_db, "air-a", "pm25", _minutes(H, 20))
    _aggregate(fleet_db, H, H + timedelta(hours=1), indicator_codes=["TEST.PM25"])
    assert _values(fleet_db, "TEST.XE") == {} and len(_values(fleet_db, "TEST.PM25")) == 3


def test_values_can_be_computed_without_storing_them(fleet_db):
    _readings(fleet_db, "cam-a", "vehicles_total", _minutes(H, 100, 120))
    with fleet_db.connection() as conn:
        rows = device_indicator_values(conn, since=H, until=H + timedelta(hours=1), indicator_codes=["TEST.XE"])
    assert sorted(rows) == [("TEST.XE", area, H, 220.0) for area in ("25942", "724", "74")]
    assert _values(fleet_db, "TEST.XE") == {}


def test_period_bounds_are_whole_hours_and_vietnam_days():
    t = datetime(2026, 11, 30, 8, 20, tzinfo=timezone.utc)
    assert period_bounds("hourly", t, t + timedelta(hours=3)) == (H + timedelta(hours=1), H + timedelta(hours=3))
    assert period_bounds("hourly", t, t + timedelta(minutes=30)) is None
    day = datetime(2026, 11, 30, tzinfo=VN)
    assert period_bounds("daily", day - timedelta(hours=1), day + timedelta(days=1, hours=1)) == (day, day + timedelta(days=1))
    assert period_bounds("daily", day + timedelta(hours=1), day + timedelta(days=1, hours=1)) is None


def test_realtime_values_aggregate_the_window_before_each_instant(fleet_db):
    at = H + timedelta(minutes=30)
    _readings(fleet_db, "cam-a", "vehicles_total", {at - timedelta(minutes=12): 500,  # before the window
                                                   at - timedelta(minutes=9): 10, at - timedelta(minutes=1): 20, at: 30,
                                                   at + timedelta(seconds=1): 700})  # after the instant
    _readings(fleet_db, "cam-b", "vehicles_total", {at - timedelta(minutes=5): 4})
    _readings(fleet_db, "cam-c", "vehicles_total", {at - timedelta(minutes=20): 9})  # nothing in the window
    _readings(fleet_db, "cam-a", "avg_speed", {at - timedelta(minutes=8): 30.0, at - timedelta(minutes=2): 41.0})
    _readings(fleet_db, "cam-b", "avg_speed", {at - timedelta(minutes=3): 20.0})
    later = at + timedelta(minutes=1)
    with fleet_db.connection() as conn:
        values = realtime_indicator_values(conn, instants=[at, later])
        result = store_device_indicator_values(conn, values)

    # per camera the sum of its readings in (at - 10 min, at], then the cameras of the area
    xe = _values(fleet_db, "TEST.XE_RT")
    assert {k: v for k, v in xe.items() if k[1] == at} == {
        ("25942", at): 60, ("25945", at): 4, ("724", at): 64, ("74", at): 64}  # Lái Thiêu: no value, not 0
    # a minute later the window (at - 9 min, at + 1 min] drops the 10 and takes the 700
    assert xe[("25942", later)] == 750 and xe[("74", later)] == 754
    # the last speed of each camera (41, 20), averaged over the district's cameras; no commune series
    speed = _values(fleet_db, "TEST.TOCDO_RT")
    assert speed == {("724", at): 30.5, ("74", at): 30.5, ("724", later): 30.5, ("74", later): 30.5}
    assert result.changed == len(values) == len(xe) + len(speed)
    with fleet_db.connection() as conn:  # the same readings again: nothing changes
        assert store_device_indicator_values(conn, realtime_indicator_values(conn, instants=[at, later])).changed == 0
