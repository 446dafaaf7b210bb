"""Shapes of the simulated city: rush hours, weekends, night inversions, rain raising the water."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from collectors.simulators import patterns as p
from collectors.simulators.fleet import read_fleet
from collectors.simulators.locator import AreaLocator
from collectors.simulators.profiles import load_profiles
from collectors.simulators.signals import DeviceSignals
from ioc.catalog import load_device_metrics

HOURS = np.arange(24, dtype=float)


def _epoch(year: int, month: int, day: int, hour_local: float = 0.0) -> float:
    return datetime(year, month, day, tzinfo=timezone.utc).timestamp() + (hour_local - 7) * 3600


def test_traffic_has_rush_hours_above_the_night_and_lighter_weekends():
    weekday = p.traffic_profile(HOURS, np.zeros(24))
    sunday = p.traffic_profile(HOURS, np.full(24, 6))
    night = weekday[1:5].max()
    assert weekday[7] > 5 * night and weekday[17] > 5 * night
    assert weekday[7] > weekday[12] and weekday[17] > weekday[12]  # two peaks around a midday plateau
    assert sunday.sum() < weekday.sum()
    assert sunday[7] < weekday[7]


def test_local_clock_is_vietnam_time():
    hour, weekday, _ = p.local_clock(np.array([_epoch(2026, 11, 30, 8.5)]))  # a Monday, 08:30 in Hà Nội
    assert hour[0] == pytest.approx(8.5) and weekday[0] == 0


def test_rain_falls_mostly_in_the_rainy_season():
    rng = np.random.default_rng(1)
    epoch = _epoch(2025, 1, 1) + np.arange(365 * 24) * 3600.0
    hour, _, doy = p.local_clock(epoch)
    rain, _ = p.rain_markov(hour, doy, 1.0, rng, np.zeros(9, dtype=bool))
    month = (doy // 30.44).astype(int)
    wet = rain[(month >= 5) & (month <= 9)].sum()
    dry = rain[(month <= 2) | (month == 11)].sum()
    assert wet > 10 * dry
    assert 1200 < rain.sum() / 9 < 3000  # mm per year at one place, as in Bình Dương


def test_rain_raises_the_water_and_it_drains_afterwards():
    rain = np.zeros((48, 2))
    rain[10:13] = 20.0  # a three-hour storm
    rise, state = p.water_level_response(rain, gain=np.array([0.012, 0.02]), tau_h=np.array([60.0, 1.5]),
                                         step_h=1.0, state=np.zeros(2))
    assert rise[9].max() == 0
    assert rise[12, 0] > 0.5 and rise[12, 1] > 0.5
    assert rise[30, 1] < 0.01 < rise[30, 0]  # a street drains in hours, a river in days
    assert state[0] == pytest.approx(rise[-1, 0])


@pytest.fixture(scope="module")
def month_of_readings():
    locator = AreaLocator()
    signals = DeviceSignals(read_fleet(), load_profiles(), {s.code: s.parent_code for s in locator.seats})
    epoch = _epoch(2026, 3, 2) + np.arange(28 * 24) * 3600.0  # four weeks of the dry season, from a Monday
    return epoch, signals, signals.generate(epoch, 3600)


def test_every_catalog_device_metric_is_simulated_within_its_valid_range(month_of_readings):
    _, _, values = month_of_readings
    for (kind, metric), rule in load_device_metrics().items():
        assert metric in values[kind], f"{kind}.{metric} has no profile in profiles.csv"
        data = values[kind][metric]
        assert np.isfinite(data).all()
        assert rule.min <= data.min() and data.max() <= rule.max, f"{kind}.{metric} outside [{rule.min}, {rule.max}]"


def test_camera_counts_peak_at_rush_hour_and_speed_drops(month_of_readings):
    epoch, _, values = month_of_readings
    hour, weekday, _ = p.local_clock(epoch)
    total = values["camera"]["vehicles_total"].sum(axis=1)
    speed = values["camera"]["avg_speed"].mean(axis=1)
    rush = (weekday < 5) & (np.floor(hour) == 17)
    night = np.floor(hour) == 3
    assert total[rush].mean() > 4 * total[night].mean()
    assert speed[rush].mean() < speed[night].mean()
    weekend = weekday >= 5
    assert total[weekend].mean() < total[~weekend].mean()


def test_air_is_worse_at_night_and_in_town_pm25_in_the_calibrated_range(month_of_readings):
    epoch, signals, values = month_of_readings
    hour, _, _ = p.local_clock(epoch)
    pm25 = values["air"]["pm25"]
    assert 15 <= pm25.mean() <= 60
    assert pm25[np.floor(hour) == 4].mean() > pm25[np.floor(hour) == 14].mean()
    industrial = np.array([d.properties.get("setting") == "industrial" for d in signals.kinds["air"].devices])
    assert pm25[:, industrial].mean() > pm25[:, ~industrial].mean()
    ozone = values["air"]["o3"]
    assert ozone[np.floor(hour) == 13].mean() > ozone[np.floor(hour) == 1].mean()


def test_noise_follows_traffic(month_of_readings):
    epoch, _, values = month_of_readings
    hour, _, _ = p.local_clock(epoch)
    noise = values["noise"]["noise_db"].mean(axis=1)
    assert noise[np.floor(hour) == 17].mean() > noise[np.floor(hour) == 3].mean() + 6


def test_generation_continues_where_it_stopped():
    locator = AreaLocator()
    districts = {s.code: s.parent_code for s in locator.seats}
    fleet = [d for d in read_fleet() if d.kind == "water_level"]
    epoch = _epoch(2026, 8, 1) + np.arange(240) * 3600.0
    whole = DeviceSignals(fleet, load_profiles(), districts, seed=5).generate(epoch, 3600)
    split = DeviceSignals(fleet, load_profiles(), districts, seed=5)
    first, second = split.generate(epoch[:100], 3600), split.generate(epoch[100:], 3600)
    # the rain differs (fresh draws per call) but the state carries: no jump at the seam
    level = np.vstack([first["water_level"]["water_level"], second["water_level"]["water_level"]])
    seam = np.abs(level[100] - level[99]).max()
    assert seam < 1.0 and whole["water_level"]["water_level"].shape == level.shape
