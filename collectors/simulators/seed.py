"""Demo reference data for `ioc up`: catalog, areas and the device fleet, loaded idempotently."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from collectors.simulators.fleet import read_fleet
from ioc.storage.areas import list_areas, upsert_areas
from ioc.storage.db import Database
from ioc.storage.devices import upsert_devices

__all__ = ["DemoLoad", "load_demo", "load_fleet"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoLoad:
    """What :func:`load_demo` wrote: indicators upserted, areas inserted (0 when present), devices upserted."""

    indicators: int
    areas: int
    devices: int


def load_fleet(db: Database) -> int:
    """Register the committed demo fleet (``fleet.csv``); return how many devices were upserted."""
    devices = read_fleet()
    with db.connection() as conn:
        return upsert_devices(conn, devices)


def _load_catalog(db: Database) -> int:
    from ioc.catalog import load_catalog
    from ioc.storage.catalog import upsert_catalog

    catalog = load_catalog()
    with db.connection() as conn:
        upsert_catalog(conn, catalog)
    return len(catalog.indicators)


def _load_areas(db: Database) -> int:
    with db.connection() as conn:
        if list_areas(conn):
            # Never replace areas already there: they may be real boundaries an operator imported.
            return 0
    from geo.demo_territory import load_demo_areas

    areas = load_demo_areas()
    with db.connection() as conn:
        return upsert_areas(conn, areas)


def load_demo(db: Database, *, catalog: bool = True, areas: bool = True, fleet: bool = True) -> DemoLoad:
    """Load the indicator catalog, the demo areas (only into an empty area table) and the fleet.

    Safe to run again: the catalog and the fleet are upserted from the shipped
    files, and areas are left alone once any exist.
    """
    result = DemoLoad(
        indicators=_load_catalog(db) if catalog else 0,
        areas=_load_areas(db) if areas else 0,
        devices=load_fleet(db) if fleet else 0,
    )
    logger.info("demo data: %d indicators, %d areas inserted, %d devices", result.indicators, result.areas, result.devices)
    return result
