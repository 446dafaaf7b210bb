"""Read queries of the Bộ chỉ số 766 scorecard: weekly component scores per unit.

Weekly 766 results are observations of the catalog's 766 indicators (one
indicator per component), stored per area at the Monday 00:00 (Vietnam time,
UTC+7) of the week they belong to. A week is identified by its Monday
(:class:`datetime.date`); when a week holds several values of one series the
latest one counts (a republished result replaces the earlier one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import psycopg

from ioc.formatting import LOCAL_TZ

__all__ = ["UnitScores", "week_bounds", "weekly_scores", "score_history", "available_weeks"]

# Weeks are Monday-based in local time; LOCAL_TZ is a fixed +07:00 offset.
_WEEK_SQL = "(date_trunc('week', (o.ts AT TIME ZONE 'UTC') + interval '7 hours'))::date"

_WEEKLY = """
SELECT a.code, a.name_vi, a.name_en, a.parent_code, s.indicator_code, v.value
FROM area a
JOIN series s ON s.area_code = a.code AND s.device_id IS NULL AND s.metric IS NULL
JOIN LATERAL (
    SELECT o.value FROM observation o
    WHERE o.series_id = s.id AND o.ts >= %(start)s AND o.ts < %(end)s
    ORDER BY o.ts DESC LIMIT 1
) v ON true
WHERE a.level = %(level)s
  AND s.indicator_code = ANY(%(codes)s)
  AND (%(parent)s::text IS NULL OR a.parent_code = %(parent)s)
ORDER BY a.code
"""

_HISTORY = f"""
SELECT s.area_code, {_WEEK_SQL} AS week, s.indicator_code,
       (array_agg(o.value ORDER BY o.ts DESC))[1] AS value
FROM series s
JOIN area a ON a.code = s.area_code
JOIN observation o ON o.series_id = s.id
WHERE a.level = %(level)s
  AND s.indicator_code = ANY(%(codes)s) AND s.device_id IS NULL AND s.metric IS NULL
  AND o.ts >= %(start)s AND o.ts < %(end)s
GROUP BY 1, 2, 3
ORDER BY 2, 1
"""

_WEEKS = f"""
SELECT DISTINCT {_WEEK_SQL} AS week
FROM series s
JOIN area a ON a.code = s.area_code
JOIN observation o ON o.series_id = s.id
WHERE a.level = %(level)s AND s.indicator_code = ANY(%(codes)s) AND s.device_id IS NULL AND s.metric IS NULL
ORDER BY week DESC
LIMIT %(limit)s
"""


@dataclass(frozen=True, slots=True)
class UnitScores:
    """One unit's component scores in one week: ``scores`` maps indicator code → points."""

    code: str
    name_vi: str
    name_en: str | None
    parent_code: str | None
    scores: dict[str, float] = field(default_factory=dict)


def week_bounds(week: date) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) in Vietnam time of the week containing ``week``."""
    monday = week - timedelta(days=week.weekday())
    start = datetime.combine(monday, time(0), LOCAL_TZ)
    return start, start + timedelta(days=7)


def weekly_scores(
    conn: psycopg.Connection,
    *,
    codes: Sequence[str],
    level: str,
    week: date,
    parent_code: str | None = None,
) -> list[UnitScores]:
    """Every unit of ``level`` (under ``parent_code``) with its scores of the given indicators that week."""
    start, end = week_bounds(week)
    rows = conn.execute(
        _WEEKLY, {"start": start, "end": end, "level": level, "codes": list(codes), "parent": parent_code}
    ).fetchall()
    units: dict[str, UnitScores] = {}
    for code, name_vi, name_en, parent, indicator, value in rows:
        unit = units.setdefault(code, UnitScores(code, name_vi, name_en, parent))
        unit.scores[indicator] = value
    return list(units.values())


def score_history(
    conn: psycopg.Connection,
    *,
    codes: Sequence[str],
    level: str,
    since: date,
    until: date,
) -> dict[date, dict[str, dict[str, float]]]:
    """Scores week by week from ``since`` to ``until`` (both weeks included): week → area → indicator → points."""
    start, _ = week_bounds(since)
    _, end = week_bounds(until)
    rows = conn.execute(_HISTORY, {"level": level, "codes": list(codes), "start": start, "end": end}).fetchall()
    history: dict[date, dict[str, dict[str, float]]] = {}
    for area, week, indicator, value in rows:
        history.setdefault(week, {}).setdefault(area, {})[indicator] = value
    return history


def available_weeks(conn: psycopg.Connection, *, codes: Sequence[str], level: str, limit: int = 104) -> list[date]:
    """Mondays of the weeks that have 766 results at ``level``, newest first."""
    rows = conn.execute(_WEEKS, {"level": level, "codes": list(codes), "limit": limit}).fetchall()
    return [row[0] for row in rows]
