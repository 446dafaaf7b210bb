"""Dead letters: stored with topic, payload, reason and time; listed newest first; counted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ioc.storage.dead_letters import DeadLetter, add_dead_letters, count_dead_letters, list_dead_letters

T0 = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)


def test_add_list_and_count(empty_db):
    letters = [
        DeadLetter("ioc/v1/devices/a/telemetry", b"\x00\xffnot json", "Invalid JSON", T0),
        DeadLetter("ioc/v1/indicators/x", b'{"value": 1}', "unknown indicator 'x'", T0 + timedelta(seconds=5)),
        DeadLetter(None, b"row 3", "bad unit", T0 + timedelta(seconds=9), source="file"),
    ]
    with empty_db.connection() as conn:
        assert add_dead_letters(conn, letters) == 3
        newest = list_dead_letters(conn, limit=2)
        mqtt_only = list_dead_letters(conn, source="mqtt")
        under = count_dead_letters(conn, topic_prefix="ioc/v1/indicators/")
        recent = count_dead_letters(conn, since=T0 + timedelta(seconds=1))
        total = count_dead_letters(conn)
    assert [d.reason for d in newest] == ["bad unit", "unknown indicator 'x'"]
    assert mqtt_only[-1].payload == b"\x00\xffnot json" and mqtt_only[-1].received_at == T0
    assert all(d.id is not None for d in newest)
    assert (under, recent, total) == (1, 2, 3)
