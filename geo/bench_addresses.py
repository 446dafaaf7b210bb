"""``ioc bench addresses``: generate and import the 286,947 demo addresses into a scratch database."""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from geo.addresses import DEMO_ADDRESS_COUNT, generate_demo_addresses
from geo.address_files import write_addresses
from geo.demo_territory import load_demo_areas
from geo.loading import import_address_file
from ioc.storage.areas import upsert_areas
from ioc.storage.db import Database
from ioc.storage.migrate import upgrade

__all__ = ["run_address_bench"]


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def run_address_bench(database_url: str, *, count: int = DEMO_ADDRESS_COUNT) -> dict[str, Any]:
    """Seconds to generate, import (read + validate + COPY + upsert) and re-import ``count`` addresses.

    Works in a throwaway database on the same server, so the configured
    database is never touched.
    """
    name = f"ioc_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with Database(_with_database(database_url, name), max_size=2) as db, tempfile.TemporaryDirectory() as tmp:
            upgrade(db)
            areas = load_demo_areas()
            with db.connection() as conn:
                upsert_areas(conn, areas)
            started = time.perf_counter()
            records = generate_demo_addresses(areas, n=count)
            generated = time.perf_counter() - started
            path = Path(tmp) / "addresses.csv"
            write_addresses(path, records)
            first = import_address_file(db, path)
            again = import_address_file(db, path)
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {
        "addresses": first.addresses_total,
        "generate_s": round(generated, 2),
        "import_s": round(first.seconds, 2),
        "import_rows_per_s": round(first.addresses / first.seconds) if first.seconds else None,
        "reimport_s": round(again.seconds, 2),
        "target_import_s": 30,
    }
