"""The live simulator against the real broker: valid telemetry, broken messages, outages, indicators."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import paho.mqtt.client as mqtt
import pytest

from collectors.mqtt import const, schemas
from collectors.simulators.fleet import read_fleet
from collectors.simulators.live import SimulatorOptions, SimulatorService
from ioc.catalog import load_device_metrics
from ioc.catalog.models import Indicator
from ioc.config import MqttEndpoint, Settings


class Recorder:
    """A real subscriber that keeps every message under a prefix."""

    def __init__(self, url: str, prefix: str) -> None:
        endpoint = MqttEndpoint(url)
        self.messages: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"rec-{uuid.uuid4().hex[:8]}")
        self.client.on_connect = lambda c, *_: c.subscribe(f"{prefix}/#", qos=1)
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.on_message = self._keep
        self.client.connect(endpoint.host, endpoint.port)
        self.client.loop_start()
        assert subscribed.wait(10), "subscriber could not subscribe"

    def _keep(self, client, userdata, msg) -> None:
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain)))

    def on(self, suffix: str) -> list[tuple[str, bytes]]:
        with self._lock:
            return [(t, p) for t, p, _ in self.messages if t.endswith(suffix)]

    def wait(self, predicate, timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        pytest.fail(f"not received within {timeout} s")

    def close(self) -> None:
        """Clear the retained statuses the simulator left on the broker, then disconnect."""
        with self._lock:
            retained = {t for t, p, _ in self.messages if t.endswith("/status") and p}
        for topic in retained:
            self.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def sim_settings(settings: Settings) -> Settings:
    tag = uuid.uuid4().hex[:6]
    return settings.model_copy(update={"mqtt_topic_prefix": f"{settings.mqtt_topic_prefix}/sim-{tag}",
                                       "mqtt_client_id": f"sim-{tag}"})


@pytest.fixture
def recorder(mqtt_url: str, sim_settings: Settings) -> Iterator[Recorder]:
    rec = Recorder(mqtt_url, sim_settings.mqtt_topic_prefix)
    yield rec
    rec.close()


def _fleet_sample():
    fleet = read_fleet()
    by_kind: dict[str, list] = {}
    for d in fleet:
        by_kind.setdefault(d.kind, []).append(d)
    return [d for devices in by_kind.values() for d in devices[:8]]  # 40 devices, every kind


def _run(service: SimulatorService, ticks: int) -> None:
    service.start()
    try:
        deadline = time.monotonic() + 30
        while service._tick < ticks and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        service.stop()


def test_devices_publish_valid_telemetry_and_the_configured_share_of_broken_messages(sim_settings, recorder):
    devices = _fleet_sample()
    options = SimulatorOptions(interval=0.1, malformed_rate=0.1, incident_rate=0, outage_rate=0, indicators=False)
    service = SimulatorService(sim_settings, options=options, devices=devices)
    _run(service, ticks=25)
    prefix = sim_settings.mqtt_topic_prefix
    sent = service.stats["telemetry"] + service.stats["malformed"]
    recorder.wait(lambda: len(recorder.on("/telemetry")) >= sent)
    rules = load_device_metrics()
    kinds = {d.id: d.kind for d in devices}
    good = bad = 0
    for topic, payload in recorder.on("/telemetry"):
        device_id = const.route(prefix, topic).subject
        try:
            body = schemas.TELEMETRY.validate_json(payload)
        except schemas.ValidationError:
            bad += 1  # bad JSON
            continue
        if device_id not in kinds or "ts" not in body:
            bad += 1  # unknown device, missing time
            continue
        values = body["values"]
        if any(not rules[(kinds[device_id], m)].min <= v <= rules[(kinds[device_id], m)].max for m, v in values.items()):
            bad += 1  # out of range
            continue
        assert set(values) == {m for (k, m) in rules if k == kinds[device_id]}
        good += 1
    assert good == service.stats["telemetry"] and bad == service.stats["malformed"]
    assert 0.04 < bad / sent < 0.2  # 10 % configured, 1000 messages
    assert {service.stats[f"malformed_{k}"] > 0 for k in ("bad_json", "out_of_range", "unknown_device", "missing_ts")} == {True}


def test_an_outage_publishes_the_last_will_offline_then_online(sim_settings, recorder):
    devices = _fleet_sample()[:5]
    options = SimulatorOptions(interval=0.2, malformed_rate=0, incident_rate=0, outage_rate=0, indicators=False)
    service = SimulatorService(sim_settings, options=options, devices=devices)
    service.start()
    try:
        target = devices[0].id
        status_topic = const.device_status_topic(sim_settings.mqtt_topic_prefix, target)
        recorder.wait(lambda: recorder.on(f"{target}/status"))
        service.simulate_outage(target, ticks=5)
        offline = recorder.wait(lambda: [p for t, p in recorder.on(f"{target}/status") if p == b"offline"])
        assert offline == [b"offline"]
        silent_from = len(recorder.on(f"{target}/telemetry"))
        time.sleep(0.5)
        assert len(recorder.on(f"{target}/telemetry")) <= silent_from + 1  # silent while down
        back = recorder.wait(lambda: [json.loads(p) for t, p in recorder.on(f"{target}/status")[1:] if p.startswith(b"{")])
        assert back[-1]["status"] == "online"
        assert any(t == status_topic for t, _ in recorder.on("/status"))
    finally:
        service.stop()


def test_cameras_report_incidents_on_the_events_topic(sim_settings, recorder):
    cameras = [d for d in read_fleet() if d.kind == "camera"][:20]
    options = SimulatorOptions(interval=0.1, malformed_rate=0, incident_rate=3600.0, outage_rate=0, indicators=False)
    service = SimulatorService(sim_settings, options=options, devices=cameras)
    _run(service, ticks=3)
    events = recorder.wait(lambda: recorder.on("/events"))
    kinds = set()
    for _, payload in events:
        body = schemas.EVENTS.validate_json(payload)
        assert body["severity"] in ("info", "warning", "critical") and body["area"]
        kinds.add(body["kind"])
    assert kinds <= {"accident", "wrong_way", "stalled_vehicle", "crowd"} and len(kinds) >= 2


def _indicator(code: str, frequency: str) -> Indicator:
    return Indicator(code=code, name_vi=code, name_en=code, sector_code="TTHC", department_code="VP", unit="%",
                     frequency=frequency, agg_time="mean", agg_area="mean", direction="higher_better",
                     levels=("province", "district"), source="pull")


def test_scheduled_indicators_are_published_at_their_compressed_frequency(sim_settings, recorder):
    catalog = SimpleNamespace(indicators=[_indicator("TEST.DAILY", "daily"), _indicator("TEST.YEARLY", "yearly")])
    options = SimulatorOptions(interval=30.0, speed=300.0, malformed_rate=0, incident_rate=0, outage_rate=0)
    service = SimulatorService(sim_settings, options=options, devices=_fleet_sample()[:2], catalog=catalog)
    _run(service, ticks=30)  # 3 s of wall time = 900 s compressed: daily every 300 s → 2 to 4 times
    messages = recorder.wait(lambda: recorder.on("/indicators/TEST.DAILY"))
    assert 2 <= len(messages) <= 4
    body = schemas.INDICATOR.validate_json(messages[0][1])
    areas = {r["area"] for r in body["readings"]}
    assert areas == {"74", *[str(c) for c in range(718, 727)]}
    assert all(0 <= r["value"] <= 100 for r in body["readings"])
    assert recorder.on("/indicators/TEST.YEARLY") == []  # older than the collector accepts: not sent live
