"""Digital addresses (địa chỉ số): bulk load by COPY, and the reads the map needs.

A load goes through COPY into a temporary table, then one upsert into
``digital_address``: loading the same file twice updates rows, never duplicates.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import psycopg
from psycopg import sql

__all__ = [
    "AddressRecord",
    "ADDRESS_COLUMNS",
    "BBox",
    "copy_addresses",
    "count_addresses",
    "address_category_counts",
    "address_counts_by_h3",
    "addresses_in_bbox",
    "find_address",
    "iter_addresses",
    "area_codes",
]

logger = logging.getLogger(__name__)


class AddressRecord(NamedTuple):
    """One digital address: a household, office, business, school, clinic ... at a point."""

    code: str
    category: str
    name: str | None
    street: str | None
    area_code: str
    lon: float
    lat: float
    h3_r7: str | None = None
    h3_r9: str | None = None


ADDRESS_COLUMNS: tuple[str, ...] = AddressRecord._fields
_COLS = sql.SQL(", ").join(map(sql.Identifier, ADDRESS_COLUMNS))
_H3_COLUMNS = {7: "h3_r7", 9: "h3_r9"}

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def copy_addresses(conn: psycopg.Connection, rows: Iterable[Sequence[object]]) -> int:
    """COPY rows (in :data:`ADDRESS_COLUMNS` order) and upsert them; return rows loaded.

    Runs in the caller's transaction: a failure leaves ``digital_address`` untouched.
    """
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS address_load (LIKE digital_address) ON COMMIT DROP")
    conn.execute("TRUNCATE address_load")
    copied = 0
    with conn.cursor() as cur:
        with cur.copy(sql.SQL("COPY address_load ({}) FROM STDIN").format(_COLS)) as copy:
            for row in rows:
                copy.write_row(row)
                copied += 1
        updates = sql.SQL(", ").join(
            sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in ADDRESS_COLUMNS[1:]
        )
        cur.execute(
            sql.SQL(
                "INSERT INTO digital_address ({cols}) SELECT {cols} FROM address_load "
                "ON CONFLICT (code) DO UPDATE SET {updates} "
                "WHERE (digital_address.*) IS DISTINCT FROM (EXCLUDED.*)"
            ).format(cols=_COLS, updates=updates)
        )
        changed = cur.rowcount
    conn.execute("TRUNCATE address_load")
    logger.info("copied %s address row(s), %s inserted or changed", copied, changed)
    return copied


_UNDER_AREA = sql.SQL(
    "(%(area)s::text IS NULL OR area_code IN (WITH RECURSIVE down AS ("
    " SELECT code FROM area WHERE code = %(area)s"
    " UNION ALL SELECT a.code FROM area a JOIN down ON a.parent_code = down.code)"
    " SELECT code FROM down))"
)


def count_addresses(conn: psycopg.Connection, area_code: str | None = None) -> int:
    """Addresses in the whole territory, or in one area including the areas below it."""
    query = sql.SQL("SELECT count(*) FROM digital_address WHERE {}").format(_UNDER_AREA)
    return conn.execute(query, {"area": area_code}).fetchone()[0]


def address_category_counts(conn: psycopg.Connection, area_code: str | None = None) -> dict[str, int]:
    """Addresses per category, largest first (whole territory or one area and below)."""
    query = sql.SQL(
        "SELECT category, count(*) FROM digital_address WHERE {} GROUP BY category ORDER BY 2 DESC, 1"
    ).format(_UNDER_AREA)
    return dict(conn.execute(query, {"area": area_code}).fetchall())


def _where(bbox: BBox | None, categories: Sequence[str] | None) -> tuple[sql.Composable, list[object]]:
    parts: list[sql.Composable] = []
    params: list[object] = []
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        parts.append(sql.SQL("lon BETWEEN %s AND %s AND lat BETWEEN %s AND %s"))
        params += [min_lon, max_lon, min_lat, max_lat]
    if categories:
        parts.append(sql.SQL("category = ANY(%s)"))
        params.append(list(categories))
    return (sql.SQL(" AND ").join(parts) if parts else sql.SQL("TRUE")), params


def address_counts_by_h3(
    conn: psycopg.Connection,
    resolution: int,
    bbox: BBox | None = None,
    categories: Sequence[str] | None = None,
) -> dict[str, int]:
    """Number of addresses per H3 cell at resolution 7 or 9 (for density maps)."""
    if resolution not in _H3_COLUMNS:
        raise ValueError(f"H3 resolution {resolution} is not stored; use one of {sorted(_H3_COLUMNS)}")
    column = sql.Identifier(_H3_COLUMNS[resolution])
    where, params = _where(bbox, categories)
    query = sql.SQL(
        "SELECT {col}, count(*) FROM digital_address WHERE {where} AND {col} IS NOT NULL GROUP BY 1"
    ).format(col=column, where=where)
    return dict(conn.execute(query, params).fetchall())


def addresses_in_bbox(
    conn: psycopg.Connection,
    bbox: BBox,
    categories: Sequence[str] | None = None,
    *,
    limit: int = 5000,
) -> list[AddressRecord]:
    """Addresses inside a lon/lat box, at most ``limit`` of them, by code."""
    where, params = _where(bbox, categories)
    query = sql.SQL("SELECT {cols} FROM digital_address WHERE {where} ORDER BY code LIMIT %s").format(
        cols=_COLS, where=where
    )
    return [AddressRecord(*r) for r in conn.execute(query, [*params, limit]).fetchall()]


def find_address(conn: psycopg.Connection, code: str) -> AddressRecord | None:
    """One address by its code, or None."""
    row = conn.execute(sql.SQL("SELECT {} FROM digital_address WHERE code = %s").format(_COLS), (code,)).fetchone()
    return AddressRecord(*row) if row else None


def iter_addresses(
    conn: psycopg.Connection, area_code: str | None = None, *, batch_size: int = 10_000
) -> Iterator[AddressRecord]:
    """Stream every address (or one area's and below) by code, through a server-side cursor."""
    query = sql.SQL("SELECT {} FROM digital_address WHERE {} ORDER BY code").format(_COLS, _UNDER_AREA)
    with conn.cursor(name="iter_addresses") as cur:
        cur.itersize = batch_size
        cur.execute(query, {"area": area_code})
        for row in cur:
            yield AddressRecord(*row)


def area_codes(conn: psycopg.Connection) -> set[str]:
    """Every known area code (an address must point at one of them)."""
    return {r[0] for r in conn.execute("SELECT code FROM area")}
