"""Dossier statistics per district, commune and department, read back from stored observations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ioc.formatting import LOCAL_TZ
from ioc.model import Reading, SeriesKey
from ioc.storage.observations import write_readings
from ioc.storage.procedures import latest_figures, period_sums

from tests.ioc.storage._score766_data import seed_reference

COUNTS = ["T.RECEIVED", "T.ONLINE"]
SHARES = ["T.DIGITISED"]
D1 = datetime(2026, 11, 23, tzinfo=LOCAL_TZ)


def _seed(conn):
    seed_reference(conn, COUNTS, unit="hồ sơ", agg="sum", frequency="daily")
    seed_reference(conn, SHARES, unit="%", agg="last", frequency="daily")
    conn.execute("INSERT INTO department (code, name_vi, name_en) VALUES ('STP', 'Sở Tư pháp', 'Justice')")
    r = lambda code, area, day, v, metric=None: Reading(  # noqa: E731
        SeriesKey(indicator_code=code, area_code=area, metric=metric), D1 + timedelta(days=day), v)
    write_readings(conn, [
        r("T.RECEIVED", "725", 0, 100), r("T.RECEIVED", "725", 1, 120), r("T.RECEIVED", "725", 7, 999),
        r("T.ONLINE", "725", 0, 40), r("T.ONLINE", "725", 1, 50),
        r("T.RECEIVED", "718", 1, 80),
        r("T.RECEIVED", "25942", 0, 10), r("T.RECEIVED", "25747", 0, 12),
        r("T.RECEIVED", "74", 0, 5000),  # the province's own series
        r("T.RECEIVED", "74", 0, 300, "department:STP"), r("T.RECEIVED", "74", 1, 200, "department:STP"),
        r("T.RECEIVED", "74", 1, 7, "department:UNKNOWN_NOT_A_DEPT"),
        r("T.DIGITISED", "725", 0, 88.5), r("T.DIGITISED", "725", 2, 90.0), r("T.DIGITISED", "725", 9, 95.0),
        r("T.DIGITISED", "74", 2, 97.0, "department:STP"),
    ])


def test_period_sums_per_district_and_commune(empty_db):
    with empty_db.connection() as conn:
        _seed(conn)
        week = dict(since=D1, until=D1 + timedelta(days=7))
        districts = {u.code: u for u in period_sums(conn, codes=COUNTS, level="district", **week)}
        communes = period_sums(conn, codes=COUNTS, level="commune", parent_code="725", **week)
    assert districts["725"].values == {"T.RECEIVED": 220.0, "T.ONLINE": 90.0}
    assert districts["725"].name_vi == "Dĩ An" and districts["725"].as_of == D1 + timedelta(days=1)
    assert districts["718"].values == {"T.RECEIVED": 80.0}
    assert [(u.code, u.values) for u in communes] == [("25942", {"T.RECEIVED": 10.0})]


def test_department_figures_stay_apart_from_the_province(empty_db):
    with empty_db.connection() as conn:
        _seed(conn)
        depts = period_sums(conn, codes=COUNTS, since=D1, until=D1 + timedelta(days=7), by_department=True)
        province = period_sums(conn, codes=COUNTS, since=D1, until=D1 + timedelta(days=7), level="province")
    assert [(u.code, u.name_vi, u.values) for u in depts] == [("STP", "Sở Tư pháp", {"T.RECEIVED": 500.0})]
    assert province[0].values == {"T.RECEIVED": 5000.0}


def test_latest_figures_at_period_end(empty_db):
    with empty_db.connection() as conn:
        _seed(conn)
        until = D1 + timedelta(days=7)
        districts = latest_figures(conn, codes=SHARES, level="district", until=until)
        depts = latest_figures(conn, codes=SHARES, by_department=True, until=until)
        with pytest.raises(ValueError, match="level"):
            latest_figures(conn, codes=SHARES, until=until)
    assert [(u.code, u.values) for u in districts] == [("725", {"T.DIGITISED": 90.0})]
    assert depts[0].values == {"T.DIGITISED": 97.0}
