"""Bộ chỉ số 766: scoring, rankings, streaks and gaps, the weekly scorecard and the weekly notice.

Pure arithmetic in :mod:`~ioc.score766.scoring` and :mod:`~ioc.score766.ranking`;
components (groups and maxima) from the catalog in :mod:`~ioc.score766.components`;
the week's scorecard in :mod:`~ioc.score766.scorecard` (pure) and
:mod:`~ioc.score766.results` (loaded from storage); the district's weekly notice
in :mod:`~ioc.score766.notice`.
"""

from __future__ import annotations

from ioc.score766.ranking import Streak, WeekRank, competition_ranks, current_streak, gap_to_next_rank, point_losses
from ioc.score766.scoring import Band, classify, criterion_score, group_total, load_bands, unit_total

__all__ = [
    "Band",
    "Streak",
    "WeekRank",
    "classify",
    "competition_ranks",
    "criterion_score",
    "current_streak",
    "gap_to_next_rank",
    "group_total",
    "load_bands",
    "point_losses",
    "unit_total",
]
