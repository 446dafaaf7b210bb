"""Simulated device readings: every metric of every device, as arrays, with state carried over.

:class:`DeviceSignals` turns a vector of instants into ``{kind: {metric: steps ×
devices}}`` arrays using the shapes of :mod:`collectors.simulators.patterns` and
the calibration of ``profiles.csv``. It keeps the slow state (rain per district,
water stored upstream of each gauge, water-quality drift) between calls, so the
history backfill calls it month by month and the live simulator one tick at a
time, and both see the same kind of city.

Counts (vehicles, rainfall) are per step: an hourly step counts an hour's
vehicles, a one-minute step a minute's; summing over an hour gives the same.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

import numpy as np

from collectors.simulators import patterns as p
from collectors.simulators.profiles import Profile, Profiles
from ioc.storage.devices import Device

__all__ = ["DeviceSignals", "stable_rng", "TREND_ORIGIN"]

#: Trends are relative to this instant: values equal their calibrated base there (the
#: calibration figures are recent ones), earlier values follow the trend backwards.
TREND_ORIGIN = datetime(2026, 11, 1, tzinfo=timezone.utc).timestamp()
_YEAR_S = 365.2425 * 86400


def stable_rng(*parts: object) -> np.random.Generator:
    """A random generator seeded by the given names: the same names, the same numbers."""
    return np.random.default_rng(zlib.crc32("|".join(map(str, parts)).encode()))


class _Kind:
    """The devices of one kind with their static attributes as arrays."""

    def __init__(self, devices: Sequence[Device], district_of: Mapping[str, str]) -> None:
        self.devices = list(devices)
        self.ids = [d.id for d in devices]
        self.districts = [district_of.get(d.area_code or "", "") for d in devices]
        props = [d.properties for d in devices]
        self.lanes = np.array([float(pr.get("lanes") or 4) for pr in props])
        self.setting = np.array([str(pr.get("setting", "")) for pr in props])
        self.flood = np.array([bool(pr.get("flood_point")) for pr in props])
        self.tide_weight = np.array([float(pr.get("tide_weight") or 0.0) for pr in props])
        self.wastewater = np.array([pr.get("source") == "wastewater" for pr in props])

    def factors(self, profile: Profile) -> np.ndarray:
        """Per-device multiplier of the base: district factor × a stable log-normal draw."""
        out = np.empty(len(self.ids))
        for i, (device_id, district) in enumerate(zip(self.ids, self.districts)):
            draw = stable_rng(device_id, profile.key).normal() if profile.spread else 0.0
            out[i] = profile.factor(district) * np.exp(profile.spread * draw - profile.spread**2 / 2)
        return out


class DeviceSignals:
    """Generator of device readings for a fleet, continuing from where the last call ended."""

    def __init__(self, devices: Sequence[Device], profiles: Profiles, district_of: Mapping[str, str], *, seed: int = 766) -> None:
        self.profiles = profiles
        self.rng = np.random.default_rng(seed)
        self.kinds = {
            kind: _Kind([d for d in devices if d.kind == kind], district_of)
            for kind in dict.fromkeys(d.kind for d in devices)
            if profiles.device_metrics(kind)
        }
        self.regions = sorted(set(district_of.values()))
        self._region_index = {code: i for i, code in enumerate(self.regions)}
        self._rain_state = np.zeros(len(self.regions), dtype=bool)
        self._factors = {
            (kind, metric): group.factors(profiles.devices[(kind, metric)])
            for kind, group in self.kinds.items()
            for metric in profiles.device_metrics(kind)
        }
        self._level_state = np.zeros(len(self.kinds["water_level"].ids)) if "water_level" in self.kinds else None
        self._drift_state: dict[str, np.ndarray] = {}

    def metrics(self, kind: str) -> list[str]:
        """The metrics generated for a device kind."""
        return self.profiles.device_metrics(kind)

    def generate(self, epoch_s: np.ndarray, step_s: float) -> dict[str, dict[str, np.ndarray]]:
        """Readings at the given UTC instants (evenly ``step_s`` apart): kind → metric → steps × devices."""
        epoch_s = np.asarray(epoch_s, dtype=np.float64)
        step_h = step_s / 3600
        hour, weekday, doy = p.local_clock(epoch_s)
        ctx = {
            "epoch": epoch_s, "hour": hour, "step_h": step_h, "doy": doy,
            "traffic": p.traffic_profile(hour, weekday), "weekday": weekday,
            "years": (epoch_s - TREND_ORIGIN) / _YEAR_S,
        }
        rain, self._rain_state = p.rain_markov(hour, doy, step_h, self.rng, self._rain_state)
        ctx["rain_region"] = rain  # mm/h, steps × districts
        out: dict[str, dict[str, np.ndarray]] = {}
        for kind, group in self.kinds.items():
            cols = [self._region_index.get(d, 0) for d in group.districts]
            ctx["rain"] = rain[:, cols]
            values: dict[str, np.ndarray] = {}
            for metric in self.metrics(kind):
                profile = self.profiles.devices[(kind, metric)]
                raw = _SHAPES[profile.shape](self, group, profile, self._factors[(kind, metric)], ctx, values)
                values[metric] = _finish(raw, profile, ctx, self.rng)
            out[kind] = values
        return out


def _finish(raw: np.ndarray, profile: Profile, ctx: dict, rng: np.random.Generator) -> np.ndarray:
    value = raw * (1 + profile.trend * ctx["years"])[:, None]
    if profile.noise:
        value = value * (1 + profile.noise * rng.normal(size=value.shape))
    if profile.shape == "traffic_count":
        value = rng.poisson(np.maximum(value, 0.0)).astype(np.float64)
    low = profile.min if profile.min is not None else -np.inf
    high = profile.max if profile.max is not None else np.inf
    return np.round(np.clip(value, low, high), 3)


def _washout(ctx: dict) -> np.ndarray:
    return 1 / (1 + 0.12 * ctx["rain"])


def _traffic_count(sig, group, profile, f, ctx, values):
    share = profile.param("night_share", 0.0)
    shape = share + (1 - share) * ctx["traffic"]
    return profile.base * f * group.lanes / 4 * shape[:, None] * ctx["step_h"]


def _traffic_total(sig, group, profile, f, ctx, values):
    counts = [v for m, v in values.items() if m.startswith("count_")]
    return np.sum(counts, axis=0) if counts else np.zeros((len(ctx["epoch"]), len(group.ids)))


def _occupancy(sig, group, profile, f, ctx, values):
    return profile.base * f * ctx["traffic"][:, None] ** 1.3 * (1 + 0.15 * (ctx["rain"] > 0))


def _traffic_speed(sig, group, profile, f, ctx, values):
    occ = np.clip(values.get("occupancy", ctx["traffic"][:, None] * 0.5), 0, 1)
    return profile.base * f * (1 - profile.param("slowdown", 0.6) * occ**1.5) * (1 - 0.1 * (ctx["rain"] > 0))


def _congestion(sig, group, profile, f, ctx, values):
    occ = values.get("occupancy", ctx["traffic"][:, None] * 0.5)
    return np.round(p.congestion_level(occ), 2)


def _setting(group, profile) -> np.ndarray:
    return np.array([profile.param(s, 1.0) if s else 1.0 for s in group.setting])


def _pm25(sig, group, profile, f, ctx, values):
    daily = 0.5 + 0.55 * ctx["traffic"] + 0.45 * p.inversion_profile(ctx["hour"])
    season = 1 + 0.3 * p.season_dry(ctx["doy"])
    return profile.base * f * _setting(group, profile) * (daily * season)[:, None] * _washout(ctx)


def _ratio_pm25(sig, group, profile, f, ctx, values):
    return values["pm25"] * profile.base * f


def _traffic_gas(sig, group, profile, f, ctx, values):
    daily = (0.35 + 0.8 * ctx["traffic"]) * (1 + 0.25 * p.inversion_profile(ctx["hour"]))
    season = 1 + 0.15 * p.season_dry(ctx["doy"])
    return profile.base * f * _setting(group, profile) * (daily * season)[:, None] * _washout(ctx) ** 0.5


def _industrial_gas(sig, group, profile, f, ctx, values):
    working = np.where(ctx["weekday"] < 6, 1.0, 0.8) * (0.85 + 0.15 * p.inversion_profile(ctx["hour"]))
    return profile.base * f * _setting(group, profile) * working[:, None] * _washout(ctx) ** 0.5


def _ozone(sig, group, profile, f, ctx, values):
    daily = 0.3 + 1.3 * p.sun_profile(ctx["hour"])
    return profile.base * f * daily[:, None] * (1 - 0.35 * (ctx["rain"] > 0))


def _aqi(sig, group, profile, f, ctx, values):
    return p.aqi_from_pm25(values["pm25"])


def _clock_wave(ctx: dict, profile: Profile, peak_hour: float, season_peak_doy: float) -> np.ndarray:
    daily = profile.param("daily_amplitude", 0.0) * np.cos(2 * np.pi * (ctx["hour"] - peak_hour) / 24)
    season = profile.param("seasonal", 0.0) * np.cos(2 * np.pi * (ctx["doy"] - season_peak_doy) / 365.2425)
    return (daily + season)[:, None]


def _air_temperature(sig, group, profile, f, ctx, values):
    return profile.base * f + _clock_wave(ctx, profile, 14.5, 105) - 2.5 * (ctx["rain"] > 0)


def _humidity(sig, group, profile, f, ctx, values):
    return profile.base * f - _clock_wave(ctx, profile, 14.5, 0) + 12 * (ctx["rain"] > 0)


def _rainfall(sig, group, profile, f, ctx, values):
    return np.round(ctx["rain"] * f * ctx["step_h"], 1)


def _water_level(sig, group, profile, f, ctx, values):
    flood = group.flood
    gain = np.where(flood, profile.param("flood_gain", 0.018), profile.param("river_gain", 0.012))
    tau = np.where(flood, profile.param("flood_tau", 1.5), profile.param("river_tau", 60.0))
    rise, sig._level_state = p.water_level_response(ctx["rain"], gain=gain, tau_h=tau, step_h=ctx["step_h"], state=sig._level_state)
    wet = -p.season_dry(ctx["doy"] - 30)[:, None] * 0.35  # rivers run high late in the rainy season
    river = profile.base * f + wet + p.tide(ctx["epoch"], profile.param("tide", 0.75) * group.tide_weight) + rise
    return np.round(np.where(flood, np.maximum(rise - 0.03, 0.0), river), 3)


def _wq_drift(sig, group, profile, f, ctx, values):
    phi = float(np.exp(-ctx["step_h"] / 72))
    state = sig._drift_state.get(profile.key)
    if state is None:
        state = stable_rng(profile.key).normal(size=len(group.ids))
    drift, sig._drift_state[profile.key] = p.ar1(len(ctx["epoch"]), state, phi=phi, rng=sig.rng)
    level = profile.base * f * np.where(group.wastewater, profile.param("wastewater", 1.0), 1.0)
    rain = profile.param("rain", 0.0) * np.minimum(ctx["rain"], 20) / 10
    season = profile.param("seasonal", 0.0) * np.cos(2 * np.pi * (ctx["doy"] - 105) / 365.2425)[:, None]
    return level + profile.param("drift", 0.0) * drift + rain + season


def _noise(sig, group, profile, f, ctx, values):
    base = profile.base * f + np.where(group.setting == "urban", profile.param("urban", 0.0), 0.0)
    return p.noise_level(ctx["traffic"][:, None], base)


_SHAPES = {
    "traffic_count": _traffic_count,
    "traffic_total": _traffic_total,
    "occupancy": _occupancy,
    "traffic_speed": _traffic_speed,
    "congestion": _congestion,
    "pm25": _pm25,
    "ratio_pm25": _ratio_pm25,
    "traffic_gas": _traffic_gas,
    "industrial_gas": _industrial_gas,
    "ozone": _ozone,
    "aqi": _aqi,
    "air_temperature": _air_temperature,
    "humidity": _humidity,
    "rainfall": _rainfall,
    "water_level": _water_level,
    "wq_drift": _wq_drift,
    "noise": _noise,
}
