"""Area storage: upsert (re-import updates), tree reads, levels, breadcrumbs, GeoJSON."""

from __future__ import annotations

import shapely
from shapely.geometry import mapping

from ioc.storage.areas import (
    AreaRecord,
    area_children,
    area_depths,
    area_geojson,
    area_levels,
    area_path,
    get_area,
    list_areas,
    upsert_areas,
)

SQUARE = mapping(shapely.box(106.6, 11.0, 106.7, 11.1))


def _tree() -> list[AreaRecord]:
    return [
        AreaRecord("74", "Bình Dương", "province", name_en="Binh Duong", population=2_700_000),
        AreaRecord("724", "Dĩ An", "district", parent_code="74", depth=1, unit_type="Thành phố"),
        AreaRecord("25942", "Dĩ An", "commune", parent_code="724", depth=2, unit_type="Phường",
                   geometry=SQUARE, centroid_lon=106.65, centroid_lat=11.05, area_km2=120.0,
                   properties={"approximate": True}),
        AreaRecord("25945", "Tân Bình", "commune", parent_code="724", depth=2, unit_type="Phường"),
    ]


def test_upsert_and_read_the_tree(empty_db):
    with empty_db.connection() as conn:
        # children listed first: upsert orders by depth so the parent FK holds
        assert upsert_areas(conn, list(reversed(_tree()))) == 4
    with empty_db.connection() as conn:
        assert [a.code for a in list_areas(conn)] == ["74", "724", "25942", "25945"]
        assert [a.code for a in list_areas(conn, level="commune")] == ["25942", "25945"]
        assert [a.code for a in area_children(conn, "724")] == ["25942", "25945"]
        assert area_levels(conn) == ["province", "district", "commune"]
        assert area_depths(conn) == {"74": 0, "724": 1, "25942": 2, "25945": 2}
        assert [a.name_vi for a in area_path(conn, "25945")] == ["Bình Dương", "Dĩ An", "Tân Bình"]
        assert area_path(conn, "nope") == []
        commune = get_area(conn, "25942")
        assert commune.geometry["type"] == "Polygon" and commune.properties == {"approximate": True}
        assert list_areas(conn, level="commune")[0].geometry is None  # light by default
        assert get_area(conn, "missing") is None


def test_reupsert_updates_without_duplicates_and_keeps_unknown_values(empty_db):
    with empty_db.connection() as conn:
        upsert_areas(conn, _tree())
    renamed = AreaRecord("74", "Tỉnh Bình Dương", "province")  # no population, no name_en this time
    with empty_db.connection() as conn:
        upsert_areas(conn, [renamed])
        upsert_areas(conn, _tree()[1:])
    with empty_db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM area").fetchone()[0] == 4
        province = get_area(conn, "74")
    assert province.name_vi == "Tỉnh Bình Dương"
    assert province.population == 2_700_000 and province.name_en == "Binh Duong"


def test_two_level_hierarchy_after_2025(empty_db):
    areas = [AreaRecord("79", "Thành phố Hồ Chí Minh", "province"),
             AreaRecord("26734", "Phường Sài Gòn", "ward", parent_code="79", depth=1)]
    with empty_db.connection() as conn:
        upsert_areas(conn, areas)
        assert area_levels(conn) == ["province", "ward"]
        assert [a.code for a in area_path(conn, "26734")] == ["79", "26734"]


def test_geojson_has_only_areas_with_geometry(empty_db):
    with empty_db.connection() as conn:
        upsert_areas(conn, _tree())
        collection = area_geojson(conn, level="commune")
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["id"] == "25942"
    assert feature["properties"]["name_vi"] == "Dĩ An" and feature["properties"]["approximate"] is True
    assert feature["properties"]["parent_code"] == "724"
    assert shapely.geometry.shape(feature["geometry"]).equals(shapely.geometry.shape(SQUARE))
