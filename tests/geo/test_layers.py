"""Map layer assembly against a real database: aggregation by zoom, viewport points, boundaries, budget."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import h3
import plotly.graph_objects as go
import pytest
import shapely
from shapely.geometry import shape

from geo import layers
from geo.boundaries import read_boundaries, resolve_hierarchy
from geo.loading import load_demo
from ioc.storage.addresses import count_addresses
from ioc.storage.areas import AreaRecord, area_depths, upsert_areas
from ioc.storage.db import Database
from ioc.storage.map_layers import address_count_in_bbox, search_address_codes
from layouts import map_figures as mf
from tests.conftest import RUN_ID, create_database, drop_database

TEST_ADDRESSES = 20_000


@pytest.fixture(scope="module")
def demo_db(pg_server_url: str, template_database: str) -> Iterator[Database]:
    """The demo territory with 20,000 demo addresses, in a database of this module."""
    name = f"ioc_test_{RUN_ID}_maplayers_{uuid.uuid4().hex[:4]}"
    url = create_database(pg_server_url, name, template=template_database)
    database = Database(url, max_size=2).open()
    load_demo(database, addresses=TEST_ADDRESSES)
    yield database
    database.close()
    drop_database(pg_server_url, name)


def _view(lon: float, lat: float, zoom: float) -> layers.Viewport:
    return layers.Viewport(lon, lat, zoom, layers.bbox_around(lon, lat, zoom))


def _densest(conn) -> tuple[float, float]:
    cells = layers.hex_counts(conn, 9, None, None)
    top = max(cells, key=cells.get)
    lat, lon = h3.cell_to_latlng(top)
    return lon, lat


def test_viewport_from_relayout_reads_center_zoom_and_corners() -> None:
    relayout = {"map.center": {"lon": 106.7, "lat": 10.95}, "map.zoom": 14.2,
                "map._derived": {"coordinates": [[106.6, 11.0], [106.8, 11.0], [106.8, 10.9], [106.6, 10.9]]}}
    view = layers.viewport_from_relayout(relayout)
    assert (view.lon, view.lat, view.zoom) == (106.7, 10.95, 14.2)
    assert view.bbox == (106.6, 10.9, 106.8, 11.0)
    # A zoom-only event keeps the previous centre; an unrelated event keeps the previous view.
    zoomed = layers.viewport_from_relayout({"map.zoom": 15.0}, view)
    assert (zoomed.lon, zoomed.lat, zoomed.zoom) == (106.7, 10.95, 15.0)
    assert zoomed.bbox[2] - zoomed.bbox[0] < 0.2  # estimated from the new zoom, smaller than before
    assert layers.viewport_from_relayout({"autosize": True}, view) is view
    assert layers.viewport_from_relayout(None, None) is None


def test_zoomed_out_is_aggregated_and_counts_every_address(demo_db: Database) -> None:
    with demo_db.connection() as conn:
        layer = layers.address_layer(conn, _view(106.65, 11.18, 8.5))
        table = layers.territory_hex_table(conn, 7)
        cached = layers.address_layer(conn, _view(106.65, 11.18, 8.5), hex_source=lambda r: table)
    assert layer.mode == "hex" and layer.resolution == 7
    assert layer.total == TEST_ADDRESSES and not layer.points
    assert cached.cells == layer.cells


def test_zoom_chooses_finer_hexagons_then_points(demo_db: Database) -> None:
    with demo_db.connection() as conn:
        lon, lat = _densest(conn)
        modes = {z: layers.address_layer(conn, _view(lon, lat, z)) for z in (11.0, 13.0, 17.0)}
        box = _view(lon, lat, 17.0).padded(0.05)
        in_box = address_count_in_bbox(conn, box)
    assert (modes[11.0].mode, modes[11.0].resolution) == ("hex", 8)
    assert (modes[13.0].mode, modes[13.0].resolution) == ("hex", 9)
    street = modes[17.0]
    assert street.mode == "points" and 0 < len(street.points) == in_box <= layers.POINT_LIMIT
    min_lon, min_lat, max_lon, max_lat = box
    assert all(min_lon <= p.lon <= max_lon and min_lat <= p.lat <= max_lat for p in street.points)


def test_too_many_points_in_view_stay_aggregated(demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layers, "POINT_LIMIT", 10)
    with demo_db.connection() as conn:
        lon, lat = _densest(conn)
        layer = layers.address_layer(conn, _view(lon, lat, 16.0))
    assert layer.mode == "hex" and layer.resolution == 9 and layer.total > 10


def test_category_filter_applies_to_hexagons_and_points(demo_db: Database) -> None:
    with demo_db.connection() as conn:
        lon, lat = _densest(conn)
        schools = layers.address_layer(conn, _view(106.65, 11.18, 8.5), ["school"])
        everything = count_addresses(conn)
        points = layers.address_layer(conn, _view(lon, lat, 16.5), ["business", "school"])
    assert 0 < schools.total < everything / 20
    assert points.mode == "points" and {p.category for p in points.points} <= {"business", "school"}


def test_hex_trace_draws_closed_hexagons_and_validates(demo_db: Database) -> None:
    with demo_db.connection() as conn:
        layer = layers.address_layer(conn, _view(106.65, 11.18, 8.5))
    trace = mf.hex_trace(layer.cells)
    features = trace["geojson"]["features"]
    assert len(features) == len(layer.cells) and trace["z"] == list(layer.cells.values())
    ring = features[0]["geometry"]["coordinates"][0]
    assert len(ring) == 7 and ring[0] == ring[-1]
    go.Figure(data=[trace])  # raises when the dict is not a valid choroplethmap


def test_address_search_exact_then_prefix(demo_db: Database) -> None:
    with demo_db.connection() as conn:
        some = conn.execute("SELECT code FROM digital_address ORDER BY code LIMIT 1 OFFSET 500").fetchone()[0]
        assert search_address_codes(conn, some.lower()) == [some]
        prefix = some[: some.rindex("-") + 1]
        found = search_address_codes(conn, prefix, limit=5)
        assert len(found) == 5 and all(code.startswith(prefix) for code in found)
        assert search_address_codes(conn, "KHONG-CO-MA-NAY") == []
        assert search_address_codes(conn, "BD-%") == []  # LIKE wildcards are literal


def test_demo_boundaries_are_simplified_and_rounded_per_zoom(demo_db: Database) -> None:
    with demo_db.connection() as conn:
        coarse = layers.boundary_collection(conn, zoom=8.0, level="commune")
        fine = layers.boundary_collection(conn, zoom=14.0, level="commune")

    def vertices(collection):
        return sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in collection["features"])

    assert len(coarse["features"]) == len(fine["features"]) == 91
    assert vertices(coarse) < vertices(fine)
    assert len(json.dumps(coarse)) < len(json.dumps(fine))
    assert set(coarse["features"][0]["properties"]) == {"code", "name_vi", "name_en", "level", "parent_code",
                                                        "label_lon", "label_lat"}


def test_real_district_file_imports_and_draws(empty_db: Database, geo_fixture_dir) -> None:
    records = read_boundaries(geo_fixture_dir / "binhduong_districts.geojson", level="district",
                              code_field="code", name_field="name", unit_type_field="type", parent_code="74")
    with empty_db.connection() as conn:
        upsert_areas(conn, [AreaRecord("74", "Bình Dương", "province")])
        upsert_areas(conn, resolve_hierarchy(records, area_depths(conn)))
        collection = layers.boundary_collection(conn, zoom=9.0, level="district")
    features = {f["properties"]["code"]: f for f in collection["features"]}
    assert len(features) == 9
    assert features["718"]["properties"]["name_vi"] == "Thủ Dầu Một"
    assert {f["properties"]["name_vi"] for f in features.values()} >= {"Dầu Tiếng", "Bắc Tân Uyên", "Dĩ An"}
    assert {f["geometry"]["type"] for f in features.values()} <= {"MultiPolygon", "Polygon"}
    assert any(f["geometry"]["type"] == "MultiPolygon" for f in features.values())
    for feature in features.values():
        props = feature["properties"]
        assert shape(feature["geometry"]).buffer(1e-4).contains(shapely.Point(props["label_lon"], props["label_lat"]))
    lon, lat, zoom = layers.fit_view(collection, (1366, 600))
    assert 106.3 < lon < 107.0 and 10.8 < lat < 11.6 and 8.0 < zoom < 10.5
    figure = mf.assemble({"areas": mf.areas_trace(collection), "labels": mf.labels_trace(collection)},
                         mf.map_layout(lon=lon, lat=lat, zoom=zoom))
    go.Figure(figure)  # valid plotly figure
    assert "Thủ Dầu Một" in figure["data"][mf.TRACES["labels"]]["text"]


def test_offline_style_needs_no_server_and_tile_url_adds_raster() -> None:
    offline = mf.base_style("dark")
    assert "glyphs" not in offline and "sprite" not in offline
    assert all(source["type"] == "geojson" for source in offline["sources"].values())  # nothing to download
    raster = mf.base_style("dark", "http://vmap.local/tiles/{z}/{x}/{y}.png")
    assert raster["sources"]["ioc-tiles"]["tiles"] == ["http://vmap.local/tiles/{z}/{x}/{y}.png"]
    assert mf.base_style("light", "http://vmap.local/style.json") == "http://vmap.local/style.json"


@pytest.mark.slow
def test_full_address_set_stays_under_the_payload_budget(empty_db: Database) -> None:
    """All 286,947 demo addresses: province, district and street zoom each stay under 2 MB."""
    load_demo(empty_db)
    with empty_db.connection() as conn:
        assert count_addresses(conn) == 286_947
        lon, lat = _densest(conn)
        tables = {r: layers.territory_hex_table(conn, r) for r in (7, 8, 9)}
        sizes = {}
        for name, view in {"province": _view(106.65, 11.18, 9.3), "district": _view(lon, lat, 12.0),
                           "street": _view(lon, lat, 16.5)}.items():
            layer = layers.address_layer(conn, view, hex_source=tables.__getitem__)
            trace = mf.points_trace(layer.points) if layer.mode == "points" else mf.hex_trace(layer.cells)
            sizes[name] = (layer.mode, len(json.dumps(trace)))
    assert sizes["province"][0] == "hex" and sizes["street"][0] == "points"
    assert all(size < layers.PAYLOAD_BUDGET for _, size in sizes.values()), sizes


def test_labels_of_data_values_fall_back_to_the_value() -> None:
    assert mf.label("category", "school") == "Trường học"
    assert mf.label("category", "school", "en") == "School"
    assert mf.label("level", "ward") == "ward"  # a level an import brought in, not in i18n.csv
