"""Test support for alerts: a tiny catalog with thresholds, a camera, and a settable clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ioc.model import Reading, SeriesKey
from ioc.storage.areas import AreaRecord, upsert_areas
from ioc.storage.db import Database
from ioc.storage.devices import Device, upsert_devices
from ioc.storage.observations import write_readings

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)

# code, name_vi, name_en, unit, frequency, direction, warning, critical, decimals
INDICATORS = [
    ("TEST.ON_TIME_RATE", "Tỷ lệ hồ sơ đúng hạn", "On-time dossier rate", "%", "daily", "higher_better", 90, 80, 1),
    ("TEST.PM25", "Bụi PM2.5", "PM2.5", "µg/m³", "hourly", "lower_better", 50, 75, 1),
    ("TEST.RECEIVED", "Số hồ sơ tiếp nhận", "Dossiers received", "hồ sơ", "daily", "neutral", None, None, 0),
]


def seed_alert_data(db: Database) -> None:
    """Sector, department, two areas, three indicators with thresholds and one camera."""
    with db.connection() as conn:
        conn.execute("INSERT INTO sector (code, name_vi, name_en) VALUES ('CCHC', 'Cải cách hành chính', 'Admin reform')")
        conn.execute("INSERT INTO department (code, name_vi, name_en) VALUES ('VPUBND', 'Văn phòng UBND tỉnh', 'PPC Office')")
        upsert_areas(conn, [AreaRecord("74", "Bình Dương", "province", name_en="Binh Duong"),
                            AreaRecord("724", "Dĩ An", "district", name_en="Di An", parent_code="74", depth=1)])
        for code, name_vi, name_en, unit, freq, direction, warning, critical, decimals in INDICATORS:
            conn.execute(
                "INSERT INTO indicator (code, name_vi, name_en, sector_code, department_code, unit, frequency,"
                " agg_time, agg_area, direction, warning, critical, decimals, source)"
                " VALUES (%s, %s, %s, 'CCHC', 'VPUBND', %s, %s, 'last', 'mean', %s, %s, %s, %s, 'pull')",
                (code, name_vi, name_en, unit, freq, direction, warning, critical, decimals),
            )
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
