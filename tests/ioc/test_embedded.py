"""Embedded defaults: a PostgreSQL from a pip wheel and an in-process MQTT broker."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
import psycopg
import pytest

from ioc.config import load_settings
from ioc.embedded import EmbeddedBroker, EmbeddedPostgres
from ioc.runtime import Runtime
from ioc.storage.db import Database
from ioc.storage.migrate import upgrade


@pytest.mark.slow
def test_embedded_postgres_keeps_data_across_restarts(tmp_path):
    server = EmbeddedPostgres(tmp_path / "pgdata")
    url = server.start()
    try:
        with Database(url, max_size=1) as db:
            assert "0001_core" in upgrade(db)
            with db.connection() as conn:
                conn.execute("INSERT INTO sector (code, name_vi, name_en) VALUES ('cchc', 'Cải cách hành chính', 'Administrative reform')")
    finally:
        server.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2).close()  # really stopped

    again = EmbeddedPostgres(tmp_path / "pgdata")
    url = again.start()
    try:
        with Database(url, max_size=1) as db:
            assert upgrade(db) == []
            with db.connection() as conn:
                assert conn.execute("SELECT name_vi FROM sector").fetchone()[0] == "Cải cách hành chính"
    finally:
        again.stop()


def test_embedded_broker_delivers_qos1_and_stops():
    broker = EmbeddedBroker()
    url = broker.start()
    received: list[bytes] = []
    done = threading.Event()

    def on_message(client, userdata, message):
        received.append(message.payload)
        if len(received) == 20:
            done.set()

    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    sub.on_message = on_message
    sub.connect("127.0.0.1", broker.port)
    sub.subscribe("embedded/#", qos=1)
    sub.loop_start()
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    pub.connect("127.0.0.1", broker.port)
    pub.loop_start()
    try:
        import time

        time.sleep(0.3)
        for i in range(20):
            pub.publish("embedded/t", f"m{i}".encode(), qos=1).wait_for_publish(5)
        assert done.wait(10), f"received only {len(received)} of 20 via {url}"
    finally:
        for client in (pub, sub):
            client.loop_stop()
            client.disconnect()
        broker.stop()
    assert sorted(received) == sorted(f"m{i}".encode() for i in range(20))
    probe = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    with pytest.raises(OSError):
        probe.connect("127.0.0.1", broker.port)


def test_runtime_uses_configured_servers_and_starts_nothing(database_url, mqtt_url, tmp_path):
    settings = load_settings(database_url=database_url, mqtt_url=mqtt_url, data_dir=tmp_path)
    runtime = Runtime(settings, broker=True)
    with runtime as resolved:
        assert resolved.database_url == database_url and resolved.mqtt_url == mqtt_url
        assert runtime.embedded_postgres is None and runtime.embedded_broker is None
    assert not (tmp_path / "pgdata").exists()


@pytest.mark.slow
def test_runtime_starts_embedded_defaults_when_unconfigured(tmp_path):
    settings = load_settings(database_url="", mqtt_url="", data_dir=tmp_path)
    with Runtime(settings, broker=True) as resolved:
        assert resolved.database_url and resolved.mqtt_url.startswith("mqtt://127.0.0.1:")
        with psycopg.connect(resolved.database_url) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == "ioc"
    assert (tmp_path / "pgdata").exists()
