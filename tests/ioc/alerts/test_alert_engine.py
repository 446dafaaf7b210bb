"""The alert evaluator against a real database: lifecycle, hysteresis, dedup, staleness, devices, incidents."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from collectors.maintenance import mark_stale_series
from ioc.alerts import AlertEngine, AlertPolicy, acknowledge_alert, resolve_alert
from ioc.model import Event
from ioc.storage.alerts import AlertDraft, AlertNotFound, alert_history, list_open_alerts, open_or_update
from ioc.storage.devices import mark_seen, set_status
from ioc.storage.events import write_events
from tests.ioc.alerts._support import T0, Clock, put


def _alerts(db, rule=None):
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT id, rule, severity, state FROM alert WHERE (%s::text IS NULL OR rule = %s) ORDER BY id", (rule, rule)
        ).fetchall()
    return rows


def test_open_acknowledge_resolve_with_history(alert_db):
    engine = AlertEngine(alert_db, clock=Clock())
    put(alert_db, "TEST.ON_TIME_RATE", T0, 84.2)
    [opened] = engine.evaluate_series()
    assert opened.change == "opened" and opened.alert.severity == "warning" and opened.alert.state == "open"
    assert opened.alert.message_vi == "Tỷ lệ hồ sơ đúng hạn tại Dĩ An giảm xuống 84,2% (ngưỡng cảnh báo 90%)"
    assert opened.alert.indicator_code == "TEST.ON_TIME_RATE" and opened.alert.area_code == "724"

    acked = acknowledge_alert(alert_db, opened.alert.id, by="Nguyễn Văn An", note="Đã giao Sở Nội vụ xử lý")
    assert acked.alert.state == "acknowledged" and acked.alert.acked_by == "Nguyễn Văn An"
    assert acked.alert.acked_at is not None and acked.alert.ack_note == "Đã giao Sở Nội vụ xử lý"
    assert engine.evaluate_series() == []  # still breaching, already known: nothing new

    put(alert_db, "TEST.ON_TIME_RATE", T0 + timedelta(days=1), 93.0)
    [resolved] = engine.evaluate_series()
    assert resolved.change == "resolved" and resolved.alert.resolved_at is not None
    with alert_db.connection() as conn:
        history = alert_history(conn, opened.alert.id)
        assert list_open_alerts(conn) == []
    assert [(h.state, h.actor) for h in history] == [
        ("open", "system"), ("acknowledged", "Nguyễn Văn An"), ("resolved", "system")]
    assert history[1].note == "Đã giao Sở Nội vụ xử lý"


def test_hovering_value_opens_one_alert_and_never_flaps(alert_db):
    engine = AlertEngine(alert_db, clock=Clock())
    changes = []
    for day, value in enumerate([89.5, 90.5, 89.9, 91.0, 89.0, 91.7]):
        put(alert_db, "TEST.ON_TIME_RATE", T0 + timedelta(days=day), value)
        changes += [c.change for c in engine.evaluate_series()]
    assert changes == ["opened"]
    assert [r[3] for r in _alerts(alert_db)] == ["open"]
    put(alert_db, "TEST.ON_TIME_RATE", T0 + timedelta(days=10), 92.0)
    assert [c.change for c in engine.evaluate_series()] == ["resolved"]
    put(alert_db, "TEST.ON_TIME_RATE", T0 + timedelta(days=11), 89.0)
    assert [c.change for c in engine.evaluate_series()] == ["opened"]
    assert [r[3] for r in _alerts(alert_db)] == ["resolved", "open"]  # history kept, a new alert opened


def test_escalation_updates_the_same_alert(alert_db):
    engine = AlertEngine(alert_db, clock=Clock())
    steps = []
    for day, value in enumerate([85, 79, 81.0, 85]):
        put(alert_db, "TEST.ON_TIME_RATE", T0 + timedelta(days=day), value)
        steps += [(c.change, c.alert.severity, c.alert.id) for c in engine.evaluate_series()]
        if day == 0:
            acknowledge_alert(alert_db, steps[0][2], by="op")
    ids = {s[2] for s in steps}
    assert len(ids) == 1
    assert [s[:2] for s in steps] == [("opened", "warning"), ("escalated", "critical"), ("deescalated", "warning")]
    with alert_db.connection() as conn:
        [alert] = list_open_alerts(conn)
    assert alert.state == "open"  # escalation put the acknowledged alert back in front of operators
    assert "ngưỡng cảnh báo 90%" in alert.message_vi


def test_direction_lower_better(alert_db):
    engine = AlertEngine(alert_db, clock=Clock())
    severities = []
    for hour, value in enumerate([40, 55, 80]):
        put(alert_db, "TEST.PM25", T0 + timedelta(hours=hour), value)
        severities += [c.alert.severity for c in engine.evaluate_series()]
    assert severities == ["warning", "critical"]
    with alert_db.connection() as conn:
        [alert] = list_open_alerts(conn)
    assert alert.message_en == "PM2.5 in Di An rose to 80 µg/m³ (critical threshold 75 µg/m³)"


def test_at_most_one_unresolved_alert_per_series_and_rule(alert_db):
    put(alert_db, "TEST.PM25", T0, 60)
    with alert_db.connection() as conn:
        series_id = conn.execute("SELECT id FROM series").fetchone()[0]
        draft = AlertDraft("threshold", "warning", "vi", "en", series_id=series_id, value=60)
        first, second = open_or_update(conn, draft), open_or_update(conn, draft)
    assert first.change == "opened" and second.change == "unchanged" and first.alert.id == second.alert.id
    with pytest.raises(psycopg.errors.UniqueViolation), alert_db.connection() as conn:
        conn.execute("INSERT INTO alert (series_id, rule, severity, message_vi, message_en)"
                     " VALUES (%s, 'threshold', 'critical', 'x', 'x')", (series_id,))


def test_staleness_marks_series_and_opens_then_resolves_an_alert(alert_db):
    clock = Clock(T0 + timedelta(days=3))
    engine = AlertEngine(alert_db, clock=clock)
    put(alert_db, "TEST.ON_TIME_RATE", T0, 95.0)  # daily: stale after 2 days without a value
    put(alert_db, "TEST.PM25", T0 + timedelta(days=3) - timedelta(minutes=30), 20)  # hourly, fresh
    newly, cleared = mark_stale_series(alert_db, periods=2, now=clock())
    assert len(newly) == 1 and cleared == []
    [opened] = engine.evaluate_series()
    assert opened.alert.rule == "stale" and opened.alert.indicator_code == "TEST.ON_TIME_RATE"
    assert "không có số liệu mới từ 08:00 24/11/2026" in opened.alert.message_vi
    assert mark_stale_series(alert_db, periods=2, now=clock()) == ([], [])  # flagged once only

    put(alert_db, "TEST.ON_TIME_RATE", clock() - timedelta(hours=1), 96.0)  # the trigger clears the flag
    with alert_db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM latest_value WHERE stale").fetchone()[0] == 0
    assert [(c.change, c.alert.rule) for c in engine.evaluate_series()] == [("resolved", "stale")]


def test_device_offline_opens_and_clears(alert_db):
    clock = Clock()
    engine = AlertEngine(alert_db, policy=AlertPolicy(device_offline_minutes=15), clock=clock)
    with alert_db.connection() as conn:
        mark_seen(conn, [("cam-550", T0 - timedelta(minutes=20))])
    [opened] = engine.evaluate_devices()
    assert opened.alert.rule == "device_offline" and opened.alert.device_id == "cam-550"
    assert opened.alert.message_vi.startswith("Thiết bị Camera ngã tư 550 (cam-550) tại Dĩ An mất kết nối từ")
    assert engine.evaluate_devices() == []
    with alert_db.connection() as conn:
        mark_seen(conn, [("cam-550", T0)])
    assert [c.change for c in engine.evaluate_devices()] == ["resolved"]
    with alert_db.connection() as conn:  # the device says it goes offline (last will): no need to wait
        set_status(conn, "cam-550", "offline")
    assert [c.change for c in engine.evaluate_devices()] == ["opened"]
    with alert_db.connection() as conn:
        set_status(conn, "cam-550", "online", T0)
    assert [c.change for c in engine.evaluate_devices()] == ["resolved"]


def test_incident_events_open_one_alert_per_camera(alert_db):
    clock = Clock()
    engine = AlertEngine(alert_db, policy=AlertPolicy(incident_clear_minutes=60), clock=clock)
    with alert_db.connection() as conn:
        write_events(conn, [Event(T0 - timedelta(minutes=5), "accident", "cam-550", severity="critical"),
                            Event(T0 - timedelta(minutes=4), "wrong_way", "cam-550"),
                            Event(T0 - timedelta(minutes=3), "heartbeat", "cam-550")])
    changes = engine.evaluate_incidents()
    # A lesser incident at the same camera is news (published) but never lowers the open alert.
    assert [(c.change, c.alert.severity) for c in changes] == [("opened", "critical"), ("repeated", "critical")]
    assert len({c.alert.id for c in changes}) == 1 and changes[1].alert.details["events"] == 2
    assert "Sự cố tai nạn giao thông tại Camera ngã tư 550 (Dĩ An)" in changes[0].alert.message_vi
    assert engine.evaluate_incidents() == []  # events are read once
    clock.advance(minutes=61)
    assert [c.change for c in engine.evaluate_incidents()] == ["resolved"]


def test_rate_of_change_rule(alert_db):
    engine = AlertEngine(alert_db, policy=AlertPolicy(rate_of_change={"TEST.RECEIVED": 0.5}), clock=Clock())
    put(alert_db, "TEST.RECEIVED", T0, 100)
    assert engine.evaluate_series() == []
    put(alert_db, "TEST.RECEIVED", T0 + timedelta(days=1), 180)
    [opened] = engine.evaluate_series()
    assert opened.alert.rule == "rate_of_change"
    assert opened.alert.message_vi == "Số hồ sơ tiếp nhận tại Dĩ An thay đổi +80,0% so với lần trước (giới hạn 50%)"
    put(alert_db, "TEST.RECEIVED", T0 + timedelta(days=2), 190)
    assert [c.change for c in engine.evaluate_series()] == ["resolved"]


def test_operator_actions_on_unknown_or_resolved_alerts(alert_db):
    with pytest.raises(AlertNotFound, match="alert 999 is unknown"):
        acknowledge_alert(alert_db, 999, by="op")
    put(alert_db, "TEST.PM25", T0, 60)
    [opened] = AlertEngine(alert_db, clock=Clock()).evaluate_series()
    assert resolve_alert(alert_db, opened.alert.id, by="op", note="đã xử lý").change == "resolved"
    with pytest.raises(AlertNotFound, match="is resolved"):
        acknowledge_alert(alert_db, opened.alert.id, by="op")
    with pytest.raises(ValueError, match="needs the name"):
        acknowledge_alert(alert_db, opened.alert.id, by=" ")


def test_list_open_alerts_filters_by_sector_and_orders_by_severity(alert_db):
    engine = AlertEngine(alert_db, clock=Clock())
    put(alert_db, "TEST.ON_TIME_RATE", T0, 85)  # warning
    put(alert_db, "TEST.PM25", T0, 90)  # critical
    engine.evaluate_series()
    with alert_db.connection() as conn:
        assert [a.severity for a in list_open_alerts(conn)] == ["critical", "warning"]
        assert len(list_open_alerts(conn, "CCHC")) == 2 and list_open_alerts(conn, "GTVT") == []


def test_indicator_alerts_stop_at_the_configured_area_depth(alert_db):
    from ioc.storage.areas import AreaRecord, upsert_areas

    with alert_db.connection() as conn:
        upsert_areas(conn, [AreaRecord("25942", "Tân Bình", "commune", parent_code="724", depth=2)])
    put(alert_db, "TEST.ON_TIME_RATE", T0, 70.0, area="25942")  # a commune: deeper than the default
    put(alert_db, "TEST.ON_TIME_RATE", T0, 84.2, area="724")  # its district
    opened = AlertEngine(alert_db, clock=Clock()).evaluate_series()
    assert [c.alert.area_code for c in opened] == ["724"]
    everywhere = AlertEngine(alert_db, clock=Clock(), policy=AlertPolicy(max_area_depth=None)).evaluate_series()
    assert [(c.change, c.alert.area_code) for c in everywhere] == [("opened", "25942")]
