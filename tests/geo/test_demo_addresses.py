"""The demo digital addresses: exact count, inside their communes, realistic density, stable codes."""

from __future__ import annotations

import re
from collections import Counter

import h3
import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from geo.address_files import read_addresses, write_addresses
from geo.addresses import CATEGORIES, generate_demo_addresses
from geo.demo_territory import load_demo_areas


@pytest.fixture(scope="module")
def areas():
    return load_demo_areas()


@pytest.fixture(scope="module")
def sample(areas):
    return generate_demo_addresses(areas, 20_000, seed=7)


def test_exact_count_unique_codes_and_deterministic(areas, sample):
    assert len(sample) == 20_000
    assert len({a.code for a in sample}) == 20_000
    assert all(re.fullmatch(r"BD-7\d\d-\d{5}-\d{6}", a.code) for a in sample[:500])
    assert generate_demo_addresses(areas, 20_000, seed=7)[:50] == sample[:50]
    assert generate_demo_addresses(areas, 20_000, seed=8)[:50] != sample[:50]


def test_points_lie_in_their_commune(areas, sample):
    polygons = {a.code: shape(a.geometry) for a in areas if a.level == "commune"}
    by_area: dict[str, list] = {}
    for a in sample:
        by_area.setdefault(a.area_code, []).append((a.lon, a.lat))
    assert set(by_area) == set(polygons)  # every commune gets addresses
    for code, points in by_area.items():
        xy = np.array(points)
        # coordinates are rounded to 6 decimals (~0.1 m): allow that much at the border
        inside = shapely.contains_xy(polygons[code].buffer(2e-6), xy[:, 0], xy[:, 1])
        assert inside.all(), code


def test_categories_and_h3(sample):
    shares = Counter(a.category for a in sample)
    assert set(shares) == set(CATEGORIES)
    assert 0.83 < shares["household"] / len(sample) < 0.87
    a = sample[0]
    assert a.h3_r9 == h3.latlng_to_cell(a.lat, a.lon, 9) and h3.cell_to_parent(a.h3_r9, 7) == a.h3_r7


def test_density_follows_urban_districts(areas, sample):
    km2 = {a.code: a.area_km2 for a in areas}
    per_district = Counter(a.code.split("-")[1] for a in sample)
    density = {d: per_district[d] / km2[d] for d in per_district}
    for dense in ("724", "725", "718"):  # Dĩ An, Thuận An, Thủ Dầu Một
        for sparse in ("720", "722"):  # Dầu Tiếng, Phú Giáo
            assert density[dense] > 8 * density[sparse]


def test_csv_and_geojson_round_trip(sample, tmp_path):
    for name in ("a.csv", "a.geojson"):
        path = tmp_path / name
        assert write_addresses(path, sample[:200]) == 200
        assert read_addresses(path) == sample[:200]
