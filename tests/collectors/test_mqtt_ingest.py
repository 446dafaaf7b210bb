"""End to end through the real broker and database: what lands, what is refused, what is stored once."""

from __future__ import annotations

import json

import pytest

from collectors.mqtt.const import device_status_topic, events_topic, indicator_topic, telemetry_topic
from ioc.storage.dead_letters import list_dead_letters
from ioc.storage.devices import get_device

from tests.collectors.conftest import now_iso, scalar, wait_for


def _values(db, device_id: str) -> dict[str, float]:
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT s.metric, sum(o.value) FROM observation o JOIN series s ON s.id = o.series_id"
            " WHERE s.device_id = %s GROUP BY 1",
            (device_id,),
        ).fetchall()
    return dict(rows)


def test_single_snapshot_and_batch_payloads_land(collector, publisher, ingest_db):
    prefix = collector.settings.mqtt_topic_prefix
    topic = telemetry_topic(prefix, "air-1")
    publisher.send_all(
        [
            (topic, {"metric": "pm25", "value": 35, "ts": now_iso(-30), "unit": "ug/m3"}),
            (topic, {"ts": now_iso(-20), "values": {"pm10": 50.5, "humidity": 71.0}}),
            (topic, {"readings": [{"metric": "pm25", "value": float(i), "ts": now_iso(-10 + i)} for i in range(5)]}),
        ]
    )
    wait_for(lambda: collector.status()["persisted"] == 8)
    assert _values(ingest_db, "air-1") == {"pm25": 35 + 10.0, "pm10": 50.5, "humidity": 71.0}
    assert scalar(ingest_db, "SELECT count(*) FROM latest_value") == 3
    assert scalar(ingest_db, "SELECT sum(n) FROM rollup_hourly") == 8
    with ingest_db.connection() as conn:
        assert get_device(conn, "air-1").last_seen is not None


def test_fiware_entities_land_as_device_metrics(collector, publisher, ingest_db):
    prefix = collector.settings.mqtt_topic_prefix
    start, end = now_iso(-300), now_iso(-1)
    publisher.send_all(
        [
            (telemetry_topic(prefix, "cam-1"), {
                "id": "urn:ngsi-ld:TrafficFlowObserved:cam-1:1", "type": "TrafficFlowObserved",
                "dateObserved": f"{start}/{end}", "intensity": 120, "averageVehicleSpeed": 38.5,
                "occupancy": 0.4, "congested": True, "laneId": 1,
            }),
            (telemetry_topic(prefix, "cam-1"), {
                "id": "urn:ngsi-ld:TrafficFlowObserved:cam-1:2", "type": "TrafficFlowObserved",
                "dateObserved": now_iso(-2), "intensity": 90, "vehicleType": "motorcycle",
            }),
            (telemetry_topic(prefix, "air-1"), {
                "id": "urn:ngsi-ld:AirQualityObserved:air-1", "type": "AirQualityObserved",
                "dateObserved": now_iso(-5), "location": {"type": "Point", "coordinates": [106.65, 10.98]},
                "pm25": 41.0, "no2": 22.0, "airQualityIndex": 87, "relativeHumidity": 0.65, "reliability": 0.9,
            }),
            (telemetry_topic(prefix, "wq-1"), {
                "id": "urn:ngsi-ld:WaterQualityObserved:wq-1", "type": "WaterQualityObserved",
                "dateObserved": now_iso(-5), "pH": 7.2, "conductivity": 0.05, "temperature": 29.5, "O2": 6.1,
            }),
        ]
    )
    wait_for(lambda: collector.status()["persisted"] == 13)
    assert _values(ingest_db, "cam-1") == {
        "vehicles_total": 120.0, "avg_speed": 38.5, "occupancy": 0.4, "congestion_level": 1.0, "count_motorbike": 90.0,
    }
    air = _values(ingest_db, "air-1")
    assert air["pm25"] == 41.0 and air["aqi"] == 87.0 and air["humidity"] == pytest.approx(65.0)
    water = _values(ingest_db, "wq-1")
    assert water == {"ph": 7.2, "conductivity": pytest.approx(500.0), "water_temperature": 29.5, "do": 6.1}


def test_indicator_events_and_status_land(collector, publisher, ingest_db):
    prefix = collector.settings.mqtt_topic_prefix
    publisher.send_all(
        [
            (indicator_topic(prefix, "dvc_online_rate"), {"area": "tdm", "value": 58.7, "ts": now_iso(-60), "unit": "%"}),
            (events_topic(prefix, "cam-1"), {"kind": "accident", "ts": now_iso(-3), "severity": "critical",
                                             "details": {"lane": 2}}),
            (device_status_topic(prefix, "cam-1"), "offline"),
        ]
    )
    wait_for(lambda: collector.status()["events"] == 1 and collector.status()["persisted"] == 1)
    with ingest_db.connection() as conn:
        wait_for(lambda: get_device(conn, "cam-1").status == "offline")
        event = conn.execute("SELECT kind, severity, area_code, details FROM event").fetchone()
        value = conn.execute(
            "SELECT o.value FROM observation o JOIN series s ON s.id = o.series_id"
            " WHERE s.indicator_code = 'dvc_online_rate' AND s.area_code = 'tdm'"
        ).fetchone()
    assert event == ("accident", "critical", "tdm", {"lane": 2})
    assert value == (58.7,)


MALFORMED = [
    ("not json", b"{pm25: 1", "Invalid JSON"),
    ("value as text", {"metric": "pm25", "value": "35", "ts": None}, "value: Input should be a valid number"),
    ("boolean value", {"metric": "pm25", "value": True, "ts": None}, "value: Input should be a valid number"),
    ("missing ts", {"metric": "pm25", "value": 3.0}, "needs ts"),
    ("naive ts", {"metric": "pm25", "value": 3.0, "ts": "2026-11-30T06:00:00"}, "ts: Input should have timezone info"),
    ("future ts", {"metric": "pm25", "value": 3.0, "ts": "+3600"}, "is in the future"),
    ("ancient ts", {"metric": "pm25", "value": 3.0, "ts": "2001-01-01T00:00:00Z"}, "older than 30 days"),
    ("unknown metric", {"metric": "radiation", "value": 3.0, "ts": None}, "metric 'radiation' is not reported by air"),
    ("wrong unit", {"metric": "pm25", "value": 3.0, "ts": None, "unit": "ppm"}, "unit 'ppm' for pm25"),
    ("out of range", {"metric": "humidity", "value": 140.0, "ts": None}, "humidity = 140 is outside [0, 100]"),
    ("bad batch item", {"readings": [{"metric": "pm25", "value": 1.0, "ts": None},
                                     {"metric": "pm25", "value": -5.0, "ts": None}]}, "readings.1: pm25 = -5"),
    ("empty object", {}, "no reading"),
    ("reading and snapshot", {"metric": "pm25", "value": 3.0, "ts": None, "values": {"pm10": 4.0}},
     "a values snapshot needs ts and no metric"),
    ("unparsable ts", {"metric": "pm25", "value": 3.0, "ts": "hôm qua"}, "ts: Input should be an ISO 8601 time"),
    ("wrong FIWARE type", {"id": "x", "type": "TrafficFlowObserved", "dateObserved": None, "intensity": 3},
     "comes from a air device"),
    ("FIWARE without dateObserved", {"id": "x", "type": "AirQualityObserved", "location": {}, "pm25": 3},
     "dateObserved is required"),
]


def _fill(payload, ts: str):
    if isinstance(payload, (bytes, str)):
        return payload
    text = json.dumps(payload).replace('"ts": null', f'"ts": "{ts}"').replace('"dateObserved": null', f'"dateObserved": "{ts}"')
    return text.replace('"ts": "+3600"', f'"ts": "{now_iso(3600)}"')


@pytest.mark.parametrize(("payload", "reason"), [(p, r) for _, p, r in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_payload_goes_to_dead_letters_and_ingestion_goes_on(collector, publisher, ingest_db, payload, reason):
    prefix = collector.settings.mqtt_topic_prefix
    topic = telemetry_topic(prefix, "air-1")
    body = _fill(payload, now_iso(-1))
    publisher.send_all([(topic, body), (topic, {"metric": "pm10", "value": 1.0, "ts": now_iso(-1)})])
    wait_for(lambda: collector.status()["dead_letters"] == 1 and collector.status()["persisted"] == 1)
    with ingest_db.connection() as conn:
        [letter] = list_dead_letters(conn)
    assert letter.topic == topic and letter.payload == (body if isinstance(body, bytes) else body.encode())
    assert reason in letter.reason
    assert collector.status()["rejected"] == 1


@pytest.mark.parametrize(
    ("topic_tail", "payload", "reason"),
    [
        ("devices/ghost-9/telemetry", {"metric": "pm25", "value": 1.0, "ts": None}, "unknown device 'ghost-9'"),
        ("indicators/no_such_code", {"area": "tdm", "value": 1.0, "ts": None}, "unknown indicator 'no_such_code'"),
        ("indicators/dvc_online_rate", {"area": "atlantis", "value": 1.0, "ts": None}, "unknown area 'atlantis'"),
        ("devices/cam-1/events", {"ts": None}, "needs kind and ts"),
        ("devices/cam-1/status", "sleeping", "Invalid JSON"),
    ],
    ids=["unknown-device", "unknown-indicator", "unknown-area", "event-without-kind", "bad-status"],
)
def test_unknown_subjects_are_dead_lettered(collector, publisher, ingest_db, topic_tail, payload, reason):
    topic = f"{collector.settings.mqtt_topic_prefix}/{topic_tail}"
    publisher.send_all([(topic, _fill(payload, now_iso(-1)))])
    wait_for(lambda: collector.status()["dead_letters"] == 1)
    with ingest_db.connection() as conn:
        [letter] = list_dead_letters(conn)
    assert reason in letter.reason and letter.topic == topic


def test_duplicate_message_is_stored_once(collector, publisher, ingest_db):
    topic = telemetry_topic(collector.settings.mqtt_topic_prefix, "air-1")
    batch = {"readings": [{"metric": "pm25", "value": float(i), "ts": now_iso(-100 + i)} for i in range(10)]}
    publisher.send_all([(topic, batch), (topic, batch)])
    wait_for(lambda: collector.status()["readings"] == 20)
    publisher.send_all([(topic, batch)])
    wait_for(lambda: collector.status()["readings"] == 30)
    status = collector.status()
    assert status["persisted"] == 10 and status["duplicates"] == 20
    assert scalar(ingest_db, "SELECT count(*) FROM observation") == 10
    assert scalar(ingest_db, "SELECT n FROM rollup_daily") == 10  # rollups folded once


def test_prometheus_metrics_and_dashboard_status(ingest_settings, ingest_db, publisher):
    import urllib.request

    from collectors.service import CollectorService
    from ioc.embedded import free_port
    from ioc.storage.sources import get_source

    port = free_port()
    with CollectorService(ingest_settings, ingest_db, metrics_port=port, status_every=0.1, session_expiry=30) as service:
        topic = telemetry_topic(ingest_settings.mqtt_topic_prefix, "air-1")
        publisher.send_all([(topic, {"metric": "pm25", "value": 7.0, "ts": now_iso(-1)}), (topic, b"oops")])
        wait_for(lambda: service.status()["persisted"] == 1 and service.status()["dead_letters"] == 1)
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        with ingest_db.connection() as conn:
            row = wait_for(lambda: (s := get_source(conn, service.name)) and s.details.get("persisted") == 1 and s)
    assert f'ioc_ingest_readings_persisted_total{{collector="{ingest_settings.mqtt_client_id}"}} 1.0' in body
    assert "ioc_ingest_messages_rejected_total" in body and "ioc_ingest_batch_readings_bucket" in body
    assert row.kind == "mqtt" and row.details["rejected"] == 1


def test_falls_back_to_mqtt_311_on_a_broker_without_mqtt_5(ingest_settings, ingest_db):
    """The embedded amqtt broker of `ioc up` speaks only MQTT 3.1.1."""
    import paho.mqtt.client as mqtt

    from collectors.service import CollectorService
    from ioc.embedded import EmbeddedBroker
    from tests.collectors.conftest import Publisher

    broker = EmbeddedBroker()
    url = broker.start()
    try:
        settings = ingest_settings.model_copy(update={"mqtt_url": url})
        with CollectorService(settings, ingest_db, session_expiry=30) as service:
            wait_for(lambda: service.input.subscribed.is_set(), timeout=15)
            publisher = Publisher(url)
            topic = telemetry_topic(settings.mqtt_topic_prefix, "air-1")
            publisher.send_all([(topic, {"metric": "pm10", "value": 12.5, "ts": now_iso(-1)})])
            wait_for(lambda: service.status()["persisted"] == 1, timeout=15)
            publisher.close()
            assert service.input.protocol == mqtt.MQTTv311
    finally:
        broker.stop()
    assert scalar(ingest_db, "SELECT value FROM observation") == 12.5
