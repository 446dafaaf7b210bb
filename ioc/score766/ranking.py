"""Bộ chỉ số 766 rankings: competition ranks, rank history, streaks, gaps and point losses.

Pure functions over plain mappings. Ties share a rank and the next rank skips
("1, 2, 2, 4"), as the national portal publishes them. Totals are compared at
two decimals, so 77,835 and 77,84 tie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ioc.score766.scoring import round_points

__all__ = [
    "WeekRank",
    "Streak",
    "competition_ranks",
    "rank_history",
    "current_streak",
    "gap_to_next_rank",
    "point_losses",
]

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class WeekRank:
    """A unit's rank and total in one week (``week`` is its Monday)."""

    week: date
    rank: int
    total: float


@dataclass(frozen=True, slots=True)
class Streak:
    """``weeks`` consecutive weeks at ``rank``, from the week of ``since`` to the latest one."""

    rank: int
    weeks: int
    since: date

    @property
    def leading(self) -> bool:
        """Whether the streak is at rank 1 ("N tuần liên tiếp dẫn đầu")."""
        return self.rank == 1


def _scored(totals: Mapping[str, float | None]) -> dict[str, float]:
    return {code: round_points(total) for code, total in totals.items() if total is not None}


def competition_ranks(totals: Mapping[str, float | None]) -> dict[str, int]:
    """Rank of each unit with a total: 1 + the number of units with a strictly higher total.

    Units without a total (``None``) are left out.
    """
    scored = _scored(totals)
    ordered = sorted(scored.values(), reverse=True)
    first_index: dict[float, int] = {}
    for index, total in enumerate(ordered):
        first_index.setdefault(total, index)
    return {code: first_index[total] + 1 for code, total in scored.items()}


def rank_history(weekly_totals: Mapping[date, Mapping[str, float | None]]) -> dict[str, list[WeekRank]]:
    """Each unit's ranks week by week (oldest first), ranking every week on its own."""
    history: dict[str, list[WeekRank]] = {}
    for week in sorted(weekly_totals):
        totals = weekly_totals[week]
        for code, rank in competition_ranks(totals).items():
            history.setdefault(code, []).append(WeekRank(week, rank, round_points(totals[code])))
    return history


def current_streak(history: Sequence[WeekRank], *, as_of: date | None = None) -> Streak | None:
    """The run of consecutive weeks at the latest rank, ending at the latest week.

    A missing week breaks the run. With ``as_of`` (a Monday), the latest week
    must be that week, else there is no current streak.
    """
    if not history:
        return None
    ordered = sorted(history, key=lambda item: item.week)
    latest = ordered[-1]
    if as_of is not None and latest.week != as_of:
        return None
    weeks, since = 1, latest.week
    for previous in reversed(ordered[:-1]):
        if previous.week != since - WEEK or previous.rank != latest.rank:
            break
        weeks, since = weeks + 1, previous.week
    return Streak(latest.rank, weeks, since)


def gap_to_next_rank(code: str, totals: Mapping[str, float | None]) -> float | None:
    """Points ``code`` lacks to reach the next better rank (the lowest total above its own).

    ``None`` for the leader (or tied leaders) and for a unit without a total.
    Reaching that total ties the unit with the unit above, which shares its rank.
    """
    scored = _scored(totals)
    if code not in scored:
        return None
    own = scored[code]
    above = [total for total in scored.values() if total > own]
    if not above:
        return None
    return round_points(min(above) - own)


def point_losses(
    scores: Mapping[str, float | None], maxima: Mapping[str, float], *, include_zero: bool = False
) -> list[tuple[str, float]]:
    """Components by points lost (``max − score``), largest loss first; ties keep ``maxima`` order.

    A component without a score loses its whole maximum. Zero losses are left
    out unless ``include_zero``.
    """
    order = {code: index for index, code in enumerate(maxima)}
    losses = []
    for code, maximum in maxima.items():
        score = scores.get(code)
        lost = round_points(maximum - (score if score is not None else 0.0))
        if lost > 0 or include_zero:
            losses.append((code, max(lost, 0.0)))
    return sorted(losses, key=lambda item: (-item[1], order[item[0]]))
