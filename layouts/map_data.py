"""Cached reads of the map: what the map callbacks ask the database for, through the shared cache.

Each function borrows a pooled connection from the process database, calls the
storage queries and returns plain records, memoized in :mod:`ioc.cache` (Redis or
files, shared by the gunicorn workers) and keyed by its arguments only. ``scope`` is the
viewer's sector grant (:func:`layouts.access.scope`), passed in so it is part of the key.
Addresses and boundaries are reference data of the territory: every role sees them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from geo import layers
from ioc.cache import LONG, SHORT, cache
from ioc.storage import addresses, areas, devices, events, map_layers
from ioc.storage.db import get_database

__all__ = [
    "AreaLevel",
    "area_levels",
    "boundaries",
    "area_record",
    "indicator_values",
    "indicator_meta",
    "indicator_options",
    "live_devices",
    "live_alerts",
    "area_summary",
    "device_detail",
    "hex_table",
    "search_codes",
    "find_address",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AreaLevel:
    """A level of the area tree (e.g. district) with its depth."""

    name: str
    depth: int


@cache.memoize(timeout=LONG)
def area_levels() -> list[AreaLevel]:
    """Levels present in the database, root first."""
    with get_database().connection() as conn:
        depths = {a.level: a.depth for a in areas.list_areas(conn)}
    return [AreaLevel(name, depth) for name, depth in sorted(depths.items(), key=lambda kv: kv[1])]


@cache.memoize(timeout=LONG)
def boundaries(level: str | None, parent_code: str | None, bucket: float) -> dict[str, Any]:
    """Areas of a level (or children of a parent) simplified for a zoom bucket."""
    with get_database().connection() as conn:
        return layers.boundary_collection(conn, zoom=bucket, level=level, parent_code=parent_code)


@cache.memoize(timeout=LONG)
def area_record(code: str) -> tuple[areas.AreaRecord | None, int]:
    """An area (without geometry) and how many children it has."""
    with get_database().connection() as conn:
        return areas.get_area(conn, code, with_geometry=False), len(areas.area_children(conn, code))


@cache.memoize(timeout=SHORT)
def indicator_values(indicator: str, level: str | None, parent_code: str | None,
                     scope: tuple[str, ...] | None = None) -> dict[str, float]:
    """Latest value of an indicator in the areas of a level or under a parent: code → value."""
    if scope is not None and indicator not in {m.code for m in indicator_options(scope)}:
        return {}
    with get_database().connection() as conn:
        return map_layers.indicator_values(conn, indicator, level=level, parent_code=parent_code)


@cache.memoize(timeout=LONG)
def indicator_meta(code: str, scope: tuple[str, ...] | None = None) -> map_layers.IndicatorMeta | None:
    """Name, unit, decimals and direction of an indicator (None when unknown or outside the scope)."""
    if scope is not None and code not in {m.code for m in indicator_options(scope)}:
        return None
    with get_database().connection() as conn:
        return map_layers.indicator_meta(conn, code)


@cache.memoize(timeout=LONG)
def indicator_options(scope: tuple[str, ...] | None = None) -> list[map_layers.IndicatorMeta]:
    """Indicators (of the scope) with values by area, for the choropleth picker."""
    with get_database().connection() as conn:
        return map_layers.mapped_indicators(conn, list(scope) if scope is not None else None)


@cache.memoize(timeout=SHORT)
def live_devices(scope: tuple[str, ...] | None = None) -> list[devices.Device]:
    """Every device (of the scope's sectors) with its live status."""
    with get_database().connection() as conn:
        return devices.list_devices(conn, sectors=list(scope) if scope is not None else None)


@cache.memoize(timeout=SHORT)
def live_alerts(scope: tuple[str, ...] | None = None) -> list[map_layers.LocatedAlert]:
    """Open alerts (of the scope's sectors) that have a place on the map."""
    with get_database().connection() as conn:
        return map_layers.located_open_alerts(conn, sectors=list(scope) if scope is not None else None)


@cache.memoize(timeout=SHORT)
def area_summary(code: str | None) -> dict[str, Any]:
    """Address counts by category, device count and breadcrumb of an area (None = whole territory)."""
    with get_database().connection() as conn:
        path = areas.area_path(conn, code) if code else []
        return {
            "path": [(a.code, a.name_vi, a.name_en) for a in path],
            "categories": addresses.address_category_counts(conn, code),
            "devices": len(devices.list_devices(conn, area_code=code)) if code else len(devices.list_devices(conn)),
        }


@cache.memoize(timeout=SHORT)
def device_detail(device_id: str, hours: int = 24, scope: tuple[str, ...] | None = None) -> dict[str, Any] | None:
    """A device with its readings of the last ``hours`` and its ten latest incidents; None if unknown or out of scope."""
    since = datetime.now(timezone.utc) - timedelta(hours=hours)
    with get_database().connection() as conn:
        device = devices.get_device(conn, device_id)
        if device is None:
            return None
        if scope is not None and all(d.id != device_id for d in devices.list_devices(
                conn, kind=device.kind, area_code=device.area_code, sectors=list(scope))):
            return None
        return {
            "device": device,
            "readings": map_layers.device_readings(conn, device_id, since=since),
            "events": events.list_recent_events(conn, 10, device_id=device_id),
        }


@cache.memoize(timeout=LONG)
def hex_table(resolution: int, categories: tuple[str, ...]) -> layers.HexTable:
    """Address counts of every H3 cell of the territory at a resolution (for the given categories)."""
    with get_database().connection() as conn:
        return layers.territory_hex_table(conn, resolution, categories or None)


def search_codes(text: str) -> list[str]:
    """Address codes matching what the user typed (exact first, then by prefix)."""
    with get_database().connection() as conn:
        return map_layers.search_address_codes(conn, text)


def find_address(code: str) -> addresses.AddressRecord | None:
    """One address by exact code."""
    with get_database().connection() as conn:
        return addresses.find_address(conn, code)
