"""Simplified area GeoJSON for maps keeps neighbours sharing their borders."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape

from geo.simplify import simplify_collection, tolerance_for_zoom


def _vertices(collection) -> int:
    return sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in collection["features"])


def test_lower_zoom_means_fewer_vertices_and_no_new_overlaps(geo_fixture_dir):
    real = json.loads((geo_fixture_dir / "binhduong_districts.geojson").read_text(encoding="utf-8"))
    coarse, fine = simplify_collection(real, zoom=7), simplify_collection(real, zoom=12)
    assert _vertices(coarse) < _vertices(fine) <= _vertices(real)
    assert real["features"][0]["geometry"]["type"] == "MultiPolygon"  # input untouched
    geoms = [shape(f["geometry"]) for f in coarse["features"]]
    assert all(g.is_valid and not g.is_empty for g in geoms)
    union = shapely.union_all(geoms)
    assert sum(g.area for g in geoms) == pytest.approx(union.area, rel=2e-3)
    assert [f["properties"]["code"] for f in coarse["features"]] == [f["properties"]["code"] for f in real["features"]]


def test_tolerance_halves_per_zoom_level():
    assert tolerance_for_zoom(10) == pytest.approx(tolerance_for_zoom(9) / 2)
    with pytest.raises(ValueError):
        tolerance_for_zoom(-1)
    with pytest.raises(ValueError):
        simplify_collection({"type": "FeatureCollection", "features": []})
