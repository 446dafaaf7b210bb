"""The catalog in the real database: load, reload idempotently, read back, search without diacritics."""

from __future__ import annotations

from pathlib import Path

import pytest

from ioc.catalog import Catalog, load_catalog
from ioc.storage.catalog import (
    catalog_counts,
    get_indicator,
    list_departments,
    list_indicators,
    list_sectors,
    search_indicators,
    upsert_catalog,
)
from ioc.storage.db import Database

from ._files import INDICATORS, write_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_load_counts_and_rerun_idempotence(empty_db: Database, catalog: Catalog, tmp_path: Path) -> None:
    with empty_db.connection() as conn:
        written = upsert_catalog(conn, catalog)
    expected = {"indicators": len(catalog.indicators), "sectors": len(catalog.sectors),
                "departments": len(catalog.departments)}
    assert written == {**expected, "not_in_files": 0}
    with empty_db.connection() as conn:
        assert catalog_counts(conn) == expected
        again = upsert_catalog(conn, catalog)
        assert catalog_counts(conn) == expected
    assert again["not_in_files"] == 0

    # a changed file updates rows in place; an indicator dropped from the files is kept and counted
    renamed = [INDICATORS[0].replace("Số hồ sơ TTHC tiếp nhận", "Số hồ sơ thủ tục hành chính tiếp nhận"),
               *INDICATORS[1:]]
    small = load_catalog(write_catalog(tmp_path / "c", renamed[:3]))
    with empty_db.connection() as conn:
        result = upsert_catalog(conn, small)
        assert get_indicator(conn, "TTHC.HS_TIEPNHAN").name_vi == "Số hồ sơ thủ tục hành chính tiếp nhận"
        assert catalog_counts(conn)["indicators"] == len(catalog.indicators)
    assert result["not_in_files"] == len(catalog.indicators) - 3


def test_read_back_matches_the_files(empty_db: Database, catalog: Catalog) -> None:
    with empty_db.connection() as conn:
        upsert_catalog(conn, catalog)
    with empty_db.connection() as conn:
        sectors = list_sectors(conn)
        departments = list_departments(conn)
        mt = list_indicators(conn, "MT")
        every = list_indicators(conn)
        ratio = get_indicator(conn, "TTHC.TL_DUNGHAN")
        missing = get_indicator(conn, "KHONG.CO")
    assert [s.code for s in sectors] == [s.code for s in sorted(catalog.sectors, key=lambda s: (s.sort_order, s.code))]
    assert {d.code for d in departments} == {d.code for d in catalog.departments}
    assert {i.code for i in mt} == {i.code for i in catalog.indicators_of("MT")}
    assert len(every) == len(catalog.indicators)
    assert ratio == catalog.indicator("TTHC.TL_DUNGHAN")
    assert ratio.levels == ("province", "district", "commune")
    assert missing is None


def test_search_with_or_without_diacritics(empty_db: Database, catalog: Catalog) -> None:
    with empty_db.connection() as conn:
        upsert_catalog(conn, catalog)
    with empty_db.connection() as conn:
        plain = search_indicators(conn, "ty le ho so dung han")
        accented = search_indicators(conn, "Tỷ lệ hồ sơ đúng hạn")
        pm = search_indicators(conn, "pm2.5 trung binh", limit=5)
        english = search_indicators(conn, "traffic volume intersections")
        none = search_indicators(conn, "   ")
        nothing = search_indicators(conn, "khong co chi so nao nhu vay")
    assert [i.code for i in plain] == [i.code for i in accented]
    assert "TTHC.TL_DUNGHAN" in [i.code for i in plain]
    assert all({"ty", "le", "ho", "so", "dung", "han"} <= set(i.search_text.split()) for i in plain)
    assert 0 < len(pm) <= 5 and all("pm2" in i.search_text for i in pm)
    assert "GT.LL" in [i.code for i in english]
    assert none == [] and nothing == []
