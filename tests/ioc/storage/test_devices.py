"""The device registry: upsert, listing, last seen and status."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ioc.storage.devices import Device, get_device, list_devices, mark_seen, set_status, upsert_devices

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def fleet(empty_db):
    """Three devices in an empty database."""
    devices = [
        Device("cam-1", "camera", "Camera 1", lon=106.65, lat=10.98, properties={"lanes": 4}),
        Device("air-1", "air", "Trạm không khí 1"),
        Device("air-2", "air", "Trạm không khí 2"),
    ]
    with empty_db.connection() as conn:
        assert upsert_devices(conn, devices) == 3
    return empty_db


def test_upsert_inserts_then_updates_keeping_status(fleet):
    with fleet.connection() as conn:
        set_status(conn, "cam-1", "online", T0)
        upsert_devices(conn, [Device("cam-1", "camera", "Camera 1 (renamed)", properties={"lanes": 6})])
        cam = get_device(conn, "cam-1")
        assert len(list_devices(conn)) == 3
    assert cam.name == "Camera 1 (renamed)" and cam.properties == {"lanes": 6}
    assert cam.status == "online" and cam.last_seen == T0
    assert cam.lon is None  # an upsert replaces the description wholesale


def test_list_filters_by_kind_and_area(fleet):
    with fleet.connection() as conn:
        air = list_devices(conn, kind="air")
        none = list_devices(conn, kind="air", area_code="nowhere")
        missing = get_device(conn, "nope")
    assert [d.id for d in air] == ["air-1", "air-2"]
    assert none == [] and missing is None


def test_mark_seen_only_moves_forward(fleet):
    with fleet.connection() as conn:
        assert mark_seen(conn, [("air-1", T0), ("air-1", T0 + timedelta(minutes=5)), ("ghost", T0)]) == 1
        assert mark_seen(conn, [("air-1", T0)]) == 0
        seen = get_device(conn, "air-1").last_seen
    assert seen == T0 + timedelta(minutes=5)


def test_set_status_validates_and_reports_unknown_device(fleet):
    with fleet.connection() as conn:
        assert set_status(conn, "air-2", "offline", T0) is True
        assert set_status(conn, "ghost", "online", T0) is False
        with pytest.raises(ValueError, match="online, offline, unknown"):
            set_status(conn, "air-2", "broken", T0)
        dev = get_device(conn, "air-2")
    assert dev.status == "offline" and dev.last_seen is None
