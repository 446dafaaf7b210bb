"""Shapes of indicator values: each a function of (indicator, areas, periods), deterministic.

A shape returns a periods × leaf-areas matrix. Randomness comes from hashing
(indicator, area, period), never from a shared generator, so a value asked for
again (by the live simulator, or a second backfill) is the same value.

Shapes (the ``shape`` column of ``profiles.csv``):

- ``level``: a level with seasonality, trend and smooth noise (stocks, amounts);
- ``count``: the same, rounded to whole numbers (dossiers, visitors ...);
- ``rate``: a percentage or ratio held near ``base`` (clipped to min/max);
- ``score766``: points out of the indicator's target (its maximum points);
- ``sum_of``: the sum of the indicators whose codes match ``parts`` (766 totals);
- ``count_above``: 1 where indicator ``of`` is at least ``at`` (units rated "tốt"), summed upward;
- ``rank``: 1 = best value of indicator ``of`` among the areas of one level;
- ``streak``: periods in a row at the same value of ``of`` (weeks holding a rank);
- ``change``: ``of`` minus its value the period before.

Additive indicators (``agg_area = sum``) scale ``base`` by population (per
10,000 inhabitants) and, for flows (``agg_time = sum``), by the period's days;
stocks (other ``agg_time``) use the ``stock`` option instead of ``base`` when set.
"""

from __future__ import annotations

import fnmatch
import zlib
from typing import TYPE_CHECKING

import numpy as np

from collectors.simulators.calendar import PERIOD_DAYS, period_starts
from collectors.simulators.patterns import local_clock
from collectors.simulators.signals import TREND_ORIGIN

if TYPE_CHECKING:
    from collectors.simulators.indicators import IndicatorPlan, IndicatorSignals

__all__ = ["Context", "combine", "rank", "streak", "change", "SHAPES", "AREA_SHAPES"]

_YEAR_S = 365.2425 * 86400
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _key(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _seeds(code: str, leaves: list[str], salt: str = "") -> np.ndarray:
    return np.array([_key(code, leaf, salt) if salt else _key(code, leaf) for leaf in leaves], dtype=np.uint64)


def _splitmix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
        x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
        x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
        return x ^ (x >> np.uint64(31))


def hashed_normal(seeds: np.ndarray | int, index: np.ndarray) -> np.ndarray:
    """Standard normal draws that depend only on (seed, index): shape index × seeds (or index for one seed)."""
    seeds_arr = np.atleast_1d(np.asarray(seeds, dtype=np.uint64))
    idx = np.asarray(index, dtype=np.int64).astype(np.uint64)
    base = idx[:, None] * np.uint64(2) + seeds_arr[None, :] * np.uint64(1_000_003)
    u1 = (_splitmix(base) >> np.uint64(11)).astype(np.float64) / 2**53
    u2 = (_splitmix(base + np.uint64(1)) >> np.uint64(11)).astype(np.float64) / 2**53
    out = np.sqrt(-2 * np.log(np.maximum(u1, 1e-300))) * np.cos(2 * np.pi * u2)
    return out[:, 0] if np.ndim(seeds) == 0 else out


class Context:
    """One request for values over a grid of periods; memoises leaf matrices."""

    def __init__(self, signals: "IndicatorSignals", epoch: np.ndarray) -> None:
        self.signals = signals
        self.epoch = np.asarray(epoch, dtype=np.float64)
        _, self.weekday, self.doy = local_clock(self.epoch)
        self.years = (self.epoch - TREND_ORIGIN) / _YEAR_S
        self.index = (self.epoch // 3600).astype(np.int64)  # one index per hour: unique per period
        self._memo: dict[tuple, tuple[list[str], np.ndarray]] = {}
        self._busy: set[tuple] = set()

    def leaf(self, ind, level: str, *, as_parts: bool = True) -> tuple[list[str], np.ndarray]:
        """(leaf codes, periods × leaves matrix) of an indicator at one level."""
        key = (ind.code, level, as_parts)
        if key in self._memo:
            return self._memo[key]
        leaves = self.signals.land.codes_at[level]
        ratio = self.signals.numerator_of.get(ind.code) if as_parts else None
        if key in self._busy:
            ratio = None  # a loop of ratios: draw this one on its own
        self._busy.add(key)
        try:
            if ratio is not None:
                _, den = self.leaf(self.signals.by_code[ratio.denominator_code], level)
                rate = self.shape_values(ratio, leaves)
                scale = 100.0 if ratio.unit == "%" else 1.0
                matrix = np.round(den * np.clip(rate / scale, 0.0, 1.0))
            else:
                matrix = self.shape_values(ind, leaves)
        finally:
            self._busy.discard(key)
        self._memo[key] = (leaves, matrix)
        return leaves, matrix

    def shape_values(self, ind, leaves: list[str]) -> np.ndarray:
        """The indicator's own shape evaluated at the leaves."""
        profile = self.signals.leaf_profile(ind)
        return SHAPES[profile.shape](self, ind, profile, leaves)

    # -- building blocks --------------------------------------------------------------------

    def base(self, ind, profile, leaves: list[str], *, additive: bool = True) -> np.ndarray:
        """Per-leaf level: base × area factors × a stable log-normal draw (× population, × days for sums)."""
        land = self.signals.land
        base = profile.base
        if additive and ind.agg_area == "sum" and ind.agg_time != "sum":
            base = profile.param("stock", base)  # a stock (per 10,000 people), not a flow per day
        factors = np.array([profile.factor(land.district.get(code), code) for code in leaves])
        out = base * factors
        if profile.spread:
            draws = hashed_normal(_seeds(ind.code, leaves, "spread"), np.array([0]))[0]
            out = out * np.exp(profile.spread * draws)
        if additive and ind.agg_area == "sum":
            out = out * np.array([land.population[c] / 10_000 for c in leaves])
            if ind.agg_time == "sum":
                out = out * PERIOD_DAYS[ind.frequency]
        return out

    def smooth(self, ind, leaves: list[str]) -> np.ndarray:
        """Unit-scale noise (periods × leaves): slow waves plus a little white noise, hashed."""
        seeds = _seeds(ind.code, leaves)
        days = (self.epoch / 86400)[:, None]
        phases = hashed_normal(seeds, np.arange(3)) * np.pi  # 3 × leaves
        waves = sum(a * np.sin(2 * np.pi * days / period + phases[k][None, :])
                    for k, (a, period) in enumerate(zip((0.7, 0.5, 0.35), (11.0, 41.0, 127.0))))
        return (waves + 0.55 * hashed_normal(seeds, self.index)) / 0.83

    def seasonal(self, profile) -> np.ndarray:
        """1 + amplitude × cos(day of year − peak): e.g. Tết and the rainy season."""
        amp = profile.param("seasonal", 0.0)
        peak = profile.param("season_peak", 30.0)
        out = 1 + amp * np.cos(2 * np.pi * (self.doy - peak) / 365.2425)
        weekend = profile.param("weekend", 1.0)
        if weekend != 1.0:
            out = out * np.where(self.weekday >= 5, weekend, 1.0)
        return out[:, None]

    def trend(self, profile) -> np.ndarray:
        """1 + trend × years since the trend origin."""
        return (1 + profile.trend * self.years)[:, None]


def _clip(values: np.ndarray, profile, low: float | None = None, high: float | None = None) -> np.ndarray:
    lo = profile.min if profile.min is not None else low
    hi = profile.max if profile.max is not None else high
    return np.clip(values, -np.inf if lo is None else lo, np.inf if hi is None else hi)


def _level(ctx: Context, ind, profile, leaves):
    base = ctx.base(ind, profile, leaves)[None, :]
    return _clip(base * ctx.seasonal(profile) * ctx.trend(profile) * (1 + profile.noise * ctx.smooth(ind, leaves)), profile, 0.0)


def _count(ctx: Context, ind, profile, leaves):
    return np.round(_level(ctx, ind, profile, leaves))


def _rate(ctx: Context, ind, profile, leaves):
    base = ctx.base(ind, profile, leaves, additive=False)[None, :]
    values = base * ctx.trend(profile) * ctx.seasonal(profile) + profile.noise * base * ctx.smooth(ind, leaves)
    return _clip(values, profile, 0.0, 100.0 if ind.unit == "%" else None)


def _score766(ctx: Context, ind, profile, leaves):
    maximum = ind.target or profile.param("max_points", 100.0)
    frac = ctx.base(ind, profile, leaves, additive=False)[None, :] * ctx.trend(profile)
    frac = frac + profile.noise * ctx.smooth(ind, leaves)
    return np.round(maximum * np.clip(frac, 0.0, 1.0), 2)


def _sum_of(ctx: Context, ind, profile, leaves):
    pattern = profile.text("parts")
    level = ctx.signals.land.level[leaves[0]]
    parts = [p for code, p in ctx.signals.by_code.items() if code != ind.code and fnmatch.fnmatchcase(code, pattern)]
    if not parts:
        return _level(ctx, ind, profile, leaves)
    return np.sum([ctx.leaf(p, level)[1] for p in parts], axis=0)


def combine(agg: str, matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Aggregate columns (areas or devices) per ``agg_area``: sum, max, min, else weighted mean."""
    if agg == "sum":
        return matrix.sum(axis=1)
    if agg == "max":
        return matrix.max(axis=1)
    if agg == "min":
        return matrix.min(axis=1)
    return matrix @ (weights / weights.sum())


def _count_above(ctx: Context, ind, profile, leaves):
    of = _referenced(ctx, ind, profile)
    level = ctx.signals.land.level[leaves[0]]
    return (ctx.leaf(of, level)[1] >= profile.param("at", 80.0)).astype(np.float64)


def _referenced(ctx: Context, ind, profile):
    of = ctx.signals.by_code.get(profile.text("of"))
    if of is None:
        raise KeyError(f"{ind.code}: its profile must name a known indicator in of= (got {profile.text('of')!r})")
    return of


def rank(ctx: Context, plan: "IndicatorPlan") -> dict[str, np.ndarray]:
    """Rank (1 = best) of each area among the areas of its level, by indicator ``of``."""
    signals = ctx.signals
    of = _referenced(ctx, plan.indicator, plan.profile)
    sign = -1.0 if of.direction != "lower_better" else 1.0
    out: dict[str, np.ndarray] = {}
    for level in plan.levels:
        values = signals.aggregate(of, [level], ctx)
        codes = [c for c in signals.land.codes_at[level] if c in values]
        matrix = np.column_stack([np.round(values[c], of.decimals) for c in codes]) * sign
        ranks = matrix.argsort(axis=1, kind="stable").argsort(axis=1) + 1
        out.update({c: ranks[:, j].astype(np.float64) for j, c in enumerate(codes)})
    return out


def _with_history(ctx: Context, plan: "IndicatorPlan", periods: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Values of indicator ``of`` over the requested periods and the ``periods`` before them."""
    signals = ctx.signals
    of = _referenced(ctx, plan.indicator, plan.profile)
    first = ctx.epoch[0]
    span = PERIOD_DAYS[plan.frequency] * 86400 * (periods + 2)
    before = period_starts(plan.frequency, first - span, first)[-periods:]
    epoch = np.concatenate([before, ctx.epoch])
    of_plan = next((p for p in signals.scheduled() if p.code == of.code), None)
    if of_plan is None:
        raise KeyError(f"{plan.code}: indicator {of.code} is not simulated per period")
    return epoch, signals.values_over(of_plan, epoch)


def streak(ctx: Context, plan: "IndicatorPlan") -> dict[str, np.ndarray]:
    """Consecutive periods (this one included) at the same value of ``of``: weeks at the same rank."""
    lookback = int(plan.profile.param("lookback", 52))
    epoch, values = _with_history(ctx, plan, lookback)
    out = {}
    for area, series in values.items():
        run = np.ones(len(series))
        for t in range(1, len(series)):
            run[t] = run[t - 1] + 1 if series[t] == series[t - 1] else 1
        out[area] = run[lookback:]
    return {a: out[a] for a in plan.areas if a in out}


def change(ctx: Context, plan: "IndicatorPlan") -> dict[str, np.ndarray]:
    """Difference of ``of`` from the period before."""
    _, values = _with_history(ctx, plan, 1)
    return {a: np.diff(values[a]) for a in plan.areas if a in values}


SHAPES = {"level": _level, "count": _count, "rate": _rate, "score766": _score766, "sum_of": _sum_of,
          "count_above": _count_above}
#: Shapes computed per area (not from leaves aggregated upward).
AREA_SHAPES = {"rank": rank, "streak": streak, "change": change}
