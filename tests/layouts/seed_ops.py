"""Test data of the public-administration, traffic and wall pages, added to the dashboard test database.

Writes through the storage API: 12 weeks of 766 scores for the 9 districts and
the seeded communes (Dĩ An leading 10 weeks, two districts tied), 30 days of
dossier counts, 8 cameras with counts, speeds and congestion, today's and four
previous same weekdays' hourly vehicles, and incidents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ioc.formatting import LOCAL_TZ
from ioc.model import Event, Reading, SeriesKey
from ioc.procedures import load_fields
from ioc.score766.components import Component, top_level
from ioc.storage.db import Database
from ioc.storage.devices import Device, upsert_devices
from ioc.storage.events import write_events
from ioc.storage.observations import write_readings
from tests.layouts.fixtures_data import COMMUNE_NAMES, DISTRICT_NAMES

LEADER = "724"  # Dĩ An in the dashboard seed
TIED = ("719", "720")
WEEKS = 12


@dataclass(frozen=True)
class OpsSeeded:
    """What was written, for assertions."""

    week: date
    leader: str
    communes: list[str]
    cameras: list[str]


def _indicators(conn, codes: list[tuple[str, str, str]]) -> None:
    for code, unit, agg in codes:
        conn.execute(
            "INSERT INTO indicator (code, name_vi, name_en, sector_code, department_code, unit, frequency, agg_time,"
            " agg_area, direction, source) VALUES (%s, %s, %s, 'CCHC', 'STTTT', %s, 'daily', %s, %s, 'higher_better',"
            " 'pull') ON CONFLICT (code) DO NOTHING", (code, code, code, unit, agg, agg))


def _scores(index: int, week: int, components: tuple[Component, ...]) -> dict[str, float]:
    """Points per component: district ``index`` (0 = leader), drifting slowly over the weeks."""
    share = {0: 0.80, 1: 0.74, 2: 0.74}.get(index, 0.72 - 0.04 * index) + 0.002 * week
    scores = {}
    for c in components:
        tweak = 0.97 if c.code.endswith("TT") else 1.0
        scores[c.code] = round(min(c.max_points, c.max_points * share * tweak), 1)
    for group in top_level(components):  # a group with parts is their sum
        parts = [c for c in components if c.parent_code == group.code]
        if parts:
            scores[group.code] = round(sum(scores[p.code] for p in parts), 1)
    return scores


def seed_score766(db: Database, components: tuple[Component, ...], this_week: date) -> list[str]:
    """12 weeks of 766 scores for districts and communes; returns the commune codes."""
    order = [LEADER, *TIED, *[d for d in DISTRICT_NAMES if d not in (LEADER, *TIED)]]
    communes = [f"{d}{k + 1:02d}" for d, names in COMMUNE_NAMES.items() for k in range(len(names))]
    readings = []
    for w in range(WEEKS):
        monday = this_week - timedelta(weeks=WEEKS - 1 - w)
        ts = datetime.combine(monday, time(0), LOCAL_TZ)
        leader_week = w >= WEEKS - 10  # leading for the last 10 weeks
        for index, district in enumerate(order):
            rank_index = index if leader_week or index > 2 else {0: 1, 1: 0, 2: 2}[index]
            for code, value in _scores(rank_index, w, components).items():
                indicator = next(c.indicator_code for c in components if c.code == code)
                readings.append(Reading(SeriesKey.for_indicator(indicator, district), ts, value))
        for n, commune in enumerate(communes):
            for code, value in _scores(n if n else 0, w, components).items():
                indicator = next(c.indicator_code for c in components if c.code == code)
                readings.append(Reading(SeriesKey.for_indicator(indicator, commune), ts, min(value * 1.02, value + 1)))
    with db.connection() as conn:
        _indicators(conn, [(c.indicator_code, "điểm", "last") for c in components])
        write_readings(conn, readings)
    return communes


def seed_dossiers(db: Database, today: date) -> None:
    """30 days of dossier counts per district, and the latest shares."""
    fields = load_fields()
    readings = []
    for n, district in enumerate(DISTRICT_NAMES):
        for day in range(30):
            ts = datetime.combine(today - timedelta(days=day), time(0), LOCAL_TZ)
            received = 80 + 10 * n
            values = {"received": received, "resolved": received - 5, "on_time": received - 8 - n,
                      "overdue": 3 + n, "online": received * (0.35 + 0.03 * n)}
            readings += [Reading(SeriesKey.for_indicator(fields[k], district), ts, round(v)) for k, v in values.items()]
        ts = datetime.combine(today, time(0), LOCAL_TZ)
        for k, v in {"fully_online_share": 40 + n, "digitised_share": 75 + n, "cashless_share": 30 + 2 * n,
                     "satisfaction": 95 - n / 2}.items():
            readings.append(Reading(SeriesKey.for_indicator(fields[k], district), ts, v))
    with db.connection() as conn:
        _indicators(conn, [(fields[k], "hồ sơ", "sum") for k in ("received", "resolved", "on_time", "overdue", "online")])
        _indicators(conn, [(fields[k], "%", "last") for k in ("fully_online_share", "digitised_share", "cashless_share",
                                                               "satisfaction")])
        write_readings(conn, readings)


CAMERAS = [
    ("cam-550", "Ngã tư 550", 106.7645, 10.9041), ("cam-ongco", "Cầu Ông Cộ", 106.7040, 10.9550),
    ("cam-songthan", "Ngã ba Sóng Thần", 106.7480, 10.8990), ("cam-chanhnghia", "Vòng xoay Chánh Nghĩa", 106.6620, 10.9740),
    ("cam-hanhchinh", "Trung tâm hành chính tỉnh", 106.6680, 11.0560), ("cam-mybuoc", "Ngã tư Mỹ Phước", 106.5950, 11.1260),
    ("cam-dlbd", "Đại lộ Bình Dương – Ngô Quyền", 106.7085, 10.8850), ("cam-tanuyen", "Cầu Rạch Tre", 106.7810, 11.0350),
]


def seed_traffic(db: Database, now: datetime) -> list[str]:
    """Cameras with latest values, hourly vehicles today and on four previous same weekdays, incidents."""
    local = now.astimezone(LOCAL_TZ)
    today = local.date()
    readings = []
    for n, (cam, _name, _lon, _lat) in enumerate(CAMERAS):
        congestion = round(0.15 + 0.11 * n, 2)
        for k, v in {"count_motorbike": 900 - 60 * n, "count_car": 160 + 10 * n, "count_bus": 6 + n,
                     "count_truck": 40 + 5 * n, "avg_speed": 45 - 4 * n, "congestion_level": min(congestion, 0.97)}.items():
            readings.append(Reading(SeriesKey.for_device(cam, k), now - timedelta(minutes=1), v))
        for weeks_back in range(5):
            day = today - timedelta(weeks=weeks_back)
            for hour in range(24):
                ts = datetime.combine(day, time(hour, 30), LOCAL_TZ)
                if ts > now:
                    continue
                peak = 1.0 + (0.9 if hour in (7, 8, 17, 18) else 0.0)
                base = (200 + 20 * n) * peak * (0.3 if hour < 5 or hour > 22 else 1.0)
                readings.append(Reading(SeriesKey.for_device(cam, "vehicles_total"), ts,
                                        round(base * (1.1 if weeks_back == 0 else 1.0))))
    events = [Event(now - timedelta(minutes=m), kind, cam, severity=sev) for m, kind, cam, sev in (
        (12, "accident", "cam-550", "critical"), (40, "wrong_way", "cam-songthan", "warning"),
        (95, "stalled_vehicle", "cam-ongco", "warning"), (180, "crowd", "cam-hanhchinh", "info"))]
    with db.connection() as conn:
        upsert_devices(conn, [Device(cam, "camera", name, lon=lon, lat=lat) for cam, name, lon, lat in CAMERAS])
        write_readings(conn, readings)
        write_events(conn, events)
    return [c[0] for c in CAMERAS]


def seed_ops(db: Database, components: tuple[Component, ...], now: datetime | None = None) -> OpsSeeded:
    """Everything the three pages show."""
    now = now or datetime.now(timezone.utc)
    local_today = now.astimezone(LOCAL_TZ).date()
    this_week = local_today - timedelta(days=local_today.weekday())
    communes = seed_score766(db, components, this_week)
    seed_dossiers(db, local_today)
    cameras = seed_traffic(db, now)
    return OpsSeeded(this_week, LEADER, communes, cameras)
