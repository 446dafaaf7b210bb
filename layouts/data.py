"""Cached read functions the dashboard's callbacks call.

Each function borrows a pooled connection from the process database, calls one
storage query and returns plain records. They are memoized in the shared cache
(:mod:`ioc.cache`), keyed by their arguments only: ranges are passed by name
("30d"), never as moving timestamps, so repeated views hit the cache.

``scope`` is the viewer's sector grant (:func:`layouts.access.scope`: None = all
sectors, a tuple = only those), passed in by the callback so that it is part of
the cache key; these functions never ask who is calling.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from ioc.cache import LONG, SHORT, cache, memoize
from ioc.headline import headline_codes
from ioc.storage import alerts, areas, catalog, kpis, timeseries
from ioc.storage.db import get_database

__all__ = [
    "AreaOption",
    "headline",
    "sparkline",
    "sectors",
    "sector_names",
    "sector_statuses",
    "seed_sector_statuses",
    "indicator_status",
    "indicators",
    "freshness",
    "open_alerts",
    "root_area",
    "area_options",
    "area_path",
    "area_geojson",
    "series",
    "breakdown",
    "search",
    "map_indicators",
    "device_kind_sectors",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AreaOption:
    """An area for pickers: code, names, level, depth in the tree and parent."""

    code: str
    name_vi: str
    name_en: str | None
    level: str
    depth: int
    parent_code: str | None


@memoize(SHORT)
def headline(scope: tuple[str, ...] | None = None) -> list[kpis.IndicatorStatus]:
    """The leaders' headline KPIs (the packaged list, else one per sector) with status and change."""
    sectors = list(scope) if scope is not None else None
    with get_database().connection() as conn:
        return (kpis.headline_kpis(conn, codes=headline_codes(), sectors=sectors)
                or kpis.headline_kpis(conn, sectors=sectors))


@memoize(SHORT)
def sparkline(indicator_code: str, area_code: str, days: int = 30) -> list[timeseries.Point]:
    """Daily points of the last ``days`` days for a KPI tile."""
    with get_database().connection() as conn:
        return timeseries.sparkline(conn, indicator_code, area_code, days=days)


@memoize(SHORT)
def sectors(scope: tuple[str, ...] | None = None) -> list[kpis.SectorSummary]:
    """Every sector (of the scope) with counts of its indicators by status."""
    with get_database().connection() as conn:
        return kpis.sector_summaries(conn, sectors=list(scope) if scope is not None else None)


@memoize(LONG)
def sector_names() -> dict[str, tuple[str, str]]:
    """Sector code → (name_vi, name_en), in display order."""
    with get_database().connection() as conn:
        return {s.code: (s.name_vi, s.name_en) for s in catalog.list_sectors(conn)}


@memoize(LONG)
def device_kind_sectors() -> dict[str, tuple[str, ...]]:
    """Device kind → sectors its devices feed (from the catalog), to scope device views."""
    with get_database().connection() as conn:
        return catalog.device_kind_sectors(conn)


@memoize(SHORT)
def sector_statuses(sector_code: str, scope: tuple[str, ...] | None = None) -> list[kpis.IndicatorStatus]:
    """Every indicator of one sector with its status (none when the sector is outside the scope)."""
    with get_database().connection() as conn:
        return kpis.indicator_statuses(conn, sector_code=sector_code,
                                       sectors=list(scope) if scope is not None else None)


def seed_sector_statuses(scope: tuple[str, ...] | None = None) -> int:
    """Fill :func:`sector_statuses` of every sector from one query (the cache warmer); return the sectors filled."""
    with get_database().connection() as conn:
        items = kpis.indicator_statuses(conn, sectors=list(scope) if scope is not None else None)
    by_sector: dict[str, list[kpis.IndicatorStatus]] = {}
    for item in items:
        by_sector.setdefault(item.sector_code, []).append(item)
    for code in sector_names():
        found = by_sector.get(code, []) if scope is None or code in scope else []
        key = sector_statuses.make_cache_key(sector_statuses.uncached, code, scope)
        cache.set(key, found, timeout=SHORT)
    return len(by_sector)


@memoize(SHORT)
def indicator_status(code: str, scope: tuple[str, ...] | None = None) -> kpis.IndicatorStatus | None:
    """One indicator with its headline value and status, or None when unknown or outside the scope."""
    with get_database().connection() as conn:
        found = kpis.indicator_statuses(conn, codes=[code], sectors=list(scope) if scope is not None else None)
    return found[0] if found else None


@memoize(SHORT)
def indicators(codes: tuple[str, ...], scope: tuple[str, ...] | None = None) -> list[kpis.IndicatorStatus]:
    """The given indicators (those of the scope) with status, in catalog order."""
    with get_database().connection() as conn:
        return kpis.indicator_statuses(conn, codes=list(codes), sectors=list(scope) if scope is not None else None)


@memoize(SHORT)
def freshness() -> datetime | None:
    """When the newest indicator value arrived."""
    with get_database().connection() as conn:
        return kpis.data_freshness(conn)


@memoize(SHORT)
def open_alerts(limit: int = 200, scope: tuple[str, ...] | None = None) -> list[dict]:
    """Open alerts (of the scope's sectors), most severe and newest first, as plain dicts."""
    with get_database().connection() as conn:
        rows = alerts.list_open_alerts(conn, sectors=list(scope) if scope is not None else None, limit=limit)
    return [_as_dict(row) for row in rows]


def _as_dict(record: object) -> dict:
    if isinstance(record, dict):
        return dict(record)
    if hasattr(record, "__dataclass_fields__"):
        return {name: getattr(record, name) for name in record.__dataclass_fields__}
    return dict(record)  # type: ignore[call-overload]


@memoize(LONG)
def area_options() -> list[AreaOption]:
    """Every area in tree order (each parent followed by its children)."""
    with get_database().connection() as conn:
        records = areas.list_areas(conn)
    children: dict[str | None, list] = {}
    for record in records:
        children.setdefault(record.parent_code, []).append(record)
    known = {record.code for record in records}
    ordered: list[AreaOption] = []

    def walk(parent: str | None) -> None:
        for record in sorted(children.get(parent, []), key=lambda r: r.name_vi):
            ordered.append(
                AreaOption(record.code, record.name_vi, record.name_en, record.level, record.depth, record.parent_code)
            )
            walk(record.code)

    for root in [None, *sorted({r.parent_code for r in records if r.parent_code and r.parent_code not in known})]:
        walk(root)
    return ordered


def root_area() -> AreaOption | None:
    """The top of the area tree (the province), or None when no areas are loaded."""
    options = area_options()
    return options[0] if options else None


@memoize(LONG)
def area_path(code: str) -> list[AreaOption]:
    """The breadcrumb from the root to ``code``."""
    with get_database().connection() as conn:
        records = areas.area_path(conn, code)
    return [AreaOption(r.code, r.name_vi, r.name_en, r.level, r.depth, r.parent_code) for r in records]


@memoize(LONG)
def area_geojson(parent_code: str) -> dict:
    """Boundaries of the children of ``parent_code`` as a FeatureCollection."""
    with get_database().connection() as conn:
        return areas.area_geojson(conn, parent_code=parent_code)


@memoize(SHORT)
def series(
    indicator_code: str,
    area_codes: tuple[str, ...],
    range_key: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, list[timeseries.Point]]:
    """Points of an indicator in the given areas over a named or custom range."""
    lo, hi = timeseries.range_bounds(range_key, start=start, end=end)
    with get_database().connection() as conn:
        return timeseries.comparison(conn, indicator_code, list(area_codes), start=lo, end=hi)


@memoize(SHORT)
def breakdown(indicator_code: str, parent_code: str) -> list[timeseries.AreaValue]:
    """Latest value of the indicator in each child of ``parent_code``, ranked."""
    with get_database().connection() as conn:
        return timeseries.breakdown(conn, indicator_code, parent_code)


@memoize(LONG)
def map_indicators(level_depth: int = 1, scope: tuple[str, ...] | None = None) -> list[tuple[str, str, str]]:
    """(code, name_vi, name_en) of indicators (of the scope) with values at this depth (the overview map picker)."""
    with get_database().connection() as conn:
        return timeseries.indicators_at_depth(conn, level_depth, list(scope) if scope is not None else None)


@memoize(LONG)
def search(text: str, limit: int = 200, scope: tuple[str, ...] | None = None) -> list[str]:
    """Codes of the indicators (of the scope) matching ``text`` (with or without diacritics), best first."""
    with get_database().connection() as conn:
        return [row.code for row in catalog.search_indicators(
            conn, text, limit, sectors=list(scope) if scope is not None else None)]
