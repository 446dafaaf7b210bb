"""Loading geography into a real database: boundary imports, the demo, address files."""

from __future__ import annotations

import csv
import json
import time

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape

from geo.address_files import write_addresses
from geo.addresses import DEMO_ADDRESS_COUNT, generate_demo_addresses
from geo.demo_territory import load_demo_areas
from geo.loading import export_address_file, import_address_file, import_area_file, load_demo
from ioc.errors import ImportRefused
from ioc.storage.addresses import count_addresses
from ioc.storage.areas import AreaRecord, area_geojson, area_levels, get_area, list_areas, upsert_areas


def _area_count(db) -> int:
    with db.connection() as conn:
        return conn.execute("SELECT count(*) FROM area").fetchone()[0]


def test_real_districts_import_under_a_province_and_reimport_updates(empty_db, geo_fixture_dir, tmp_path):
    source = geo_fixture_dir / "binhduong_districts.geojson"
    with empty_db.connection() as conn:
        upsert_areas(conn, [AreaRecord("74", "Bình Dương", "province")])
    kwargs = dict(level="district", code_field="code", name_field="name", parent_field="province_code")
    assert import_area_file(empty_db, source, **kwargs).areas == 9
    with empty_db.connection() as conn:
        districts = list_areas(conn, level="district")
        first_update = conn.execute("SELECT max(updated_at) FROM area WHERE level = 'district'").fetchone()[0]
    assert {d.code for d in districts} == {str(c) for c in range(718, 727)}
    assert all(d.parent_code == "74" and d.depth == 1 for d in districts)

    changed = json.loads(source.read_text(encoding="utf-8"))
    changed["features"][0]["properties"]["name"] = "Thủ Dầu Một (đã sửa)"
    copy = tmp_path / "districts.geojson"
    copy.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    import_area_file(empty_db, copy, **kwargs)
    assert _area_count(empty_db) == 10
    with empty_db.connection() as conn:
        assert get_area(conn, "718").name_vi == "Thủ Dầu Một (đã sửa)"
        assert conn.execute("SELECT min(updated_at) FROM area WHERE level = 'district'").fetchone()[0] > first_update


def test_unknown_parent_refuses_the_file_and_writes_nothing(empty_db, geo_fixture_dir):
    with pytest.raises(ImportRefused) as caught:
        import_area_file(empty_db, geo_fixture_dir / "binhduong_districts.geojson", level="district",
                         code_field="code", name_field="name", parent_field="province_code")
    assert caught.value.row == 1 and "unknown parent code 74" in caught.value.reason
    assert len(caught.value.problems) == 9
    assert _area_count(empty_db) == 0


def test_two_level_structure_loads_like_three(empty_db, tmp_path):
    """2025 style: province -> commune, no district level in between."""
    demo = load_demo_areas()
    province = next(a for a in demo if a.level == "province")
    communes = [a for a in demo if a.level == "commune"][:12]
    frame = gpd.GeoDataFrame.from_features(
        [{"type": "Feature", "geometry": a.geometry, "properties": {"ma": a.code, "ten": a.name_vi}}
         for a in [province]], crs="EPSG:4326")
    frame.to_file(tmp_path / "province.gpkg", engine="pyogrio")
    frame = gpd.GeoDataFrame.from_features(
        [{"type": "Feature", "geometry": a.geometry,
          "properties": {"ma_xa": a.code, "ten_xa": a.name_vi, "ma_tinh": "74"}} for a in communes],
        crs="EPSG:4326")
    frame.to_file(tmp_path / "communes.gpkg", engine="pyogrio")
    import_area_file(empty_db, tmp_path / "province.gpkg", level="province", code_field="ma", name_field="ten")
    import_area_file(empty_db, tmp_path / "communes.gpkg", level="commune", code_field="ma_xa",
                     name_field="ten_xa", parent_field="ma_tinh")
    with empty_db.connection() as conn:
        assert area_levels(conn) == ["province", "commune"]
        loaded = list_areas(conn, level="commune")
    assert len(loaded) == 12 and all(a.parent_code == "74" and a.depth == 1 for a in loaded)


def test_demo_load_counts_hierarchy_and_rerun(empty_db):
    summary = load_demo(empty_db, addresses=5_000)
    assert (summary.areas, summary.addresses, summary.addresses_total) == (101, 5_000, 5_000)
    load_demo(empty_db, addresses=5_000)  # again: same rows, nothing duplicated
    with empty_db.connection() as conn:
        levels = dict(conn.execute("SELECT level, count(*) FROM area GROUP BY level").fetchall())
        orphans = conn.execute(
            "SELECT count(*) FROM area c LEFT JOIN area d ON d.code = c.parent_code "
            "WHERE c.level = 'commune' AND (d.code IS NULL OR d.level <> 'district')").fetchone()[0]
        in_leaf = conn.execute(
            "SELECT count(*) FROM digital_address a JOIN area c ON c.code = a.area_code "
            "WHERE c.level = 'commune'").fetchone()[0]
        assert levels == {"province": 1, "district": 9, "commune": 91}
        assert orphans == 0
        assert count_addresses(conn) == 5_000 == in_leaf
        assert count_addresses(conn, "725") > count_addresses(conn, "722")  # Thuận An denser than Phú Giáo
        province = shape(area_geojson(conn, level="province")["features"][0]["geometry"])
        communes = [shape(f["geometry"]) for f in area_geojson(conn, level="commune")["features"]]
    assert len(communes) == 91
    assert abs(shapely.union_all(communes).area - province.area) / province.area < 0.005
    assert abs(sum(c.area for c in communes) - province.area) / province.area < 0.005


def _address_file(tmp_path, rows, header=("code", "category", "name", "street", "area_code", "lon", "lat")):
    path = tmp_path / "addresses.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


GOOD = [
    ("BD-1", "household", "", "1 ĐT743", "25942", "106.768", "10.905"),
    ("BD-2", "school", "Trường Dĩ An", "2 ĐT743", "25942", "106.770", "10.906"),
    ("BD-3", "health", "", "3 ĐT743", "25945", "106.785", "10.938"),
]


@pytest.mark.parametrize(
    ("bad_row", "row", "reason"),
    [
        (("BD-9", "household", "", "", "25942", "abc", "10.9"), 3, "bad coordinates"),
        (("BD-9", "household", "", "", "25942", "106.7", "95"), 3, "out of range"),
        (("BD-9", "household", "", "", "99999", "106.7", "10.9"), 3, "unknown commune 99999"),
        (("BD-1", "household", "", "", "25942", "106.7", "10.9"), 3, "duplicate code BD-1 (first on row 2)"),
        (("BD-9", "", "", "", "25942", "106.7", "10.9"), 3, "empty category"),
    ],
)
def test_broken_address_file_is_refused_whole(empty_db, tmp_path, bad_row, row, reason):
    load_demo(empty_db, addresses=0)
    path = _address_file(tmp_path, [GOOD[0], bad_row, *GOOD[1:]])
    with pytest.raises(ImportRefused) as caught:
        import_address_file(empty_db, path)
    assert caught.value.row == row and reason in caught.value.reason
    assert "nothing was imported" in str(caught.value)
    with empty_db.connection() as conn:
        assert count_addresses(conn) == 0
    assert import_address_file(empty_db, _address_file(tmp_path, GOOD)).addresses == 3


def test_missing_column_is_refused_at_the_header(empty_db, tmp_path):
    header = ("code", "category", "name", "street", "area_code", "lon")
    path = _address_file(tmp_path, [r[:-1] for r in GOOD], header=header)
    with pytest.raises(ImportRefused) as caught:
        import_address_file(empty_db, path)
    assert caught.value.row == 1 and "missing column(s) lat" in caught.value.reason


def test_geojson_addresses_round_trip(empty_db, tmp_path):
    load_demo(empty_db, addresses=300)
    out = tmp_path / "out.geojson"
    assert export_address_file(empty_db, out, area_code="724") > 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert all(f["properties"]["area_code"] in {"25942", "25945", "25948", "25951", "25954", "25957", "25960"}
               for f in exported["features"])
    exported["features"][1]["geometry"] = {"type": "LineString", "coordinates": [[106.7, 10.9], [106.8, 10.9]]}
    out.write_text(json.dumps(exported), encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        import_address_file(empty_db, out)
    assert caught.value.row == 2 and "LineString" in caught.value.reason


@pytest.mark.slow
def test_full_demo_address_set_loads_and_reloads(empty_db, tmp_path):
    # Speed is measured by `ioc bench addresses --json` (README), not asserted here.
    areas = load_demo_areas()
    with empty_db.connection() as conn:
        upsert_areas(conn, areas)
    started = time.perf_counter()
    records = generate_demo_addresses(areas)
    generated = time.perf_counter() - started
    path = tmp_path / "addresses.csv"
    write_addresses(path, records)
    summary = import_address_file(empty_db, path)
    print(f"\n{DEMO_ADDRESS_COUNT:,} demo addresses: generated in {generated:.1f} s, "
          f"CSV import (read + validate + COPY + upsert) in {summary.seconds:.1f} s")
    assert summary.addresses == summary.addresses_total == DEMO_ADDRESS_COUNT
    rerun = import_address_file(empty_db, path)
    print(f"re-import of the same file: {rerun.seconds:.1f} s")
    assert rerun.addresses_total == DEMO_ADDRESS_COUNT
