"""Indicator status, change, progress, sector counts and headline KPIs against a real database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ioc.storage.db import Database
from ioc.storage.kpis import classify, data_freshness, headline_kpis, indicator_statuses, progress_to_target, sector_summaries
from tests.layouts.fixtures_data import HEADLINE, SECTORS, seed_dashboard


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        (95, "higher_better", "good"), (85, "higher_better", "warning"), (80, "higher_better", "critical"),
        (2, "lower_better", "good"), (4, "lower_better", "warning"), (6, "lower_better", "critical"),
        (1e9, "neutral", "good"), (None, "higher_better", "stale"),
    ],
)
def test_classify_reads_thresholds_in_the_indicator_direction(value, direction, expected) -> None:
    thresholds = {"higher_better": (90, 80), "lower_better": (3, 6), "neutral": (1, 2)}[direction]
    assert classify(value, direction=direction, warning=thresholds[0], critical=thresholds[1]) == expected


def test_progress_to_target() -> None:
    assert progress_to_target(93.4, 95, "higher_better") == pytest.approx(93.4 / 95)
    assert progress_to_target(120, 100, "higher_better") == 1.0
    assert progress_to_target(7, 2, "lower_better") == pytest.approx(2 / 7)
    assert progress_to_target(1, 2, "lower_better") == 1.0
    assert progress_to_target(5, None, "higher_better") is None


@pytest.fixture
def seeded(empty_db: Database) -> Database:
    seed_dashboard(empty_db)
    return empty_db


def test_statuses_use_the_province_series_and_previous_value(seeded: Database) -> None:
    with seeded.connection() as conn:
        items = {i.code: i for i in indicator_statuses(conn)}
    assert len(items) == 100
    ontime = items["TTHC_ONTIME"]
    assert ontime.area_code == "74" and ontime.value == pytest.approx(93.4)
    assert ontime.status == "good"  # 93,4% is above the 90% warning line
    assert ontime.prev_value is not None and ontime.change == pytest.approx(93.4 - ontime.prev_value)
    assert ontime.department_vi == "Sở Thông tin và Truyền thông"
    assert items["GT_ACCIDENT"].status == "critical"  # 7 accidents, critical from 6 (lower is better)
    assert items["DVC_ONLINE"].status == "warning"  # 44,2% under the 50% warning line


def test_old_values_are_stale(seeded: Database) -> None:
    with seeded.connection() as conn:
        items = indicator_statuses(conn, sector_code="TTHC")
        later = indicator_statuses(conn, sector_code="TTHC", now=datetime.now(timezone.utc) + timedelta(days=5))
    assert {i.sector_code for i in items} == {"TTHC"}
    assert all(i.status == "stale" for i in later)  # daily indicators, 5 days without news


def test_sector_summaries_count_every_indicator_once(seeded: Database) -> None:
    with seeded.connection() as conn:
        summaries = sector_summaries(conn)
    assert [s.code for s in summaries] == [code for code, *_ in SECTORS]
    assert sum(s.total for s in summaries) == 100
    assert all(s.total == 4 for s in summaries)
    assert sum(s.critical for s in summaries) > 0 and sum(s.stale for s in summaries) > 0
    transport = next(s for s in summaries if s.code == "GT")
    assert transport.worst == "critical"


def test_headline_kpis_prefer_area_reported_indicators_with_targets(seeded: Database) -> None:
    with seeded.connection() as conn:
        auto = headline_kpis(conn)
        chosen = headline_kpis(conn, codes=["MT_AQI", "CCHC_766"])
        fresh = data_freshness(conn)
    assert {k.code for k in auto} == {h[0] for h in HEADLINE}
    assert [k.code for k in chosen] == ["MT_AQI", "CCHC_766"]
    assert fresh is not None and datetime.now(timezone.utc) - fresh < timedelta(hours=2)
