"""Simulated indicator values per area and period, the same whenever they are asked for.

Values are a pure function of (indicator, area, period): the history backfill
and the live simulator agree. Each indicator is generated at the deepest level
it is reported at (communes, usually) and aggregated upward per its
``agg_area`` (sums add up; means are population-weighted; a ratio is the sum of
its numerator over the sum of its denominator). A numerator is drawn as its
denominator × the ratio's calibrated rate, so on-time counts, received counts
and the on-time rate always agree. Ranks are computed among the areas of one
level. Shapes and calibration come from ``profiles.csv`` (see
:mod:`collectors.simulators.profiles`); the functions of each shape are in
:mod:`collectors.simulators.shapes`.

Indicators fed by devices of the fleet (catalog ``source = mqtt``) are not
drawn from a profile: realtime ones are combined here from each step's
readings; hourly and daily ones belong to the aggregation job
(:mod:`collectors.aggregation`), which computes them from the stored readings
for the simulator's history and live data alike, as it does for real devices.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from collectors.simulators import shapes
from collectors.simulators.calendar import period_start, period_starts
from collectors.simulators.profiles import Profile, Profiles
from ioc.errors import DataFileError

__all__ = ["IndicatorPlan", "IndicatorSignals", "Territory"]

logger = logging.getLogger(__name__)

_DEVICE_FREQUENCIES = ("realtime", "hourly", "daily")  # of mqtt indicators computed from readings, not drawn


@dataclass(frozen=True)
class IndicatorPlan:
    """One indicator to simulate: where (areas at its levels) and how (its profile)."""

    code: str
    frequency: str
    levels: tuple[str, ...]
    areas: tuple[str, ...]
    indicator: object
    profile: Profile


class Territory:
    """The area tree as lookups: levels by depth, ancestors, populations."""

    def __init__(self, areas: Sequence) -> None:
        self.parent = {a.code: a.parent_code for a in areas}
        self.level = {a.code: a.level for a in areas}
        depth: dict[str, int] = {}
        for a in areas:
            d, node = 0, a.code
            while self.parent.get(node):
                node, d = self.parent[node], d + 1
            depth[a.code] = d
        self.depth_of_level = {}
        for code, d in depth.items():
            lvl = self.level[code]
            self.depth_of_level[lvl] = min(d, self.depth_of_level.get(lvl, d))
        self.codes_at = {lvl: sorted(c for c in self.level if self.level[c] == lvl) for lvl in self.depth_of_level}
        self.district = {}
        for code in self.level:
            node = code
            while self.parent.get(node) and self.parent.get(self.parent[node]):
                node = self.parent[node]
            self.district[code] = node
        pop = {a.code: float(getattr(a, "population", None) or 0) for a in areas}
        for lvl in sorted(self.depth_of_level, key=self.depth_of_level.get, reverse=True):
            for code in self.codes_at[lvl]:
                kids = [c for c, p in self.parent.items() if p == code]
                if not pop[code] and kids:
                    pop[code] = sum(pop[k] for k in kids)
        self.population = {c: (p or 10_000.0) for c, p in pop.items()}

    def ancestor(self, code: str, level: str) -> str | None:
        """The area at ``level`` that holds ``code`` (itself when it is at that level)."""
        node: str | None = code
        while node is not None and self.level.get(node) != level:
            node = self.parent.get(node)
        return node

    def deepest(self, levels: Sequence[str]) -> str:
        """The deepest of the given levels."""
        return max(levels, key=lambda lvl: self.depth_of_level[lvl])


class IndicatorSignals:
    """Values of every catalog indicator for every area at its levels."""

    def __init__(self, areas: Sequence, profiles: Profiles, *, catalog=None, seed: int = 766,
                 devices: Sequence = (), districts=None) -> None:
        if catalog is None:
            from ioc.catalog import load_catalog

            catalog = load_catalog()
        self.catalog, self.profiles, self.seed = catalog, profiles, seed
        self.land = Territory(areas)
        self.by_code = {ind.code: ind for ind in catalog.indicators}
        self.numerator_of = {}
        for ind in catalog.indicators:
            if ind.numerator_code in self.by_code and ind.denominator_code in self.by_code:
                self.numerator_of.setdefault(ind.numerator_code, ind)
        self._scheduled: list[IndicatorPlan] = []
        self._realtime: list[IndicatorPlan] = []
        self._aggregated: list[IndicatorPlan] = []
        kinds = {(d.kind) for d in devices}
        for ind in catalog.indicators:
            plan = self._plan(ind)
            if plan is None:
                continue
            if not (ind.source == "mqtt" and ind.device_kind in kinds and ind.frequency in _DEVICE_FREQUENCIES):
                self._scheduled.append(plan)
            else:
                (self._realtime if ind.frequency == "realtime" else self._aggregated).append(plan)
        self._device_columns = self._map_devices(self._realtime, devices)
        self._aggregated_series = [(code, area) for items in self._map_devices(self._aggregated, devices).values()
                                   for code, area, _, _ in items]

    def _plan(self, ind) -> IndicatorPlan | None:
        levels = tuple(lvl for lvl in ind.levels if lvl in self.land.codes_at)
        if not levels:
            return None
        profile = self.profiles.for_indicator(ind.code, unit=ind.unit, metric=ind.device_metric)
        if profile is None:
            raise DataFileError("profiles.csv", None, f"no indicator rule matches {ind.code} (unit {ind.unit}); "
                                "end the file with a catch-all rule (key *)")
        areas = tuple(c for lvl in levels for c in self.land.codes_at[lvl])
        return IndicatorPlan(ind.code, ind.frequency, levels, areas, ind, profile)

    # -- scheduled indicators -------------------------------------------------------------------

    def scheduled(self) -> list[IndicatorPlan]:
        """Indicators generated per period (everything not computed from live device readings)."""
        return self._scheduled

    def aggregated(self) -> list[IndicatorPlan]:
        """Hourly and daily device-fed indicators: the aggregation job computes them from the readings."""
        return self._aggregated

    def aggregated_series(self) -> list[tuple[str, str]]:
        """(indicator, area) of every hourly or daily series some device of the fleet feeds."""
        return self._aggregated_series

    def row_estimate(self, since: float | object, until: float | object) -> int:
        """Rows the scheduled indicators give over [since, until)."""
        lo, hi = _epoch(since), _epoch(until)
        return sum(len(period_starts(p.frequency, lo, hi)) * len(p.areas) for p in self._scheduled)

    def generate(self, plan: IndicatorPlan, since: float | object, until: float | object) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(period starts, {area: values}) of one indicator over [since, until)."""
        epoch = period_starts(plan.frequency, _epoch(since), _epoch(until))
        return epoch, self._values(plan, epoch)

    def values_at(self, plan: IndicatorPlan, epoch: float) -> tuple[float, dict[str, float]]:
        """(period start, {area: value}) of the period holding ``epoch``."""
        start = period_start(plan.frequency, epoch)
        values = self._values(plan, np.array([start]))
        return start, {area: float(v[0]) for area, v in values.items()}

    def values_over(self, plan: IndicatorPlan, epoch: np.ndarray) -> dict[str, np.ndarray]:
        """{area: values} of one indicator at the given period starts."""
        return self._values(plan, np.asarray(epoch, dtype=np.float64))

    def _values(self, plan: IndicatorPlan, epoch: np.ndarray) -> dict[str, np.ndarray]:
        if len(epoch) == 0:
            return {a: np.empty(0) for a in plan.areas}
        ctx = shapes.Context(self, epoch)
        ind = plan.indicator
        if plan.profile.shape in shapes.AREA_SHAPES:
            out = shapes.AREA_SHAPES[plan.profile.shape](ctx, plan)
        elif ind.numerator_code in self.by_code and ind.denominator_code in self.by_code:
            num = self.aggregate(self.by_code[ind.numerator_code], plan.levels, ctx)
            den = self.aggregate(self.by_code[ind.denominator_code], plan.levels, ctx)
            scale = 100.0 if ind.unit == "%" else 1.0
            out = {a: np.where(den[a] > 0, num[a] / np.maximum(den[a], 1e-9) * scale, np.nan) for a in plan.areas}
            fallback = self.aggregate(ind, plan.levels, ctx, as_parts=False)
            out = {a: np.where(np.isnan(v), fallback[a], v) for a, v in out.items()}
        else:
            out = self.aggregate(ind, plan.levels, ctx)
        return {a: np.round(v, ind.decimals) for a, v in out.items()}

    def aggregate(self, ind, levels: Sequence[str], ctx: "shapes.Context", *, as_parts: bool = True) -> dict[str, np.ndarray]:
        """Values of ``ind`` at every area of ``levels``: its leaf matrix aggregated per ``agg_area``."""
        leaf_level = self.land.deepest(levels)
        leaves, matrix = ctx.leaf(ind, leaf_level, as_parts=as_parts)
        out: dict[str, np.ndarray] = {}
        weights = np.array([self.land.population[c] for c in leaves])
        for lvl in levels:
            if lvl == leaf_level:
                out.update({c: matrix[:, j] for j, c in enumerate(leaves)})
                continue
            groups: dict[str, list[int]] = {}
            for j, c in enumerate(leaves):
                groups.setdefault(self.land.ancestor(c, lvl) or "", []).append(j)
            for area in self.land.codes_at[lvl]:
                cols = groups.get(area)
                if cols:
                    out[area] = shapes.combine(ind.agg_area, matrix[:, cols], weights[cols])
        return out

    def leaf_profile(self, ind) -> Profile:
        """The calibration row of an indicator."""
        return self.profiles.for_indicator(ind.code, unit=ind.unit, metric=ind.device_metric)

    # -- realtime indicators computed from device readings ----------------------------------------

    def _map_devices(self, plans: Sequence[IndicatorPlan],
                     devices: Sequence) -> dict[str, list[tuple[str, str, str, list[int]]]]:
        """Per device kind: (indicator, area, metric, device columns) for every series the devices feed."""
        by_kind: dict[str, list] = {}
        index = {}
        for d in devices:
            index.setdefault(d.kind, []).append(d)
        for plan in plans:
            ind = plan.indicator
            group = index.get(ind.device_kind, [])
            for area in plan.areas:
                lvl = self.land.level[area]
                cols = [j for j, d in enumerate(group) if d.area_code and self.land.ancestor(d.area_code, lvl) == area]
                if cols:
                    by_kind.setdefault(ind.device_kind, []).append((ind.code, area, ind.device_metric, cols))
        return by_kind

    def realtime_series(self) -> list[tuple[str, str]]:
        """(indicator, area) of every realtime series computed from device readings."""
        return [(code, area) for items in self._device_columns.values() for code, area, _, _ in items]

    def realtime_values(self, values: dict[str, dict[str, np.ndarray]]) -> Iterator[tuple[str, str, np.ndarray]]:
        """(indicator, area, values) of the realtime indicators, one value per step of the readings.

        ``values`` are one chunk of device readings: kind → metric → steps × devices;
        the devices of each area are combined per the indicator's ``agg_area``.
        """
        for kind, items in self._device_columns.items():
            metrics = values.get(kind, {})
            for code, area, metric, cols in items:
                if metric in metrics:
                    ind = self.by_code[code]
                    series = shapes.combine(ind.agg_area, metrics[metric][:, cols], np.ones(len(cols)))
                    yield code, area, np.round(series, ind.decimals)


def _epoch(value: float | object) -> float:
    return float(value) if isinstance(value, (int, float)) else value.timestamp()
