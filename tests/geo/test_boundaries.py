"""Reading real boundary files: reprojection, repair or refusal, codes as strings, hierarchy."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, shape

from geo.boundaries import read_boundaries, repair_polygonal, resolve_hierarchy
from ioc.errors import ImportRefused
from ioc.storage.areas import AreaRecord


def test_real_district_file_reads_as_strings_and_multipolygons(geo_fixture_dir):
    records = read_boundaries(geo_fixture_dir / "binhduong_districts.geojson", level="district",
                              code_field="code", name_field="name", parent_field="province_code",
                              unit_type_field="type")
    assert sorted(r.code for r in records) == [str(c) for c in range(718, 727)]
    by_code = {r.code: r for r in records}
    assert by_code["724"].name_vi == "Dĩ An" and by_code["726"].name_vi == "Bắc Tân Uyên"
    assert by_code["723"].unit_type == "Thành phố"
    assert all(r.parent_code == "74" and r.level == "district" for r in records)
    assert all(r.geometry["type"] == "MultiPolygon" for r in records)
    assert 2_550 < sum(r.area_km2 for r in records) < 2_850  # Bình Dương: about 2,695 km²
    assert 150 < by_code["723"].area_km2 < 250 and 330 < by_code["726"].area_km2 < 470
    for r in records:
        assert shape(r.geometry).contains(Point(r.centroid_lon, r.centroid_lat))
        assert r.properties["source_feature"] >= 1


def _write(tmp_path, name, geometries, crs="EPSG:4326", codes=None, **columns):
    codes = codes or [f"9{i:03d}" for i in range(len(geometries))]
    frame = gpd.GeoDataFrame({"code": codes, "name": [f"Xã {c}" for c in codes], **columns},
                             geometry=geometries, crs=crs)
    path = tmp_path / name
    frame.to_file(path, engine="pyogrio")
    return path


def test_bowtie_is_repaired_and_noted(tmp_path):
    bowtie = Polygon([(106.6, 11.0), (106.7, 11.1), (106.7, 11.0), (106.6, 11.1), (106.6, 11.0)])
    assert not bowtie.is_valid
    path = _write(tmp_path, "bowtie.geojson", [bowtie, shapely.box(106.8, 11.0, 106.9, 11.1)])
    records = read_boundaries(path, level="commune", code_field="code", name_field="name")
    repaired = shape(records[0].geometry)
    assert repaired.is_valid and repaired.area > 0
    assert "Self-intersection" in records[0].properties["repair"]
    assert "repair" not in records[1].properties


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [(Point(106.7, 11.0), "is a Point"), (Polygon(), "empty geometry")],
)
def test_unusable_geometry_refuses_file_with_feature_and_reason(tmp_path, geometry, reason):
    good = shapely.box(106.6, 11.0, 106.7, 11.1)
    path = tmp_path / "bad.geojson"
    frame = gpd.GeoDataFrame({"code": ["9001", "9002", "9003"], "name": ["A", "B", "C"]},
                             geometry=[good, good.buffer(0), geometry], crs="EPSG:4326")
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(ImportRefused) as caught:
        read_boundaries(path, level="commune", code_field="code", name_field="name")
    assert caught.value.row == 3
    assert reason in caught.value.reason and "9003" in caught.value.reason


def test_missing_field_is_named(geo_fixture_dir):
    with pytest.raises(ImportRefused) as caught:
        read_boundaries(geo_fixture_dir / "binhduong_districts.geojson", level="district",
                        code_field="ma", name_field="name")
    assert "no field(s) ma" in str(caught.value) and "code" in str(caught.value)


@pytest.mark.parametrize("name", ["units.shp", "units.gpkg"])
def test_projected_file_is_reprojected_to_wgs84(tmp_path, name):
    # A 2 km square near Thủ Dầu Một in UTM 48N, with integer codes as a shapefile stores them.
    x, y = 680_000, 1_215_000
    square = shapely.box(x, y, x + 2_000, y + 2_000)
    frame = gpd.GeoDataFrame({"code": [25747], "name": ["Phú Cường"], "parent": [718]},
                             geometry=[MultiPolygon([square])], crs="EPSG:32648")
    path = tmp_path / name
    frame.to_file(path, engine="pyogrio")
    [record] = read_boundaries(path, level="commune", code_field="code", name_field="name", parent_field="parent")
    assert record.code == "25747" and record.parent_code == "718" and record.name_vi == "Phú Cường"
    minx, miny, maxx, maxy = shape(record.geometry).bounds
    assert 106.5 < minx < maxx < 106.8 and 10.9 < miny < maxy < 11.1
    assert record.area_km2 == pytest.approx(4.0, rel=1e-3)


def test_repair_polygonal_refuses_lines():
    geometry, reason = repair_polygonal(shapely.LineString([(0, 0), (1, 1)]))
    assert geometry is None and "LineString" in reason


def _area(code, parent=None):
    return AreaRecord(code=code, name_vi=code, level="x", parent_code=parent)


def test_hierarchy_of_any_depth_gets_depths():
    records = [_area("c1", "d1"), _area("d1", "p"), _area("w1", "c1"), _area("c2", "d9")]
    resolved = resolve_hierarchy(records, {"p": 0, "d9": 1})
    assert [r.depth for r in resolved] == [2, 1, 3, 2]


def test_unknown_parent_and_cycles_are_refused_with_rows():
    with pytest.raises(ImportRefused) as caught:
        resolve_hierarchy([_area("a", "p"), _area("b", "zz"), _area("c", "d"), _area("d", "c")], {"p": 0})
    assert caught.value.row == 2 and "unknown parent code zz" in caught.value.reason
    rows = {p.row for p in caught.value.problems}
    assert rows == {2, 3} or rows == {2, 3, 4}


def test_population_must_be_a_whole_number(tmp_path):
    squares = [shapely.box(106.6, 11.0, 106.7, 11.1), shapely.box(106.7, 11.0, 106.8, 11.1)]
    path = _write(tmp_path, "pop.geojson", squares, dan_so=["12000", "nhiều"])
    with pytest.raises(ImportRefused) as caught:
        read_boundaries(path, level="commune", code_field="code", name_field="name", population_field="dan_so")
    assert caught.value.row == 2 and "population 'nhiều'" in caught.value.reason
    path = _write(tmp_path, "pop2.geojson", squares, dan_so=[12000, 9000])
    records = read_boundaries(path, level="commune", code_field="code", name_field="name", population_field="dan_so")
    assert [r.population for r in records] == [12000, 9000]
