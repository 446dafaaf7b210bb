"""Indicator status for the dashboard: latest value against thresholds, change, targets.

An indicator's headline value is its series at the highest level area that has
data (the province when it reports). Its status is one of ``good``, ``warning``,
``critical`` (the value against the warning/critical thresholds, read in the
indicator's direction) or ``stale`` (no value, or older than its frequency
allows). Sector summaries count indicators by status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import psycopg
from psycopg.rows import dict_row

from ioc.thresholds import threshold_severity

__all__ = [
    "STATUSES",
    "MAX_AGE",
    "IndicatorStatus",
    "SectorSummary",
    "classify",
    "progress_to_target",
    "indicator_statuses",
    "sector_summaries",
    "headline_kpis",
    "data_freshness",
]

STATUSES = ("good", "warning", "critical", "stale")

# How old the latest value may be before the indicator counts as stale.
MAX_AGE = {
    "realtime": timedelta(minutes=30),
    "hourly": timedelta(hours=3),
    "daily": timedelta(days=2),
    "weekly": timedelta(days=10),
    "monthly": timedelta(days=45),
    "quarterly": timedelta(days=120),
    "yearly": timedelta(days=400),
}

# The headline series is the one in a root area (the province) when there is one: an index
# lookup per indicator. Only indicators without a root series fall back to the highest
# level that reports (the gated second lateral runs for those rows alone).
_STATUS_FROM = """
FROM indicator i
JOIN department d ON d.code = i.department_code
LEFT JOIN LATERAL (
    SELECT s.id AS series_id, s.area_code, l.ts, l.value, l.prev_value
    FROM series s
    JOIN latest_value l ON l.series_id = s.id
    WHERE s.indicator_code = i.code AND s.device_id IS NULL
      AND s.area_code IN (SELECT code FROM area WHERE parent_code IS NULL)
    ORDER BY s.area_code
    LIMIT 1
) top ON true
LEFT JOIN LATERAL (
    SELECT s.id AS series_id, s.area_code, l.ts, l.value, l.prev_value
    FROM series s
    JOIN latest_value l ON l.series_id = s.id
    LEFT JOIN area a ON a.code = s.area_code
    WHERE top.series_id IS NULL AND s.indicator_code = i.code AND s.device_id IS NULL
    ORDER BY coalesce(a.depth, -1), s.area_code
    LIMIT 1
) deep ON true
WHERE (%(sector)s::text IS NULL OR i.sector_code = %(sector)s)
  AND (%(codes)s::text[] IS NULL OR i.code = ANY(%(codes)s))
  AND (%(sectors)s::text[] IS NULL OR i.sector_code = ANY(%(sectors)s))
ORDER BY i.sector_code, i.code
"""
_STATUS_SQL = """
SELECT i.code, i.name_vi, i.name_en, i.sector_code, i.department_code,
       d.name_vi AS department_vi, d.name_en AS department_en, d.short_name AS department_short,
       i.unit, i.frequency, i.direction, i.decimals, i.warning, i.critical, i.target,
       coalesce(top.series_id, deep.series_id) AS series_id,
       coalesce(top.area_code, deep.area_code) AS area_code,
       coalesce(top.ts, deep.ts) AS ts,
       coalesce(top.value, deep.value) AS value,
       coalesce(top.prev_value, deep.prev_value) AS prev_value""" + _STATUS_FROM
# The same headline values, only what a status needs: counting 1,600 statuses builds no records.
_STATUS_COUNT_SQL = """
SELECT i.sector_code, i.frequency, i.direction, i.warning, i.critical,
       coalesce(top.ts, deep.ts) AS ts, coalesce(top.value, deep.value) AS value""" + _STATUS_FROM

# Indicators by how many areas report them (headline candidates: widely reported first).
_AREA_COUNTS_SQL = """
SELECT indicator_code, count(*) FROM series
WHERE indicator_code IS NOT NULL AND device_id IS NULL
GROUP BY 1
"""

_SECTORS_SQL = """SELECT code, name_vi, name_en, pillar FROM sector
WHERE %(sectors)s::text[] IS NULL OR code = ANY(%(sectors)s) ORDER BY sort_order, code"""


@dataclass(frozen=True, slots=True)
class IndicatorStatus:
    """One indicator with its headline value, status, change and progress to target."""

    code: str
    name_vi: str
    name_en: str
    sector_code: str
    department_code: str
    department_vi: str
    department_en: str
    department_short: str | None
    unit: str
    frequency: str
    direction: str
    decimals: int
    warning: float | None
    critical: float | None
    target: float | None
    series_id: int | None
    area_code: str | None
    ts: datetime | None
    value: float | None
    prev_value: float | None
    status: str
    change: float | None
    change_pct: float | None
    progress: float | None


@dataclass(frozen=True, slots=True)
class SectorSummary:
    """How many of a sector's indicators are in each status."""

    code: str
    name_vi: str
    name_en: str
    pillar: str | None
    good: int = 0
    warning: int = 0
    critical: int = 0
    stale: int = 0

    @property
    def total(self) -> int:
        """Number of indicators in the sector."""
        return self.good + self.warning + self.critical + self.stale

    @property
    def worst(self) -> str:
        """The most severe status present (stale only when nothing else is known)."""
        for status in ("critical", "warning", "good"):
            if getattr(self, status):
                return status
        return "stale"


def classify(value: float | None, *, direction: str, warning: float | None, critical: float | None) -> str:
    """Status of a value against thresholds: good, warning or critical (stale when no value).

    ``higher_better``: at or below ``critical`` is critical, below ``warning`` is
    warning. ``lower_better``: at or above ``critical`` is critical, above
    ``warning`` is warning. Missing thresholds, or a neutral direction, read as good.
    """
    if value is None:
        return "stale"
    return threshold_severity(value, direction=direction, warning=warning, critical=critical) or "good"


def progress_to_target(value: float | None, target: float | None, direction: str) -> float | None:
    """Share of the target reached, 0–1 (capped), or None without a target."""
    if value is None or target is None or direction == "neutral":
        return None
    if direction == "lower_better":
        if value <= target:
            return 1.0
        return max(0.0, target / value) if value > 0 else 0.0
    if target == 0:
        return 1.0 if value >= 0 else 0.0
    return max(0.0, min(1.0, value / target))


def _status(value: float | None, ts: datetime | None, *, frequency: str, direction: str,
            warning: float | None, critical: float | None, now: datetime) -> str:
    """The status of a headline value: its thresholds, or stale when older than its frequency allows."""
    if ts is not None and now - ts > MAX_AGE[frequency]:
        return "stale"
    return classify(value, direction=direction, warning=warning, critical=critical)


def _status_from_row(row: dict, now: datetime) -> IndicatorStatus:
    value, prev, ts = row["value"], row["prev_value"], row["ts"]
    status = _status(value, ts, frequency=row["frequency"], direction=row["direction"], warning=row["warning"],
                     critical=row["critical"], now=now)
    change = value - prev if value is not None and prev is not None else None
    change_pct = change / abs(prev) * 100 if change is not None and prev else None
    fields = {k: row[k] for k in IndicatorStatus.__slots__ if k in row}
    return IndicatorStatus(
        **fields,
        status=status,
        change=change,
        change_pct=change_pct,
        progress=progress_to_target(value, row["target"], row["direction"]),
    )


def indicator_statuses(
    conn: psycopg.Connection,
    *,
    sector_code: str | None = None,
    codes: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
    now: datetime | None = None,
) -> list[IndicatorStatus]:
    """Every indicator (of a sector, or the given codes) with its headline value and status.

    ``sectors`` restricts the answer to those sectors (a viewer's grant); None means all.
    """
    now = now or datetime.now(timezone.utc)
    with conn.cursor(row_factory=dict_row) as cur:
        # The planner's cost estimate of the laterals triggers JIT, whose compile time (~1 s)
        # dwarfs the query (~50 ms): switch it off for this transaction.
        cur.execute("SET LOCAL jit = off")
        rows = cur.execute(
            _STATUS_SQL, {"sector": sector_code, "codes": list(codes) if codes is not None else None,
                          "sectors": list(sectors) if sectors is not None else None}
        ).fetchall()
    return [_status_from_row(row, now) for row in rows]


def sector_summaries(
    conn: psycopg.Connection, *, sectors: Sequence[str] | None = None, now: datetime | None = None
) -> list[SectorSummary]:
    """Every sector (or those of ``sectors``) in display order with counts of its indicators by status."""
    now = now or datetime.now(timezone.utc)
    counts: dict[str, dict[str, int]] = {}
    params = {"sector": None, "codes": None, "sectors": list(sectors) if sectors is not None else None}
    with conn.cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # as in indicator_statuses
        for sector_code, frequency, direction, warning, critical, ts, value in cur.execute(_STATUS_COUNT_SQL, params):
            bucket = counts.setdefault(sector_code, dict.fromkeys(STATUSES, 0))
            bucket[_status(value, ts, frequency=frequency, direction=direction, warning=warning, critical=critical,
                           now=now)] += 1
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_SECTORS_SQL, {"sectors": list(sectors) if sectors is not None else None}).fetchall()
    return [SectorSummary(**sector, **counts.get(sector["code"], {})) for sector in rows]


def headline_kpis(
    conn: psycopg.Connection,
    *,
    codes: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
    limit: int = 8,
    now: datetime | None = None,
) -> list[IndicatorStatus]:
    """The leaders' headline indicators: ``codes`` in that order, or one per sector.

    Without ``codes``: in sector display order, for each sector the indicator with
    a target and a current value reported in the most areas (ties by code), up to
    ``limit``. ``sectors`` keeps only indicators of those sectors (None: all).
    """
    if codes:
        by_code = {item.code: item for item in indicator_statuses(conn, codes=codes, sectors=sectors, now=now)}
        return [by_code[code] for code in codes if code in by_code][:limit]
    with conn.cursor() as cur:
        order = {code: n for n, (code,) in enumerate(cur.execute("SELECT code FROM sector ORDER BY sort_order, code"))}
        reach = dict(cur.execute(_AREA_COUNTS_SQL).fetchall())
    chosen: dict[str, IndicatorStatus] = {}
    for item in indicator_statuses(conn, sectors=sectors, now=now):
        if item.target is None or item.value is None:
            continue
        best = chosen.get(item.sector_code)
        if best is None or reach.get(item.code, 0) > reach.get(best.code, 0):
            chosen[item.sector_code] = item
    ranked = sorted(chosen.values(), key=lambda item: order.get(item.sector_code, len(order)))
    return ranked[:limit]


def data_freshness(conn: psycopg.Connection) -> datetime | None:
    """When the most recent value (indicator or device) arrived; None on an empty database."""
    row = conn.execute("SELECT max(ts) FROM latest_value").fetchone()
    return row[0] if row else None
