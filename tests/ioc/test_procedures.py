"""Dossier statistics assembled from stored counts and shares, with rates recomputed from sums."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ioc.formatting import LOCAL_TZ
from ioc.model import Reading, SeriesKey
from ioc.procedures import dossier_stats, load_fields, period_bounds
from ioc.storage.observations import write_readings

from tests.ioc.storage._score766_data import seed_reference

TODAY = date(2026, 11, 30)


def test_period_bounds():
    start, end = period_bounds("7d", today=TODAY)
    assert end == datetime(2026, 12, 1, tzinfo=LOCAL_TZ) and end - start == timedelta(days=7)
    assert period_bounds("month", today=TODAY)[0] == datetime(2026, 11, 1, tzinfo=LOCAL_TZ)
    assert period_bounds("quarter", today=TODAY)[0] == datetime(2026, 10, 1, tzinfo=LOCAL_TZ)
    assert period_bounds("year", today=TODAY)[0] == datetime(2026, 1, 1, tzinfo=LOCAL_TZ)
    with pytest.raises(ValueError, match="7d"):
        period_bounds("fortnight", today=TODAY)


def test_dossier_stats_per_district(empty_db):
    fields = load_fields()
    counts = [fields[f] for f in ("received", "resolved", "on_time", "overdue", "online")]
    shares = [fields[f] for f in ("digitised_share", "satisfaction")]
    day = datetime(2026, 11, 28, tzinfo=LOCAL_TZ)
    with empty_db.connection() as conn:
        seed_reference(conn, counts, unit="hồ sơ", agg="sum", frequency="daily")
        seed_reference(conn, shares, unit="%", agg="last", frequency="daily")
        r = lambda f, area, d, v: Reading(SeriesKey.for_indicator(fields[f], area), day + timedelta(days=d), v)  # noqa: E731
        write_readings(conn, [
            r("received", "725", 0, 100), r("received", "725", 1, 100), r("resolved", "725", 0, 150),
            r("on_time", "725", 0, 120), r("on_time", "725", 1, 15), r("online", "725", 1, 90),
            r("overdue", "725", 0, 3), r("digitised_share", "725", 0, 81.0), r("digitised_share", "725", 1, 83.5),
            r("received", "718", 0, 300), r("resolved", "718", 0, 0), r("satisfaction", "718", 0, 97.0),
            r("received", "725", -30, 5000),  # outside the 7-day period
        ])
    stats = dossier_stats(empty_db, by="district", period="7d", today=TODAY)
    assert [row.code for row in stats.rows] == ["718", "725"]  # most dossiers first
    di_an = stats.rows[1]
    assert di_an["received"] == 200 and di_an["resolved"] == 150 and di_an["on_time"] == 135
    assert di_an.on_time_rate == 90.0 and di_an.online_share == 45.0
    assert di_an["digitised_share"] == 83.5 and di_an["satisfaction"] is None
    assert stats.rows[0].on_time_rate is None  # nothing resolved: no rate, not 0 %
    assert stats.total["received"] == 500 and stats.total.online_share == 18.0
    assert stats.as_of == day + timedelta(days=1)


def test_shares_are_recomputed_from_summed_parts(empty_db):
    fields = load_fields()
    day = datetime(2026, 11, 28, tzinfo=LOCAL_TZ)
    with empty_db.connection() as conn:
        seed_reference(conn, [fields["received"], "TTHC.HS_SOHOA"], unit="hồ sơ", agg="sum", frequency="daily")
        seed_reference(conn, [fields["digitised_share"]], unit="%", agg="ratio", frequency="daily")
        conn.execute("UPDATE indicator SET numerator_code = 'TTHC.HS_SOHOA', denominator_code = %s WHERE code = %s",
                     (fields["received"], fields["digitised_share"]))
        r = lambda code, area, d, v: Reading(SeriesKey.for_indicator(code, area), day + timedelta(days=d), v)  # noqa: E731
        write_readings(conn, [
            r(fields["received"], "725", 0, 100), r(fields["received"], "725", 1, 300),
            r("TTHC.HS_SOHOA", "725", 0, 100), r("TTHC.HS_SOHOA", "725", 1, 200),  # 300 / 400 = 75 %, not mean(100 %, 66,7 %)
            r(fields["digitised_share"], "725", 1, 12.0),  # a stored share loses against the parts
            r(fields["received"], "718", 0, 100), r(fields["digitised_share"], "718", 0, 64.0),  # no parts: stored value
        ])
    stats = dossier_stats(empty_db, by="district", period="7d", today=TODAY)
    rows = {row.code: row for row in stats.rows}
    assert rows["725"]["digitised_share"] == 75.0
    assert rows["718"]["digitised_share"] == 64.0
    assert stats.total["digitised_share"] == 60.0  # 300 / 500 over both districts


def test_every_field_names_a_catalog_indicator():
    from ioc.catalog import load_catalog

    catalog = load_catalog()
    missing = {name: code for name, code in load_fields().items() if code not in catalog.by_code}
    assert not missing, f"dossier_fields.csv names indicators the catalog lacks: {missing}"
