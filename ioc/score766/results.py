"""Load a week's 766 scorecard from storage: the one I/O entry point the pages and the notice use."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta

from ioc.score766.components import Component, default_components
from ioc.score766.scorecard import Scorecard, build_scorecard
from ioc.score766.scoring import Band, load_bands
from ioc.storage.db import Database
from ioc.storage.score766 import available_weeks, score_history, weekly_scores

__all__ = ["load_scorecard", "result_weeks"]

logger = logging.getLogger(__name__)


def result_weeks(db: Database, *, level: str, components: Sequence[Component] | None = None) -> list[date]:
    """Mondays of the weeks with 766 results at ``level``, newest first."""
    components = components or default_components()
    with db.connection() as conn:
        return available_weeks(conn, codes=[c.indicator_code for c in components], level=level)


def load_scorecard(
    db: Database,
    *,
    level: str,
    week: date | None = None,
    history_weeks: int = 26,
    components: Sequence[Component] | None = None,
    bands: Sequence[Band] | None = None,
) -> Scorecard | None:
    """The scorecard of ``level`` for ``week`` (default: the latest week with results), or None."""
    components = tuple(components or default_components())
    bands = bands or load_bands()
    codes = [c.indicator_code for c in components]
    with db.connection() as conn:
        if week is None:
            weeks = available_weeks(conn, codes=codes, level=level, limit=1)
            if not weeks:
                return None
            week = weeks[0]
        units = weekly_scores(conn, codes=codes, level=level, week=week)
        history = score_history(conn, codes=codes, level=level,
                                since=week - timedelta(weeks=history_weeks), until=week - timedelta(weeks=1))
    if not units:
        return None
    logger.debug("766 scorecard %s %s: %s units", level, week, len(units))
    return build_scorecard(week, level, units, history, components, bands)
