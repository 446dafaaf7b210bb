"""History backfill into a fresh database: every series filled, calibrated values, safe to run again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from collectors.simulators.history import backfill, device_chunks
from ioc.catalog import load_catalog
from ioc.model import Reading, SeriesKey
from ioc.storage.aggregation import device_indicator_values, store_device_indicator_values
from ioc.storage.db import Database
from ioc.storage.observations import write_readings

UNTIL = datetime(2026, 11, 30, 6, tzinfo=timezone.utc)  # a Monday, 13:00 in Vietnam


def _rows(db: Database, sql: str, params: tuple = ()) -> list[tuple]:
    with db.connection() as conn:
        return conn.execute(sql, params).fetchall()


def _series(db: Database, code: str, level: str) -> dict[str, list[float]]:
    """Values of an indicator per area of one level, oldest first."""
    rows = _rows(db, """
        SELECT s.area_code, array_agg(o.value ORDER BY o.ts) FROM observation o
        JOIN series s ON s.id = o.series_id JOIN area a ON a.code = s.area_code
        WHERE s.indicator_code = %s AND a.level = %s GROUP BY 1""", (code, level))
    return dict(rows)


def _subset(*prefixes: str):
    catalog = load_catalog()
    return catalog.model_copy(update={"indicators": tuple(i for i in catalog.indicators if i.code.startswith(prefixes))})


def test_device_chunks_end_at_local_midnight_and_switch_to_fine_steps():
    chunks = device_chunks(UNTIL - timedelta(days=60), UNTIL, ((60, 10800), (30, 3600), (2, 600)))
    local_day = lambda epoch: (epoch + 7 * 3600) // 86400  # noqa: E731
    for (grid, step), (following, next_step) in zip(chunks, chunks[1:]):
        assert local_day(grid[-1]) < local_day(following[0])  # no Vietnam day is split between two chunks
        if next_step != step:
            assert (following[0] + 7 * 3600) % 86400 == 0  # a finer tier starts at 00:00 Vietnam time
    steps = [step for _, step in chunks]
    assert steps[0] == 10800 and 3600 in steps and steps[-1] == 600 and steps == sorted(steps, reverse=True)
    everything = np.concatenate([g for g, _ in chunks])
    assert np.all(np.diff(everything) > 0) and everything[-1] < UNTIL.timestamp()


@pytest.mark.slow
def test_a_few_days_fill_every_device_and_indicator_series(demo_db: Database):
    catalog = _subset("TTHC.TL_", "TTHC.HS_", "MT.KK_", "GT.LL", "NUOC.MUCNUOC")
    result = backfill(demo_db, days=3, until=UNTIL, catalog=catalog, recent_days=0.25, tty=False)
    assert result.rows > 0 and result.skipped_series == 0
    written = _rows(demo_db, "SELECT count(*) FROM observation")[0][0]
    assert written == result.rows
    # every device metric: hourly readings, then every 10 minutes since 00:00 (Vietnam time) today
    per_device = _rows(demo_db, "SELECT count(*) FROM observation o JOIN series s ON s.id = o.series_id"
                                " WHERE s.device_id IS NOT NULL GROUP BY s.id")
    grid = np.concatenate([g for g, _ in device_chunks(UNTIL - timedelta(days=3), UNTIL, ((3, 10800), (3, 3600), (0.25, 600)))])
    assert {n for (n,) in per_device} == {len(grid)}
    assert np.diff(grid).min() == 600 and np.diff(grid).max() == 3600
    assert len(per_device) >= 4000
    # the daily on-time rate is there for the province, every district and every commune, 90 %+
    on_time = {**_series(demo_db, "TTHC.TL_DUNGHAN", "province"), **_series(demo_db, "TTHC.TL_DUNGHAN", "district")}
    assert len(on_time) == 10 and all(len(v) == 3 for v in on_time.values())
    assert 90 <= min(min(v) for v in on_time.values()) and max(max(v) for v in on_time.values()) <= 100
    assert len(_series(demo_db, "TTHC.TL_DUNGHAN", "commune")) == 91
    online = _series(demo_db, "TTHC.TL_TRUCTUYEN", "province")["74"]
    assert all(40 <= v <= 60 for v in online)
    # the rate is the ratio of the stored counts
    counts = {c: _series(demo_db, c, "province")["74"] for c in ("TTHC.HS_DUNGHAN", "TTHC.HS_GIAIQUYET")}
    assert on_time["74"] == pytest.approx([100 * a / b for a, b in zip(counts["TTHC.HS_DUNGHAN"], counts["TTHC.HS_GIAIQUYET"])], abs=0.05)
    # device-fed: hourly PM2.5 per commune with air sensors, and daily means
    pm25 = _series(demo_db, "MT.KK_GIO.PM25", "province")["74"]
    assert 10 <= np.mean(pm25) <= 70
    assert len(_series(demo_db, "MT.KK_NGAY.PM25", "district")) == 9
    # a day's traffic of a district is the sum of its cameras' readings that day (Vietnam time)
    day, total = _rows(demo_db, "SELECT o.ts, o.value FROM observation o JOIN series s ON s.id = o.series_id"
                                " WHERE s.indicator_code = 'GT.LL_NGAY' AND s.area_code = '724' ORDER BY o.ts")[0]
    cameras = _rows(demo_db, """
        SELECT sum(o.value) FROM observation o JOIN series s ON s.id = o.series_id
        JOIN device d ON d.id = s.device_id JOIN area a ON a.code = d.area_code
        WHERE s.metric = 'vehicles_total' AND a.parent_code = '724' AND o.ts >= %s AND o.ts < %s""",
        (day, day + timedelta(days=1)))[0][0]
    assert (day.timestamp() + 7 * 3600) % 86400 == 0 and total == cameras > 0
    # an hour's traffic of a district: one value per hour, also where readings come every 10 minutes
    hours = dict(_rows(demo_db, "SELECT o.ts, o.value FROM observation o JOIN series s ON s.id = o.series_id"
                                " WHERE s.indicator_code = 'GT.LL' AND s.area_code = '724'"))
    readings = dict(_rows(demo_db, """
        SELECT date_trunc('hour', o.ts), sum(o.value) FROM observation o JOIN series s ON s.id = o.series_id
        JOIN device d ON d.id = s.device_id JOIN area a ON a.code = d.area_code
        WHERE s.metric = 'vehicles_total' AND a.parent_code = '724' GROUP BY 1"""))
    assert len(hours) == 3 * 24 and hours == pytest.approx(readings, abs=0.5)
    # the live aggregation job finds nothing to change in what the backfill wrote: the same query
    fed = [i.code for i in catalog.indicators if i.source == "mqtt" and i.frequency in ("hourly", "daily")]
    with demo_db.connection() as conn:
        values = device_indicator_values(conn, since=UNTIL - timedelta(days=3), until=UNTIL, indicator_codes=fed)
        again = store_device_indicator_values(conn, values)
    assert again.values > 0 and again.changed == 0
    # rollups and latest values follow
    assert _rows(demo_db, "SELECT sum(n) FROM rollup_daily")[0][0] == written
    assert _rows(demo_db, "SELECT count(*) FROM latest_value")[0][0] == len(
        _rows(demo_db, "SELECT DISTINCT series_id FROM observation"))


def test_running_again_writes_nothing_and_a_backfill_after_live_data_fills_only_before_it(demo_db: Database):
    catalog = _subset("TTHC.TL_DUNGHAN", "TTHC.HS_DUNGHAN", "TTHC.HS_GIAIQUYET")
    live = SeriesKey.for_device("air-0001", "pm25")
    with demo_db.connection() as conn:
        write_readings(conn, [Reading(live, UNTIL - timedelta(minutes=30), 42.0)])
    first = backfill(demo_db, days=2, until=UNTIL, catalog=catalog, recent_days=0, tty=False)
    assert first.skipped_series == 1  # the live series
    again = backfill(demo_db, days=2, until=UNTIL, catalog=catalog, recent_days=0, tty=False)
    assert again.rows == 0 and again.skipped_series == again.series
    assert first.events > 0 and again.events == 0  # camera incidents: the same hours give the same ones
    values = _rows(demo_db, "SELECT o.ts, o.value FROM observation o JOIN series s ON s.id = o.series_id"
                            " WHERE s.device_id = 'air-0001' AND s.metric = 'pm25' ORDER BY o.ts")
    assert len(values) == 48 + 1 and values[-1] == (UNTIL - timedelta(minutes=30), 42.0)  # the hours before, then it
    latest = _rows(demo_db, "SELECT l.value FROM latest_value l JOIN series s ON s.id = l.series_id"
                            " WHERE s.device_id = 'air-0001' AND s.metric = 'pm25'")
    assert latest == [(42.0,)]  # the live reading stays the latest
    assert _rows(demo_db, "SELECT count(*) FROM (SELECT series_id, ts FROM observation GROUP BY 1, 2 HAVING count(*) > 1) d")[0][0] == 0


def test_weekly_766_scores_rank_di_an_first_with_its_published_components(demo_db: Database):
    catalog = _subset("CCHC766.")
    backfill(demo_db, days=84, until=UNTIL, catalog=catalog, devices=False, tty=False)
    totals = _series(demo_db, "CCHC766.DIEM_TONG", "district")
    assert len(totals) == 9 and {len(v) for v in totals.values()} == {12}
    assert all(60 <= v <= 85 for series in totals.values() for v in series)
    latest = {area: series[-1] for area, series in totals.items()}
    assert max(latest, key=latest.get) == "724" and latest["724"] == pytest.approx(77.84, abs=1.0)
    ranks = _series(demo_db, "CCHC766.XEP_HANG", "district")
    assert ranks["724"][-10:] == [1.0] * 10  # ten weeks running
    assert sorted(r[-1] for r in ranks.values()) == list(range(1, 10))
    assert _series(demo_db, "CCHC766.TUAN_GIUHANG", "district")["724"][-1] >= 10
    parts = {g: _series(demo_db, f"CCHC766.DIEM_{g}", "district")["724"][-1] for g in ("CKMB", "TDGQ", "DVTT_TT", "SHHS")}
    assert parts == pytest.approx({"CKMB": 17.3, "TDGQ": 19.6, "DVTT_TT": 8.4, "SHHS": 13.5}, abs=0.5)
    groups = sum(_series(demo_db, f"CCHC766.DIEM_{g}", "district")["724"][-1] for g in ("CKMB", "TDGQ", "DVTT", "SHHS", "HL"))
    assert groups == pytest.approx(latest["724"], abs=0.3)  # each figure rounded to 0,1
    communes = {a: v[-1] for a, v in _series(demo_db, "CCHC766.DIEM_TONG", "commune").items()}
    assert max(communes, key=communes.get) == "25945"  # phường Tân Bình, 1/91
    assert communes["25945"] == pytest.approx(81.65, abs=1.5)
    di_an_wards = _rows(demo_db, "SELECT code FROM area WHERE parent_code = '724'")
    assert all(communes[c] > 70 for (c,) in di_an_wards)
