"""The catalog tables: sectors, departments and indicators (write once per load, read everywhere).

:func:`upsert_catalog` is re-runnable: every row is inserted or updated in place,
nothing is deleted (an indicator dropped from the files may still own series).
Search folds diacritics the same way as :func:`ioc.catalog.fold_text`, so
"ty le ho so dung han" finds "Tỷ lệ hồ sơ ... đúng hạn".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import psycopg
from psycopg.rows import dict_row

from ioc.catalog.models import Catalog, Department, Indicator, Sector, fold_text

__all__ = [
    "upsert_catalog",
    "list_sectors",
    "list_departments",
    "list_indicators",
    "get_indicator",
    "catalog_counts",
    "search_indicators",
    "device_kind_sectors",
]

logger = logging.getLogger(__name__)

_INDICATOR_COLUMNS = (
    "code", "name_vi", "name_en", "sector_code", "department_code", "unit", "frequency", "agg_time",
    "agg_area", "numerator_code", "denominator_code", "direction", "warning", "critical", "target",
    "levels", "source", "device_kind", "device_metric", "decimals", "description_vi", "description_en",
    "search_text",
)
_SELECT_INDICATOR = f"SELECT {', '.join(_INDICATOR_COLUMNS)} FROM indicator"
_UPSERT_INDICATOR = (
    f"INSERT INTO indicator ({', '.join(_INDICATOR_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_INDICATOR_COLUMNS))}) "
    "ON CONFLICT (code) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _INDICATOR_COLUMNS if c != "code")
)
_UPSERT_SECTOR = (
    "INSERT INTO sector (code, name_vi, name_en, pillar, sort_order) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (code) DO UPDATE SET name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en, "
    "pillar = EXCLUDED.pillar, sort_order = EXCLUDED.sort_order"
)
_UPSERT_DEPARTMENT = (
    "INSERT INTO department (code, name_vi, name_en, short_name) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (code) DO UPDATE SET name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en, "
    "short_name = EXCLUDED.short_name"
)


def _indicator_params(ind: Indicator) -> tuple[object, ...]:
    return tuple(list(ind.levels) if c == "levels" else getattr(ind, c) for c in _INDICATOR_COLUMNS)


def upsert_catalog(conn: psycopg.Connection, catalog: Catalog) -> dict[str, int]:
    """Insert or update every sector, department and indicator; return the counts written.

    ``not_in_files`` counts indicators of the database that the catalog no longer lists
    (kept, since series may refer to them).
    """
    with conn.cursor() as cur:
        cur.executemany(_UPSERT_SECTOR, [(s.code, s.name_vi, s.name_en, s.pillar, s.sort_order)
                                         for s in catalog.sectors])
        cur.executemany(_UPSERT_DEPARTMENT, [(d.code, d.name_vi, d.name_en, d.short_name)
                                             for d in catalog.departments])
        # numerator/denominator foreign keys are deferred to the end of the transaction
        cur.executemany(_UPSERT_INDICATOR, [_indicator_params(i) for i in catalog.indicators])
    codes = [i.code for i in catalog.indicators]
    row = conn.execute("SELECT count(*) FROM indicator WHERE NOT (code = ANY(%s))", (codes,)).fetchone()
    stale = int(row[0]) if row else 0
    if stale:
        logger.warning("catalog load: %s indicator(s) in the database are no longer in the files", stale)
    counts = {"sectors": len(catalog.sectors), "departments": len(catalog.departments),
              "indicators": len(catalog.indicators), "not_in_files": stale}
    logger.info("catalog upserted: %s sectors, %s departments, %s indicators",
                counts["sectors"], counts["departments"], counts["indicators"])
    return counts


def list_sectors(conn: psycopg.Connection) -> list[Sector]:
    """Every sector, in display order."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SELECT code, name_vi, name_en, pillar, sort_order FROM sector ORDER BY sort_order, code")
        return [Sector.model_validate(r) for r in cur.fetchall()]


def list_departments(conn: psycopg.Connection) -> list[Department]:
    """Every department, by code."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SELECT code, name_vi, name_en, short_name FROM department ORDER BY code")
        return [Department.model_validate(r) for r in cur.fetchall()]


def _indicators(conn: psycopg.Connection, where: str, params: tuple[object, ...]) -> list[Indicator]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(f"{_SELECT_INDICATOR} {where}", params)
        return [Indicator.model_validate(r) for r in cur.fetchall()]


def list_indicators(conn: psycopg.Connection, sector_code: str | None = None) -> list[Indicator]:
    """Indicators of one sector (or all), by code."""
    if sector_code is None:
        return _indicators(conn, "ORDER BY code", ())
    return _indicators(conn, "WHERE sector_code = %s ORDER BY code", (sector_code,))


def get_indicator(conn: psycopg.Connection, code: str) -> Indicator | None:
    """The indicator with this code, or None."""
    found = _indicators(conn, "WHERE code = %s", (code,))
    return found[0] if found else None


def catalog_counts(conn: psycopg.Connection) -> dict[str, int]:
    """How many indicators, sectors and departments the database holds."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM indicator), (SELECT count(*) FROM sector), (SELECT count(*) FROM department)"
    ).fetchone()
    assert row is not None
    return {"indicators": int(row[0]), "sectors": int(row[1]), "departments": int(row[2])}


def device_kind_sectors(conn: psycopg.Connection) -> dict[str, tuple[str, ...]]:
    """Device kind → the sectors of the indicators its devices feed (cameras → transport, ...)."""
    rows = conn.execute(
        "SELECT device_kind, array_agg(DISTINCT sector_code ORDER BY sector_code) FROM indicator"
        " WHERE device_kind IS NOT NULL GROUP BY device_kind"
    ).fetchall()
    return {kind: tuple(sectors) for kind, sectors in rows}


def search_indicators(
    conn: psycopg.Connection, text: str, limit: int = 50, *, sectors: Sequence[str] | None = None
) -> list[Indicator]:
    """Indicators whose names or code hold every word of ``text`` (each as a word start), accents ignored.

    ``sectors`` restricts the matches to those sectors (a viewer's grant); None searches all.
    """
    tokens = fold_text(text).split()
    if not tokens:
        return []
    phrase = " ".join(tokens)
    # one "word starts with token" test per token; tokens are [a-z0-9]+, so safe inside the regex
    where = " AND ".join(["search_text ~ %s"] * len(tokens))
    params: list[object] = [r"\m" + token for token in tokens]
    if sectors is not None:
        where += " AND sector_code = ANY(%s)"
        params.append(list(sectors))
    params += [f"%{phrase}%", max(1, int(limit))]
    return _indicators(
        conn, f"WHERE {where} ORDER BY (search_text LIKE %s) DESC, length(name_vi), code LIMIT %s", tuple(params)
    )
