"""The 766 scorecard of one week: every unit of a level with total, rank, band, streak and gaps.

:func:`build_scorecard` is pure: it takes the week's component scores (as
:mod:`ioc.storage.score766` returns them, keyed by indicator code), the
previous weeks' scores and the components, and ranks units among all units of
the level (a commune is ranked among the province's 91 even when the view shows
one district's communes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ioc.score766.components import Component, top_level
from ioc.score766.ranking import WeekRank, Streak, competition_ranks, current_streak, gap_to_next_rank, point_losses, rank_history
from ioc.score766.scoring import Band, classify, unit_total
from ioc.storage.score766 import UnitScores

__all__ = ["UnitResult", "Scorecard", "build_scorecard", "component_scores"]


@dataclass(frozen=True, slots=True)
class UnitResult:
    """One unit's 766 result in a week, with its place and what it changed since last week."""

    code: str
    name_vi: str
    name_en: str | None
    parent_code: str | None
    scores: dict[str, float | None]
    total: float | None
    rank: int | None
    band: Band | None
    previous_total: float | None
    previous_rank: int | None
    previous_scores: dict[str, float | None]
    streak: Streak | None
    gap: float | None
    losses: list[tuple[str, float]]
    history: list[WeekRank] = field(default_factory=list)

    @property
    def total_change(self) -> float | None:
        """Points gained (+) or lost (−) since the previous week."""
        if self.total is None or self.previous_total is None:
            return None
        return round(self.total - self.previous_total, 2)

    @property
    def rank_change(self) -> int | None:
        """Places gained (+) or lost (−) since the previous week."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    def score_change(self, component: str) -> float | None:
        """Points gained (+) or lost (−) in one component since the previous week."""
        now, before = self.scores.get(component), self.previous_scores.get(component)
        return None if now is None or before is None else round(now - before, 2)


@dataclass(frozen=True, slots=True)
class Scorecard:
    """A level's results for a week: ``units`` best first (unranked units last)."""

    week: date
    level: str
    components: tuple[Component, ...]
    units: list[UnitResult]
    ranked: int

    def unit(self, code: str) -> UnitResult | None:
        """The result of one unit, or None."""
        return next((u for u in self.units if u.code == code), None)

    def children(self, parent_code: str) -> list[UnitResult]:
        """Results of the units under ``parent_code`` (keeping the level-wide ranks)."""
        return [u for u in self.units if u.parent_code == parent_code]


def component_scores(raw: Mapping[str, float], components: Sequence[Component]) -> dict[str, float | None]:
    """Indicator-keyed scores → component-keyed scores (None where a component has no value).

    A group reported only through its parts (online services = provision +
    payment) gets the sum of the parts that have a value.
    """
    scores = {c.code: raw.get(c.indicator_code) for c in components}
    for group in top_level(components):
        parts = [scores[c.code] for c in components if c.parent_code == group.code]
        if scores[group.code] is None and any(p is not None for p in parts):
            scores[group.code] = round(sum(p for p in parts if p is not None), 4)
    return scores


def _total(scores: Mapping[str, float | None], components: Sequence[Component]) -> float | None:
    return unit_total({c.code: scores.get(c.code) for c in top_level(components)})


def build_scorecard(
    week: date,
    level: str,
    units: Sequence[UnitScores],
    history: Mapping[date, Mapping[str, Mapping[str, float]]],
    components: Sequence[Component],
    bands: Sequence[Band],
) -> Scorecard:
    """Rank the week's units and attach their previous week, history, streak, gap and losses.

    ``history`` holds earlier weeks (week → area → indicator → points); the
    current week is taken from ``units`` and overrides ``history[week]``.
    """
    scores = {u.code: component_scores(u.scores, components) for u in units}
    totals = {code: _total(s, components) for code, s in scores.items()}
    weekly_totals = {
        w: {area: _total(component_scores(raw, components), components) for area, raw in areas.items()}
        for w, areas in history.items() if w < week
    }
    weekly_totals[week] = totals
    histories = rank_history(weekly_totals)
    previous_week = max((w for w in weekly_totals if w < week), default=None)
    previous = history.get(previous_week, {}) if previous_week else {}
    previous_ranks = competition_ranks(weekly_totals[previous_week]) if previous_week else {}
    ranks = competition_ranks(totals)
    maxima = {c.code: c.max_points for c in top_level(components)}
    results = []
    for unit in units:
        own = scores[unit.code]
        prev_scores = component_scores(previous.get(unit.code, {}), components)
        results.append(UnitResult(
            code=unit.code, name_vi=unit.name_vi, name_en=unit.name_en, parent_code=unit.parent_code,
            scores=own, total=totals[unit.code], rank=ranks.get(unit.code), band=classify(totals[unit.code], bands),
            previous_total=weekly_totals[previous_week].get(unit.code) if previous_week else None,
            previous_rank=previous_ranks.get(unit.code), previous_scores=prev_scores,
            streak=current_streak(histories.get(unit.code, []), as_of=week),
            gap=gap_to_next_rank(unit.code, totals),
            losses=point_losses(own, maxima) if totals[unit.code] is not None else [],
            history=histories.get(unit.code, []),
        ))
    results.sort(key=lambda r: (r.rank is None, r.rank or 0, r.name_vi))
    return Scorecard(week, level, tuple(components), results, ranked=len(ranks))
