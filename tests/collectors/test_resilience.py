"""At-least-once end to end: a killed collector, a restarted broker or PostgreSQL loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from collectors.service import CollectorService
from ioc.embedded import EmbeddedPostgres
from ioc.storage.db import Database
from ioc.storage.migrate import upgrade

from tests.collectors.conftest import Stream, register_fleet, stored_per_series, wait_for

pytestmark = pytest.mark.slow


def _collector_process(db_url: str, mqtt_url: str, prefix: str, client_id: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "IOC_DATABASE_URL": db_url,
        "IOC_MQTT_URL": mqtt_url,
        "IOC_MQTT_TOPIC_PREFIX": prefix,
        "IOC_MQTT_CLIENT_ID": client_id,
        "IOC_WRITER_FLUSH_INTERVAL": "0.1",
        "IOC_LOG_LEVEL": "INFO",
    }
    script = Path(sys.executable).with_name("ioc")
    return subprocess.Popen([str(script), "collect", "--no-migrate"], env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT)


def _wait_for_count(db, expected: dict, timeout: float = 20.0) -> None:
    total = sum(v[0] for v in expected.values())
    wait_for(lambda: sum(v[0] for v in stored_per_series(db).values()) >= total, timeout=timeout)


def test_killed_collector_loses_nothing(ingest_db, private_broker, topic_prefix, tmp_path):
    prefix = f"{topic_prefix}/{uuid.uuid4().hex[:6]}"
    client_id = f"ioc-kill-{uuid.uuid4().hex[:6]}"
    log = tmp_path / "collector.log"
    first = _collector_process(ingest_db.url, private_broker.url, prefix, client_id, log)
    try:
        wait_for(lambda: b"connected to" in log.read_bytes(), timeout=20)
        stream = Stream(private_broker.url, prefix, messages=1500, per_message=10, rate=500).start()
        wait_for(lambda: stream.sent > 500, timeout=10)
        first.send_signal(signal.SIGKILL)  # mid-stream: buffered, unacknowledged messages die with it
        first.wait(5)
        stored_at_kill = sum(v[0] for v in stored_per_series(ingest_db).values())
        time.sleep(0.5)
        second = _collector_process(ingest_db.url, private_broker.url, prefix, client_id, log)
        stream.finish()
        _wait_for_count(ingest_db, stream.expected)
    finally:
        for proc in (first, locals().get("second")):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)
    assert 0 < stored_at_kill < 15000, "the kill must happen mid-stream"
    assert stored_per_series(ingest_db) == stream.expected


def test_broker_restart_loses_nothing(ingest_db, ingest_settings, private_broker):
    settings = ingest_settings.model_copy(update={"mqtt_url": private_broker.url})
    with CollectorService(settings, ingest_db, session_expiry=600) as service:
        stream = Stream(private_broker.url, settings.mqtt_topic_prefix, messages=1500, per_message=10, rate=500)
        stream.start()
        wait_for(lambda: service.status()["persisted"] > 3000, timeout=10)
        private_broker.stop()
        time.sleep(1.0)
        private_broker.start()
        stream.finish(timeout=40)
        _wait_for_count(ingest_db, stream.expected, timeout=20)
        assert service.status()["received"] >= 1500
    assert stored_per_series(ingest_db) == stream.expected


@pytest.fixture
def private_postgres(tmp_path):
    """A PostgreSQL of this test only, which the test stops and starts again."""
    server = EmbeddedPostgres(tmp_path / "pg", database="ioc")
    url = server.start()
    yield server, url
    server.stop()


def test_postgres_restart_loses_nothing(private_postgres, ingest_settings, mqtt_url):
    server, url = private_postgres
    db = Database(url, max_size=3, timeout=2.0).open()
    try:
        upgrade(db)
        register_fleet(db)
        with CollectorService(ingest_settings, db, session_expiry=600) as service:
            stream = Stream(mqtt_url, ingest_settings.mqtt_topic_prefix, messages=1500, per_message=10, rate=500)
            stream.start()
            wait_for(lambda: service.status()["persisted"] > 3000, timeout=10)
            server.stop()  # the database goes away mid-stream
            wait_for(lambda: service.status()["write_failures"] > 0, timeout=10)
            time.sleep(1.0)
            assert server.start() == url
            stream.finish(timeout=40)
            _wait_for_count(db, stream.expected, timeout=30)
            status = service.status()
        assert stored_per_series(db) == stream.expected
        assert status["dropped"] == 0 and status["dead_letters"] == 0
    finally:
        db.close()


def test_memory_stays_bounded_when_the_writer_is_slower(ingest_db, ingest_settings, private_broker):
    settings = ingest_settings.model_copy(
        update={"mqtt_url": private_broker.url, "writer_buffer_limit": 60, "writer_batch_size": 20}
    )
    peak = [0]
    with CollectorService(settings, ingest_db, session_expiry=60) as service:
        stream = Stream(private_broker.url, settings.mqtt_topic_prefix, messages=400, per_message=10, rate=5000)
        stream.start()
        deadline = time.monotonic() + 20
        while service.status()["persisted"] < 4000 and time.monotonic() < deadline:
            peak[0] = max(peak[0], service.accumulator.size)
            time.sleep(0.001)
        stream.finish()
        assert service.accumulator.blocked_seconds > 0, "the input must have been held back"
    assert peak[0] <= 60
    assert stored_per_series(ingest_db) == stream.expected
