"""The demo fleet: enough devices of every kind, all inside the province, the committed file in step."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from collectors.simulators.fleet import build_fleet, load_corridors, read_fleet, write_fleet
from collectors.simulators.locator import AreaLocator
from collectors.simulators.seed import load_demo
from ioc.errors import DataFileError
from ioc.storage.db import Database
from ioc.storage.devices import list_devices


@pytest.fixture(scope="module")
def fleet():
    return read_fleet()


def test_fleet_has_enough_cameras_and_sensors(fleet):
    kinds = Counter(d.kind for d in fleet)
    assert kinds["camera"] >= 200
    assert sum(n for kind, n in kinds.items() if kind != "camera") >= 300
    assert {"air", "water_level", "water_quality", "noise"} <= set(kinds)
    assert len({d.id for d in fleet}) == len(fleet)


def test_every_device_is_inside_the_province_in_a_known_commune(fleet):
    locator = AreaLocator()
    assert locator.has_geometry
    outside = [d.id for d in fleet if not locator.contains(d.lon, d.lat)]
    assert outside == []
    unknown = [d.id for d in fleet if d.area_code not in locator.by_code]
    assert unknown == []
    assert [d.id for d in fleet if locator.locate(d.lon, d.lat) != d.area_code] == []


def test_cameras_line_the_named_corridors_and_the_administrative_centre(fleet):
    cameras = [d for d in fleet if d.kind == "camera"]
    corridors = Counter(d.properties["corridor"] for d in cameras)
    assert {"ql13", "ql1a", "dt743", "dt741", "mptv", "dt744", "ttht"} <= set(corridors)
    assert corridors["ttht"] >= 20  # one camera per approach at each crossing of the centre
    names = {d.name for d in cameras}
    assert "Camera nút giao Đại lộ Bình Dương – Hùng Vương" in names
    # Dĩ An (724) has cameras on QL1A / QL1K / ĐT743
    locator = AreaLocator()
    assert any(locator.by_code[d.area_code].parent_code == "724" for d in cameras)


def test_water_level_gauges_follow_the_rivers_and_flood_points(fleet):
    gauges = [d for d in fleet if d.kind == "water_level"]
    rivers = Counter(d.properties.get("river") for d in gauges)
    assert {"Sông Sài Gòn", "Sông Đồng Nai", "Sông Thị Tính"} <= set(rivers)
    assert sum(1 for d in gauges if d.properties.get("flood_point")) >= 10


def test_committed_fleet_file_equals_a_regeneration(fleet, tmp_path: Path):
    regenerated = read_fleet(write_fleet(build_fleet(), tmp_path / "fleet.csv"))
    assert regenerated == fleet, "fleet.csv is stale: run `ioc simulate fleet` and commit the result"


def test_a_bad_corridor_row_is_reported_with_file_and_row(tmp_path: Path):
    path = tmp_path / "corridors.csv"
    path.write_text(
        "corridor,kind,name_vi,lanes,spacing_km,seq,lon,lat,label\n"
        "x,road,Đường X,4,1.0,1,106.7,10.9,A\n"
        "x,road,Đường X,4,1.0,2,10.9,106.7,B\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as err:
        load_corridors(path)
    assert err.value.row == 3 and "not in Vietnam" in err.value.reason


def test_loading_the_fleet_twice_registers_it_once(empty_db: Database, fleet):
    first = load_demo(empty_db, catalog=False)
    second = load_demo(empty_db, catalog=False)
    assert first.devices == second.devices == len(fleet)
    assert first.areas == 101 and second.areas == 0
    with empty_db.connection() as conn:
        stored = list_devices(conn)
    assert len(stored) == len(fleet)
    assert stored[0].id == "air-0001" and stored[0].area_code
