"""Loading geography into the database: boundary files, address files, the demo territory.

Each loader validates the whole file first and writes in one transaction, so a
refused file leaves the database as it was, and running a loader again updates
rows instead of duplicating them. The CLI (``ioc geo ...``) is a thin shell
over these functions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Unpack

from geo.address_files import read_addresses, write_addresses
from geo.addresses import DEMO_ADDRESS_COUNT, generate_demo_addresses
from geo.boundaries import BoundaryOptions, read_boundaries, resolve_hierarchy
from geo.demo_territory import load_demo_areas
from geo.progress import track
from ioc.storage.addresses import AddressRecord, area_codes, copy_addresses, count_addresses, iter_addresses
from ioc.storage.areas import area_depths, upsert_areas
from ioc.storage.db import Database

__all__ = ["LoadSummary", "import_area_file", "import_address_file", "load_demo", "export_address_file"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadSummary:
    """What a load did: rows written, rows now in the table, seconds taken."""

    areas: int = 0
    addresses: int = 0
    addresses_total: int = 0
    seconds: float = 0.0


def import_area_file(db: Database, path: str | Path, **options: Unpack[BoundaryOptions]) -> LoadSummary:
    """Import one level of boundaries; parents must be in the file or already loaded.

    ``options`` say how to read the file: see :class:`geo.boundaries.BoundaryOptions`.
    """
    start = time.perf_counter()
    records = read_boundaries(path, **options)
    with db.connection() as conn:
        resolved = resolve_hierarchy(records, area_depths(conn), path=path)
        written = upsert_areas(conn, resolved)
    seconds = time.perf_counter() - start
    logger.info("imported %s %s area(s) from %s in %.1f s", written, options["level"], path, seconds)
    return LoadSummary(areas=written, seconds=seconds)


def _copy(db: Database, records: list[AddressRecord], desc: str) -> tuple[int, int]:
    with db.connection() as conn:
        copied = copy_addresses(conn, track(records, total=len(records), desc=desc, unit="address"))
        total = count_addresses(conn)
    return copied, total


def import_address_file(db: Database, path: str | Path) -> LoadSummary:
    """Import a CSV or GeoJSON address file; a file with any bad row is refused whole."""
    start = time.perf_counter()
    with db.connection() as conn:
        known = area_codes(conn)
    records = read_addresses(path, known_areas=known)
    copied, total = _copy(db, records, f"import {Path(path).name}")
    seconds = time.perf_counter() - start
    logger.info("imported %s address(es) from %s in %.1f s", copied, path, seconds)
    return LoadSummary(addresses=copied, addresses_total=total, seconds=seconds)


def load_demo(db: Database, *, addresses: int = DEMO_ADDRESS_COUNT, seed: int = 2022) -> LoadSummary:
    """Load the demo territory (units + schematic geometry) and ``addresses`` demo addresses."""
    start = time.perf_counter()
    areas = load_demo_areas()
    with db.connection() as conn:
        written = upsert_areas(conn, areas)
    copied = total = 0
    if addresses:
        records = generate_demo_addresses(areas, addresses, seed=seed)
        copied, total = _copy(db, records, "demo addresses")
    seconds = time.perf_counter() - start
    logger.info("demo territory loaded: %s areas, %s addresses in %.1f s", written, copied, seconds)
    return LoadSummary(areas=written, addresses=copied, addresses_total=total, seconds=seconds)


def export_address_file(db: Database, path: str | Path, *, area_code: str | None = None) -> int:
    """Write the stored addresses (all, or one area's and below) to CSV or GeoJSON; return the count."""
    with db.connection() as conn:
        total = count_addresses(conn, area_code)
        rows: Iterable[AddressRecord] = track(iter_addresses(conn, area_code), total=total,
                                              desc=f"export {Path(path).name}", unit="address")
        return write_addresses(path, rows)
