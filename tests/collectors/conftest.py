"""Shared pieces of the collector tests: a registered fleet, settings, a running collector, a publisher."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.client import CallbackAPIVersion

from collectors.service import CollectorService
from ioc.config import Settings
from ioc.storage.db import Database
from ioc.storage.devices import Device, upsert_devices

from tests.reliability._servers import PrivateMosquitto, pace
from tests.reliability._servers import wait_for as wait_until  # the same poll, with a name for the failure

FLEET = [
    Device("cam-1", "camera", "Camera ngã tư 1", area_code="tdm"),
    Device("air-1", "air", "Trạm không khí 1", area_code="tdm"),
    Device("wq-1", "water_quality", "Trạm nước 1"),
]

REFERENCE_SQL = """
INSERT INTO area (code, name_vi, level) VALUES ('tdm', 'Thủ Dầu Một', 'district');
INSERT INTO sector (code, name_vi, name_en) VALUES ('cchc', 'Cải cách hành chính', 'Administrative reform');
INSERT INTO department (code, name_vi, name_en) VALUES ('vp', 'Văn phòng', 'Office');
INSERT INTO indicator (code, name_vi, name_en, sector_code, department_code, unit, frequency, agg_time,
                       agg_area, direction, source)
VALUES ('dvc_online_rate', 'Tỷ lệ hồ sơ trực tuyến', 'Online dossier rate', 'cchc', 'vp', '%', 'daily',
        'mean', 'mean', 'higher_better', 'mqtt');
"""


def now_iso(offset: float = 0.0) -> str:
    """An ISO 8601 UTC time ``offset`` seconds from now."""
    return datetime.fromtimestamp(time.time() + offset, timezone.utc).isoformat()


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05) -> object:
    """Poll ``predicate`` until it returns a truthy value; fail the test on timeout."""
    return wait_until(predicate, timeout, "condition", interval)


def register_fleet(db: Database) -> None:
    """The reference rows and devices the ingest tests publish for."""
    with db.connection() as conn:
        conn.execute(REFERENCE_SQL)
        upsert_devices(conn, FLEET)


def scalar(db: Database, sql: str, params: tuple = ()) -> object:
    """First column of the first row of a query."""
    with db.connection() as conn:
        return conn.execute(sql, params).fetchone()[0]


class Publisher:
    """A plain paho QoS 1 publisher (stands for the devices)."""

    def __init__(self, url: str) -> None:
        from ioc.config import MqttEndpoint

        endpoint = MqttEndpoint(url)
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(1000)
        self.acked = 0  # PUBACKs received; a message published while disconnected is resent on reconnect
        self.client.on_publish = self._on_publish
        self.client.connect(endpoint.host, endpoint.port)
        self.client.loop_start()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self.acked += 1

    def wait_acked(self, count: int, timeout: float = 20.0) -> None:
        """Wait until the broker acknowledged ``count`` messages in all."""
        wait_for(lambda: self.acked >= count, timeout=timeout)

    def send(self, topic: str, payload: object, *, retain: bool = False) -> mqtt.MQTTMessageInfo:
        """Publish bytes, text or JSON (dicts and lists) at QoS 1."""
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        return self.client.publish(topic, payload, qos=1, retain=retain)

    def send_all(self, items: Iterable[tuple[str, object]], *, timeout: float = 20.0) -> int:
        """Publish every (topic, payload) and wait until the broker acknowledged them all."""
        start = self.acked
        sent = sum(1 for topic, payload in items if self.send(topic, payload))
        self.wait_acked(start + sent, timeout)
        return sent

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def ingest_db(empty_db: Database) -> Database:
    """A fresh database with an area, an indicator and three devices (camera, air, water quality)."""
    register_fleet(empty_db)
    return empty_db


@pytest.fixture
def ingest_settings(settings: Settings) -> Settings:
    """Settings with a topic prefix and client id of this test only, and quick flushes."""
    tag = uuid.uuid4().hex[:6]
    return settings.model_copy(
        update={
            "mqtt_topic_prefix": f"{settings.mqtt_topic_prefix}/{tag}",
            "mqtt_client_id": f"{settings.mqtt_client_id}-{tag}",
            "writer_flush_interval": 0.05,
        }
    )


@pytest.fixture
def collector(ingest_settings: Settings, ingest_db: Database) -> Iterator[CollectorService]:
    """A running collector service on the test database."""
    service = CollectorService(ingest_settings, ingest_db, session_expiry=30, status_every=0.2)
    service.start()
    yield service
    service.stop()


@pytest.fixture
def publisher(mqtt_url: str) -> Iterator[Publisher]:
    """A QoS 1 publisher on the test broker."""
    pub = Publisher(mqtt_url)
    yield pub
    pub.close()


@pytest.fixture
def private_broker(tmp_path) -> Iterator[PrivateMosquitto]:
    """A private Mosquitto, for tests that restart the broker or keep a collector away for long."""
    broker = PrivateMosquitto(tmp_path / "mosquitto").start()
    yield broker
    broker.stop()


class Stream:
    """Publishes batch messages to the fleet in a thread and remembers count and sum per series."""

    def __init__(self, url: str, prefix: str, *, messages: int, per_message: int = 10, rate: float = 400.0) -> None:
        import threading

        self.publisher = Publisher(url)
        self.prefix = prefix
        self.messages = messages
        self.per_message = per_message
        self.rate = rate
        self.expected: dict[tuple[str, str], list[float]] = {}
        self.sent = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from collectors.mqtt.const import telemetry_topic

        devices = [("air-1", "pm25"), ("cam-1", "vehicles_total"), ("wq-1", "ph")]
        start = time.monotonic()
        base = time.time() - 3600
        for i in range(self.messages):
            device, metric = devices[i % len(devices)]
            readings = []
            for j in range(self.per_message):
                value = float((i * 7 + j) % 13)
                ts = datetime.fromtimestamp(base + i * 0.001 + j * 0.00001, timezone.utc).isoformat()
                readings.append({"metric": metric, "value": value, "ts": ts})
                slot = self.expected.setdefault((device, metric), [0, 0.0])
                slot[0] += 1
                slot[1] += value
            self.publisher.send(telemetry_topic(self.prefix, device), {"readings": readings})
            self.sent += 1
            pace(start, self.sent, self.rate)

    def start(self) -> "Stream":
        self.thread.start()
        return self

    def finish(self, timeout: float = 30.0) -> None:
        """Wait until every message is published and acknowledged by the broker."""
        self.thread.join(timeout)
        self.publisher.wait_acked(self.sent, timeout)
        self.publisher.close()


def stored_per_series(db: Database) -> dict[tuple[str, str], list[float]]:
    """Count and sum of the stored readings per (device, metric)."""
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT s.device_id, s.metric, count(*), sum(o.value) FROM observation o"
            " JOIN series s ON s.id = o.series_id GROUP BY 1, 2"
        ).fetchall()
    return {(d, m): [n, float(total)] for d, m, n, total in rows}
