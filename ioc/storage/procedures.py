"""Read queries of dossier statistics (hồ sơ TTHC, DVC) per department, district and commune.

Districts and communes are areas: their figures are the series (indicator,
area). A department's figures are filed under the province area with
``metric = "department:<code>"`` (see the ``one_stop`` pull source), so they
never mix with the province's own series. Counts (received, resolved ...) are
summed over a period; shares (digitised, cashless, satisfaction ...) are the
latest value at the period's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import psycopg

__all__ = ["UnitFigures", "period_sums", "latest_figures", "ratio_parts", "DEPARTMENT_PREFIX"]

DEPARTMENT_PREFIX = "department:"

# The unit of a series: the department code for department series, else the area.
_UNIT = "CASE WHEN %(by_dept)s THEN substr(s.metric, length(%(prefix)s) + 1) ELSE s.area_code END"

# Which series belong to the asked units (shared by both queries below).
_WHERE = """
WHERE s.indicator_code = ANY(%(codes)s) AND s.device_id IS NULL
  AND CASE WHEN %(by_dept)s
           THEN s.metric LIKE %(prefix)s || '%%' AND dp.code IS NOT NULL
           ELSE s.metric IS NULL AND a.level = %(level)s
                AND (%(parent)s::text IS NULL OR a.parent_code = %(parent)s) END
ORDER BY 1
"""

_JOINS = """
FROM series s
LEFT JOIN area a ON a.code = s.area_code
LEFT JOIN department dp ON %(by_dept)s AND dp.code = substr(s.metric, length(%(prefix)s) + 1)
"""

_NAMES = ("CASE WHEN %(by_dept)s THEN dp.name_vi ELSE a.name_vi END, "
          "CASE WHEN %(by_dept)s THEN dp.name_en ELSE a.name_en END")

_SUMS = f"""
SELECT {_UNIT} AS unit, {_NAMES}, s.indicator_code, v.total, v.last_ts
{_JOINS}
JOIN LATERAL (
    SELECT sum(o.value) AS total, max(o.ts) AS last_ts FROM observation o
    WHERE o.series_id = s.id AND o.ts >= %(since)s AND o.ts < %(until)s
) v ON v.total IS NOT NULL
{_WHERE}"""

_LATEST = f"""
SELECT {_UNIT} AS unit, {_NAMES}, s.indicator_code, v.value, v.ts
{_JOINS}
JOIN LATERAL (
    SELECT o.value, o.ts FROM observation o
    WHERE o.series_id = s.id AND o.ts < %(until)s
    ORDER BY o.ts DESC LIMIT 1
) v ON true
{_WHERE}"""


@dataclass(frozen=True, slots=True)
class UnitFigures:
    """One unit's values of the asked indicators (``values``: indicator code → value)."""

    code: str
    name_vi: str | None
    name_en: str | None
    values: dict[str, float] = field(default_factory=dict)
    as_of: datetime | None = None


def _params(codes: Sequence[str], level: str | None, parent_code: str | None, by_department: bool) -> dict:
    if not by_department and level is None:
        raise ValueError("give an area level (district, commune ...) or by_department=True")
    return {"codes": list(codes), "level": level, "parent": parent_code, "by_dept": by_department,
            "prefix": DEPARTMENT_PREFIX}


def _collect(rows) -> list[UnitFigures]:
    names: dict[str, tuple[str | None, str | None]] = {}
    values: dict[str, dict[str, float]] = {}
    newest: dict[str, datetime] = {}
    for code, name_vi, name_en, indicator, value, ts in rows:
        names.setdefault(code, (name_vi, name_en))
        values.setdefault(code, {})[indicator] = value
        if code not in newest or ts > newest[code]:
            newest[code] = ts
    return [UnitFigures(code, *names[code], values=values[code], as_of=newest.get(code)) for code in names]


def period_sums(
    conn: psycopg.Connection,
    *,
    codes: Sequence[str],
    since: datetime,
    until: datetime,
    level: str | None = None,
    parent_code: str | None = None,
    by_department: bool = False,
) -> list[UnitFigures]:
    """Sums over [since, until) of the given count indicators, per unit of ``level`` or per department."""
    params = _params(codes, level, parent_code, by_department) | {"since": since, "until": until}
    return _collect(conn.execute(_SUMS, params).fetchall())


def latest_figures(
    conn: psycopg.Connection,
    *,
    codes: Sequence[str],
    until: datetime,
    level: str | None = None,
    parent_code: str | None = None,
    by_department: bool = False,
) -> list[UnitFigures]:
    """The latest value before ``until`` of the given indicators, per unit of ``level`` or per department."""
    params = _params(codes, level, parent_code, by_department) | {"until": until}
    return _collect(conn.execute(_LATEST, params).fetchall())


def ratio_parts(conn: psycopg.Connection, codes: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(numerator, denominator) of each given ratio indicator that defines both."""
    rows = conn.execute(
        "SELECT code, numerator_code, denominator_code FROM indicator"
        " WHERE code = ANY(%s) AND numerator_code IS NOT NULL AND denominator_code IS NOT NULL",
        (list(codes),),
    )
    return {code: (num, den) for code, num, den in rows}
