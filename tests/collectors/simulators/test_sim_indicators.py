"""Indicator values: every catalog indicator simulated, deterministic, aggregated consistently."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from collectors.simulators.calendar import period_start, period_starts
from collectors.simulators.fleet import read_fleet
from collectors.simulators.indicators import IndicatorSignals
from collectors.simulators.profiles import load_profiles
from geo.units import load_units

UNTIL = datetime(2026, 11, 30, 6, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def signals() -> IndicatorSignals:
    return IndicatorSignals(load_units(), load_profiles(), devices=read_fleet())


def test_periods_start_at_vietnam_midnight_monday_and_the_first():
    local = timezone(timedelta(hours=7))
    t = UNTIL.timestamp()
    assert datetime.fromtimestamp(period_start("daily", t), local) == datetime(2026, 11, 30, tzinfo=local)
    assert datetime.fromtimestamp(period_start("weekly", t), local).weekday() == 0
    assert datetime.fromtimestamp(period_start("monthly", t), local) == datetime(2026, 11, 1, tzinfo=local)
    assert datetime.fromtimestamp(period_start("quarterly", t), local) == datetime(2026, 10, 1, tzinfo=local)
    months = period_starts("monthly", t - 365 * 86400, t)
    assert len(months) == 12


def test_every_catalog_indicator_is_simulated_with_finite_values(signals):
    plans = signals.scheduled()
    realtime = {code for code, _ in signals.realtime_series()}
    aggregated = {plan.code for plan in signals.aggregated()}  # left to the aggregation job
    assert len(plans) + len(realtime) + len(aggregated) == len(signals.catalog.indicators)
    assert {signals.by_code[c].frequency for c in realtime} == {"realtime"}
    assert {signals.by_code[c].frequency for c in aggregated} == {"hourly", "daily"}
    assert {"GT.LL", "MT.KK_GIO.PM25", "GT.LL_NGAY"} <= aggregated
    assert not {p.code for p in plans} & aggregated  # never drawn from a profile as well
    since = UNTIL - timedelta(days=40)
    for plan in plans:
        epoch, values = signals.generate(plan, since, UNTIL)
        assert set(values) == set(plan.areas), plan.code
        for area, series in values.items():
            assert len(series) == len(epoch) and np.isfinite(series).all(), (plan.code, area)
            if plan.indicator.unit == "%" and plan.code.startswith(("TTHC.", "DVC.")):
                assert (0 <= series).all() and (series <= 100).all(), (plan.code, area)


def test_live_values_equal_the_history_of_the_same_period(signals):
    plan = next(p for p in signals.scheduled() if p.code == "TTHC.TL_DUNGHAN")
    epoch, history = signals.generate(plan, UNTIL - timedelta(days=5), UNTIL)
    stamp, now = signals.values_at(plan, UNTIL.timestamp())
    assert stamp == epoch[-1]
    assert now == {area: series[-1] for area, series in history.items()}


def test_sums_add_up_from_communes_to_the_province(signals):
    plan = next(p for p in signals.scheduled() if p.code == "TTHC.HS_TIEPNHAN")
    _, values = signals.generate(plan, UNTIL - timedelta(days=7), UNTIL)
    districts = [c for c in plan.areas if signals.land.level[c] == "district"]
    communes = [c for c in plan.areas if signals.land.level[c] == "commune"]
    assert np.allclose(values["74"], sum(values[d] for d in districts))
    assert np.allclose(values["724"], sum(values[c] for c in communes if signals.land.parent[c] == "724"))
