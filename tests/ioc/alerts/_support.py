"""Test support for alerts: a tiny catalog with thresholds, a camera, and a settable clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ioc.model import Reading, SeriesKey
from ioc.storage.areas import AreaRecord, upsert_areas
from ioc.storage.catalog import upsert_catalog
from ioc.storage.db import Database
from ioc.storage.devices import Device, upsert_devices
from ioc.storage.observations import write_readings
from tests.collectors.pull._support import fixture_catalog

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)

INDICATORS = [
    ("TEST.ON_TIME_RATE", "Tỷ lệ hồ sơ đúng hạn", "On-time dossier rate", "%", "daily", "higher_better"),
    ("TEST.PM25", "Bụi PM2.5", "PM2.5", "µg/m³", "hourly", "lower_better"),
    ("TEST.RECEIVED", "Số hồ sơ tiếp nhận", "Dossiers received", "hồ sơ", "daily", "neutral"),
]
THRESHOLDS = {"TEST.ON_TIME_RATE": (90, 80), "TEST.PM25": (50, 75)}


def seed_alert_data(db: Database) -> None:
    """Two areas, three indicators (two with thresholds) and one camera, through the storage API."""
    with db.connection() as conn:
        upsert_areas(conn, [AreaRecord("74", "Bình Dương", "province", name_en="Binh Duong"),
                            AreaRecord("724", "Dĩ An", "district", name_en="Di An", parent_code="74", depth=1)])
        upsert_catalog(conn, fixture_catalog(INDICATORS, **THRESHOLDS))
        upsert_devices(conn, [Device("cam-550", "camera", "Camera ngã tư 550", area_code="724")])


def put(db: Database, code: str, ts: datetime, value: float, area: str = "724") -> None:
    """Store one reading through the normal write path."""
    with db.connection() as conn:
        write_readings(conn, [Reading(SeriesKey.for_indicator(code, area), ts, value)])


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
