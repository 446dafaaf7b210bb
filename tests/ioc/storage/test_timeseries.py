"""Series over ranges (raw / hourly / daily source), breakdown by child area, comparison."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ioc.errors import StorageError
from ioc.storage.db import Database
from ioc.storage.timeseries import breakdown, choose_source, comparison, range_bounds, series_points, sparkline
from tests.layouts.fixtures_data import DISTRICT_NAMES, seed_dashboard

NOW = datetime.now(timezone.utc)


@pytest.mark.parametrize(
    ("span", "table", "bucket"),
    [
        (timedelta(hours=24), "observation", timedelta(minutes=5)),
        (timedelta(days=2), "observation", timedelta(minutes=5)),
        (timedelta(days=7), "rollup_hourly", timedelta(hours=1)),
        (timedelta(days=60), "rollup_hourly", timedelta(hours=3)),
        (timedelta(days=365), "rollup_daily", timedelta(days=1)),
        (timedelta(days=5 * 365), "rollup_daily", timedelta(days=7)),
    ],
)
def test_source_follows_the_span(span: timedelta, table: str, bucket: timedelta) -> None:
    source = choose_source(NOW - span, NOW)
    assert (source.table, source.bucket) == (table, bucket)
    assert span / source.bucket <= 1000


def test_range_bounds_named_and_custom() -> None:
    start, end = range_bounds("7d", now=NOW)
    assert (start, end) == (NOW - timedelta(days=7), NOW)
    assert range_bounds("custom", start=NOW - timedelta(days=3), end=NOW) == (NOW - timedelta(days=3), NOW)
    with pytest.raises(StorageError, match="unknown range '2w'"):
        range_bounds("2w")
    with pytest.raises(StorageError, match="custom range needs a start before its end"):
        range_bounds("custom", start=NOW, end=NOW - timedelta(days=1))


@pytest.fixture(scope="module")
def seeded(pg_server_url: str, template_database: str):
    from tests.conftest import create_database, drop_database

    name = f"ioc_test_ts_{NOW.strftime('%H%M%S%f')}"
    database = Database(create_database(pg_server_url, name, template=template_database), max_size=2).open()
    seed_dashboard(database)
    yield database
    database.close()
    drop_database(pg_server_url, name)


def test_year_range_reads_daily_rollups(seeded: Database) -> None:
    with seeded.connection() as conn:
        points = series_points(conn, "TTHC_ONTIME", "74", start=NOW - timedelta(days=365), end=NOW)
    assert 360 <= len(points) <= 367  # one point a day
    assert all(b.ts - a.ts == timedelta(days=1) for a, b in zip(points, points[1:]))


def test_day_range_reads_raw_observations(seeded: Database) -> None:
    with seeded.connection() as conn:
        points = series_points(conn, "TTHC_ONTIME", "74", start=NOW - timedelta(hours=24), end=NOW)
    # 23-24 hourly raw values plus the latest, in 5-minute buckets.
    assert 23 <= len(points) <= 26
    assert points[-1].value == pytest.approx(93.4)


def test_sum_indicators_add_up_within_a_bucket(seeded: Database) -> None:
    with seeded.connection() as conn:
        weekly = series_points(conn, "DN_NEW", "74", start=NOW - timedelta(days=5 * 365), end=NOW)
        daily = series_points(conn, "DN_NEW", "74", start=NOW - timedelta(days=400), end=NOW)
    assert sum(p.value for p in weekly) == pytest.approx(sum(p.value for p in daily))
    assert len(weekly) < len(daily) / 5


def test_breakdown_ranks_children_and_lists_missing_last(seeded: Database) -> None:
    with seeded.connection() as conn:
        districts = breakdown(conn, "TTHC_ONTIME", "74")
        communes = breakdown(conn, "TTHC_ONTIME", "724")
        none = breakdown(conn, "SNV_404", "74")
    assert [d.code for d in districts if d.value is not None] and len(districts) == len(DISTRICT_NAMES)
    values = [d.value for d in districts]
    assert values == sorted(values, reverse=True)
    assert next(d for d in districts if d.code == "724").has_children is True
    assert [c.code for c in communes] == ["72403", "72402", "72401"]
    assert all(not c.has_children for c in communes)
    assert all(v.value is None for v in none)


def test_comparison_returns_a_series_per_area(seeded: Database) -> None:
    with seeded.connection() as conn:
        result = comparison(conn, "TTHC_ONTIME", ["718", "724", "72401"], start=NOW - timedelta(days=30), end=NOW)
        spark = sparkline(conn, "MT_AQI", "74")
    assert set(result) == {"718", "724", "72401"}
    assert len(result["718"]) >= 28 and len(result["724"]) >= 28
    assert len(result["72401"]) == 1  # communes only have the latest value
    assert 28 <= len(spark) <= 31


def test_unknown_indicator_is_an_error_naming_it(seeded: Database) -> None:
    with seeded.connection() as conn, pytest.raises(StorageError, match="unknown indicator 'NOPE'"):
        series_points(conn, "NOPE", "74", start=NOW - timedelta(days=1), end=NOW)
