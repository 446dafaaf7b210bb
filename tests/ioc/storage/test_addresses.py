"""Digital-address storage: COPY load (re-run safe) and the reads the map uses."""

from __future__ import annotations

import h3
import pytest

from ioc.storage.addresses import (
    AddressRecord,
    address_category_counts,
    address_counts_by_h3,
    addresses_in_bbox,
    area_codes,
    copy_addresses,
    count_addresses,
    find_address,
    iter_addresses,
)
from ioc.storage.areas import AreaRecord, upsert_areas


def _address(code: str, category: str, area: str, lon: float, lat: float) -> AddressRecord:
    return AddressRecord(code, category, None, "1 Đại lộ Bình Dương", area, lon, lat,
                         h3.latlng_to_cell(lat, lon, 7), h3.latlng_to_cell(lat, lon, 9))


ROWS = [
    _address("BD-724-25942-000001", "household", "25942", 106.768, 10.905),
    _address("BD-724-25942-000002", "school", "25942", 106.769, 10.906),
    _address("BD-724-25945-000001", "household", "25945", 106.785, 10.938),
    _address("BD-720-25777-000001", "health", "25777", 106.385, 11.272),
]


def _seed_areas(db) -> None:
    with db.connection() as conn:
        upsert_areas(conn, [
            AreaRecord("74", "Bình Dương", "province"),
            AreaRecord("724", "Dĩ An", "district", parent_code="74", depth=1),
            AreaRecord("720", "Dầu Tiếng", "district", parent_code="74", depth=1),
            AreaRecord("25942", "Dĩ An", "commune", parent_code="724", depth=2),
            AreaRecord("25945", "Tân Bình", "commune", parent_code="724", depth=2),
            AreaRecord("25777", "Dầu Tiếng", "commune", parent_code="720", depth=2),
        ])


def test_copy_is_safe_to_run_again_and_updates(empty_db):
    _seed_areas(empty_db)
    with empty_db.connection() as conn:
        assert copy_addresses(conn, ROWS) == 4
    moved = ROWS[0]._replace(category="business", name="Cửa hàng")
    with empty_db.connection() as conn:
        assert copy_addresses(conn, [moved, *ROWS[1:]]) == 4
    with empty_db.connection() as conn:
        assert count_addresses(conn) == 4
        assert find_address(conn, ROWS[0].code) == moved
        assert find_address(conn, "BD-000") is None


def test_counts_follow_the_area_tree(empty_db):
    _seed_areas(empty_db)
    with empty_db.connection() as conn:
        copy_addresses(conn, ROWS)
        assert count_addresses(conn, "74") == 4
        assert count_addresses(conn, "724") == 3
        assert count_addresses(conn, "25945") == 1
        assert address_category_counts(conn) == {"household": 2, "health": 1, "school": 1}
        assert address_category_counts(conn, "720") == {"health": 1}
        assert area_codes(conn) == {"74", "724", "720", "25942", "25945", "25777"}


def test_map_reads(empty_db):
    _seed_areas(empty_db)
    di_an_box = (106.70, 10.85, 106.82, 10.95)
    with empty_db.connection() as conn:
        copy_addresses(conn, ROWS)
        r9 = address_counts_by_h3(conn, 9)
        assert sum(r9.values()) == 4 and all(h3.get_resolution(c) == 9 for c in r9)
        r7 = address_counts_by_h3(conn, 7, bbox=di_an_box)
        assert sum(r7.values()) == 3 and all(h3.get_resolution(c) == 7 for c in r7)
        assert address_counts_by_h3(conn, 7, categories=["school"]) == {ROWS[1].h3_r7: 1}
        inside = addresses_in_bbox(conn, di_an_box)
        assert [a.code for a in inside] == [r.code for r in ROWS[:3]]
        assert [a.code for a in addresses_in_bbox(conn, di_an_box, ["household"], limit=1)] == [ROWS[0].code]
        assert [a.code for a in iter_addresses(conn, "724")] == [r.code for r in ROWS[:3]]


def test_unknown_resolution_is_refused(empty_db):
    with empty_db.connection() as conn, pytest.raises(ValueError, match="resolution 8"):
        address_counts_by_h3(conn, 8)
