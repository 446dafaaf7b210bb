"""The demo territory: Bình Dương's real units on schematic geometry that tiles the province."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest
import shapely
from shapely.geometry import shape

from geo.boundaries import measure
from geo.demo_territory import default_geometry_path, demo_feature_collection, load_demo_areas
from geo.units import default_units_path, load_units
from ioc.errors import DataFileError


@pytest.fixture(scope="module")
def areas():
    return load_demo_areas()


def test_units_are_the_sources_structure():
    units = load_units()
    levels = Counter(u.level for u in units)
    assert levels == {"province": 1, "district": 9, "commune": 91}
    by_code = {u.code: u for u in units}
    assert by_code["74"].name_vi == "Bình Dương"
    districts = {u.code: u.name_vi for u in units if u.level == "district"}
    assert districts == {
        "718": "Thủ Dầu Một", "719": "Bàu Bàng", "720": "Dầu Tiếng", "721": "Bến Cát", "722": "Phú Giáo",
        "723": "Tân Uyên", "724": "Dĩ An", "725": "Thuận An", "726": "Bắc Tân Uyên",
    }
    # 2024 count after Bến Cát became a city: 47 wards, 5 townships, 39 communes
    assert Counter(u.unit_type for u in units if u.level == "commune") == {"Phường": 47, "Thị trấn": 5, "Xã": 39}
    di_an = {u.name_vi for u in units if u.parent_code == "724"}
    assert di_an == {"Dĩ An", "Tân Bình", "Tân Đông Hiệp", "Đông Hòa", "Bình An", "Bình Thắng", "An Bình"}
    for u in units:
        if u.level == "commune":
            assert by_code[u.parent_code].level == "district", u.code
            assert len(u.code) == 5 and u.code_source in ("gso", "demo")


def test_populations_are_calibrated():
    units = load_units()
    province = next(u for u in units if u.level == "province")
    districts = [u for u in units if u.level == "district"]
    assert 2_500_000 <= province.population <= 2_900_000
    assert sum(d.population for d in districts) == province.population
    for d in districts:
        assert sum(c.population for c in units if c.parent_code == d.code) == d.population, d.name_vi


def test_every_feature_is_marked_approximate():
    collection = json.loads(default_geometry_path().read_text(encoding="utf-8"))
    assert collection["approximate"] is True
    assert "not surveyed" in collection["note"]
    assert len(collection["features"]) == 101
    assert all(f["properties"]["approximate"] is True for f in collection["features"])


def test_shipped_geometry_is_what_the_generator_makes():
    shipped = json.loads(default_geometry_path().read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(demo_feature_collection()))
    hint = "run `python -m geo.demo_territory` to regenerate the demo geometry"
    assert [f["properties"] for f in fresh["features"]] == [f["properties"] for f in shipped["features"]], hint
    for new, old in zip(fresh["features"], shipped["features"]):
        a, b = shape(new["geometry"]), shape(old["geometry"])
        assert a.symmetric_difference(b).area <= 1e-6 * b.area, hint


def test_levels_tile_the_province_without_gaps_or_overlaps(areas):
    levels = ("province", "district", "commune")
    by_level = {lvl: [shape(a.geometry) for a in areas if a.level == lvl] for lvl in levels}
    province = by_level["province"][0]
    for level in ("district", "commune"):
        parts = by_level[level]
        union = shapely.union_all(parts)
        assert all(p.is_valid and not p.is_empty for p in parts)
        assert abs(union.area - province.area) / province.area < 0.005, f"{level} union differs from province"
        assert abs(sum(p.area for p in parts) - union.area) / union.area < 0.001, f"{level} polygons overlap"
    assert shapely.coverage_is_valid(by_level["commune"])


def test_communes_fall_inside_their_district(areas):
    geoms = {a.code: shape(a.geometry) for a in areas}
    for a in areas:
        if a.level == "commune":
            inside = geoms[a.code].intersection(geoms[a.parent_code]).area
            assert inside / geoms[a.code].area > 0.999, a.name_vi


def test_province_shape_is_plausible(areas):
    province = next(a for a in areas if a.level == "province")
    minx, miny, maxx, maxy = shape(province.geometry).bounds
    assert 106.30 <= minx and maxx <= 106.98 and 10.85 <= miny and maxy <= 11.51
    assert 2_400 < province.area_km2 < 3_000  # real: about 2,695 km²
    density = {a.name_vi: a.population / a.area_km2 for a in areas if a.level == "district"}
    assert min(density["Dĩ An"], density["Thuận An"], density["Thủ Dầu Một"]) > 5 * max(
        density["Dầu Tiếng"], density["Phú Giáo"])


def test_label_points_lie_inside(areas):
    for a in areas:
        assert shape(a.geometry).contains(shapely.Point(a.centroid_lon, a.centroid_lat)), a.code


def test_bad_unit_file_names_row_and_reason(tmp_path):
    rows = list(csv.DictReader(default_units_path().open(encoding="utf-8")))
    rows[5]["parent_code"] = "999"
    path = tmp_path / "units.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataFileError) as caught:
        load_units(path)
    assert caught.value.row == 7
    assert "parent_code 999" in caught.value.reason


def test_measure_gives_km2():
    # a 0.1° square at the equator-ish latitude of Bình Dương is about 11 km × 10.9 km
    square = shapely.box(106.6, 11.0, 106.7, 11.1)
    _, _, area = measure([square])
    assert 118 < area[0] < 124
