"""Device events are stored once per (device, ts, kind) and take the device's area."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ioc.model import Event
from ioc.storage.devices import Device, upsert_devices
from ioc.storage.events import list_recent_events, write_events

T0 = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)


def test_write_is_idempotent_and_fills_the_area(empty_db):
    with empty_db.connection() as conn:
        conn.execute("INSERT INTO area (code, name_vi, level) VALUES ('tdm', 'Thủ Dầu Một', 'district')")
        upsert_devices(conn, [Device("cam-1", "camera", "Camera 1", area_code="tdm")])
        events = [Event(T0, "accident", "cam-1", severity="critical", details={"lane": 1}),
                  Event(T0 + timedelta(minutes=1), "wrong_way", "cam-1")]
        assert write_events(conn, events) == 2
        assert write_events(conn, events + events) == 0
        recent = list_recent_events(conn, limit=10)
        accidents = list_recent_events(conn, kind="accident")
    assert [e.kind for e in recent] == ["wrong_way", "accident"]
    assert accidents == [Event(T0, "accident", "cam-1", "tdm", "critical", {"lane": 1})]
