"""Daily, weekly and seasonal shapes of the simulated city: pure numpy functions.

Every function takes arrays (one value per time step, or steps × series) and
returns arrays; nothing here knows about devices, MQTT or the database, so the
live simulator and the history backfill draw from the same shapes.

Time is Vietnam local time (UTC+7, no daylight saving). The rainy season runs
May–November with afternoon storms; the dry season (December–April) has the
worst air.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "UTC_OFFSET_HOURS",
    "local_clock",
    "traffic_profile",
    "inversion_profile",
    "season_dry",
    "rain_markov",
    "water_level_response",
    "tide",
    "noise_level",
    "ar1",
    "congestion_level",
    "sun_profile",
    "aqi_from_pm25",
]

UTC_OFFSET_HOURS = 7
_TIDE_PERIOD_H = 12.42  # principal lunar semi-diurnal tide of the Sài Gòn–Đồng Nai estuary


def local_clock(epoch_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(local hour as a float 0–24, weekday 0=Monday, day of year 0–365) of UTC epoch seconds."""
    local = np.asarray(epoch_s, dtype=np.float64) + UTC_OFFSET_HOURS * 3600
    days = np.floor(local / 86400)
    hour = (local - days * 86400) / 3600
    weekday = ((days + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday
    day_of_year = ((local / 86400) % 365.2425)
    return hour, weekday, day_of_year


def _bump(hour: np.ndarray, centre: float, width: float) -> np.ndarray:
    d = (hour - centre + 12) % 24 - 12  # circular distance on the clock
    return np.exp(-0.5 * (d / width) ** 2)


def traffic_profile(hour: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Relative traffic 0–1: night lows, morning and evening rush on weekdays, flatter weekends."""
    day = 1 / (1 + np.exp(-(hour - 6.0) * 2.0)) * (1 / (1 + np.exp((hour - 22.0) * 1.5)))
    weekday_shape = 0.06 + 0.44 * day + 0.42 * _bump(hour, 7.4, 0.9) + 0.5 * _bump(hour, 17.6, 1.2)
    weekend_shape = 0.05 + 0.48 * day + 0.12 * _bump(hour, 9.5, 1.5) + 0.2 * _bump(hour, 18.5, 1.5)
    weekend = np.asarray(weekday) >= 5
    return np.clip(np.where(weekend, weekend_shape * 0.9, weekday_shape), 0.0, 1.0)


def inversion_profile(hour: np.ndarray) -> np.ndarray:
    """Night-time temperature inversion 0–1: pollutants pile up from late evening to dawn."""
    return np.clip(_bump(hour, 4.0, 3.0) + 0.5 * _bump(hour, 21.0, 2.0), 0.0, 1.0)


def season_dry(day_of_year: np.ndarray) -> np.ndarray:
    """Dry-season weight: +1 in late January, −1 in late July (rainy season)."""
    return np.cos(2 * np.pi * (np.asarray(day_of_year) - 25) / 365.2425)


def rain_markov(
    hour: np.ndarray,
    day_of_year: np.ndarray,
    step_h: float,
    rng: np.random.Generator,
    state: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Rain intensity (mm/h, steps × regions) from a two-state Markov chain per region.

    Storms start mostly in the afternoons of the rainy season and last a couple
    of hours. ``state`` (one bool per region: raining now) is carried between
    calls; the new state is returned with the intensities.
    """
    wet_season = np.clip(0.8 * np.cos(2 * np.pi * (np.asarray(day_of_year) - 240) / 365.2425) + 0.3, 0.02, 1.0)
    afternoon = 0.3 + 1.4 * _bump(np.asarray(hour), 16.0, 2.2)
    p_start = np.clip(0.045 * wet_season * afternoon * step_h, 0, 0.9)
    p_stop = min(0.9, 0.4 * step_h)
    steps, regions = len(p_start), len(state)
    draws = rng.random((steps, regions))
    wet = np.zeros((steps, regions), dtype=bool)
    now = np.asarray(state, dtype=bool).copy()
    for t in range(steps):
        now = np.where(now, draws[t] >= p_stop, draws[t] < p_start[t])
        wet[t] = now
    intensity = rng.gamma(shape=1.3, scale=6.0, size=(steps, regions))
    return np.where(wet, intensity, 0.0), now


def water_level_response(
    inflow: np.ndarray, *, gain: np.ndarray, tau_h: np.ndarray, step_h: float, state: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rise of water (m, steps × gauges): a linear reservoir filled by rain (mm/h), draining with ``tau_h``.

    ``state`` is the rise at the end of the previous call; the new one is returned.
    """
    keep = np.exp(-step_h / np.asarray(tau_h, dtype=np.float64))
    out = np.empty(inflow.shape, dtype=np.float64)
    level = np.asarray(state, dtype=np.float64).copy()
    for t in range(inflow.shape[0]):
        level = level * keep + inflow[t] * step_h * gain
        out[t] = level
    return out, level


def tide(epoch_s: np.ndarray, amplitude: np.ndarray, phase_h: np.ndarray | float = 0.0) -> np.ndarray:
    """Semi-diurnal tide (m) at the given instants (steps × gauges when amplitude is per gauge)."""
    hours = np.asarray(epoch_s, dtype=np.float64)[:, None] / 3600
    return np.asarray(amplitude) * np.sin(2 * np.pi * (hours + phase_h) / _TIDE_PERIOD_H)


def noise_level(traffic: np.ndarray, base_db: np.ndarray | float) -> np.ndarray:
    """Equivalent sound level (dBA): ``base_db`` at full traffic, about 12 dB less at night."""
    return np.asarray(base_db) + 10 * np.log10(0.06 + 0.94 * np.asarray(traffic))


def ar1(steps: int, state: np.ndarray, *, phi: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A stationary unit-variance AR(1) process (steps × columns) continuing from ``state``: slow drift."""
    noise = rng.normal(0.0, np.sqrt(1 - phi**2), size=(steps, len(state)))
    out = np.empty((steps, len(state)))
    now = np.asarray(state, dtype=np.float64).copy()
    for t in range(steps):
        now = phi * now + noise[t]
        out[t] = now
    return out, now


def congestion_level(occupancy: np.ndarray) -> np.ndarray:
    """Congestion level 0 (free flow) … 1 (standstill) from lane occupancy 0–1."""
    return np.clip((np.asarray(occupancy) - 0.2) / 0.65, 0.0, 1.0)


def sun_profile(hour: np.ndarray) -> np.ndarray:
    """Sunshine weight 0–1 peaking early afternoon: drives ozone and temperature."""
    return _bump(np.asarray(hour), 13.0, 2.6)


# VN_AQI breakpoints for PM2.5 (Decision 1459/QĐ-TCMT): concentration → index.
_AQI_PM25 = ([0, 25, 50, 80, 150, 250, 350, 500], [0, 50, 100, 150, 200, 300, 400, 500])


def aqi_from_pm25(pm25: np.ndarray) -> np.ndarray:
    """VN_AQI sub-index of PM2.5 (µg/m³), piecewise linear, capped at 500."""
    return np.round(np.interp(np.asarray(pm25), *_AQI_PM25))
