"""Simulator → broker → collector → database: good readings land, broken ones become dead letters."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import paho.mqtt.client as mqtt
import pytest

from collectors.aggregation import aggregate_realtime
from collectors.mqtt.const import device_status_topic
from collectors.service import CollectorService
from collectors.simulators.fleet import read_fleet
from collectors.simulators.live import SimulatorOptions, SimulatorService
from collectors.simulators.seed import load_demo
from ioc.catalog import load_catalog
from ioc.config import MqttEndpoint, Settings
from ioc.storage.db import Database
from ioc.storage.devices import get_device


def _wait(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"condition not met within {timeout} s")


def _rows(db: Database, sql: str) -> list[tuple]:
    with db.connection() as conn:
        return conn.execute(sql).fetchall()


def _count(db: Database, sql: str) -> int:
    with db.connection() as conn:
        return conn.execute(sql).fetchone()[0]


def _clear_statuses(settings: Settings, device_ids: list[str]) -> None:
    """Remove the retained statuses of this test's devices from the shared broker."""
    endpoint = MqttEndpoint(settings.mqtt_url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{settings.mqtt_client_id}-cleanup")
    client.connect(endpoint.host, endpoint.port)
    client.loop_start()
    for device_id in device_ids:
        client.publish(device_status_topic(settings.mqtt_topic_prefix, device_id), b"", qos=1, retain=True).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def _status(db: Database, device_id: str) -> str:
    with db.connection() as conn:
        return get_device(conn, device_id).status


@pytest.mark.slow
def test_simulated_fleet_flows_through_the_collector(empty_db: Database, settings: Settings):
    load_demo(empty_db)
    full = load_catalog()
    wanted = ("TTHC.TL_DUNGHAN", "TTHC.HS_DUNGHAN", "TTHC.HS_GIAIQUYET", "CCHC766.DIEM_CKMB", "GT.LL_RT", "GT.LL")
    catalog = full.model_copy(update={"indicators": tuple(i for i in full.indicators if i.code in wanted)})
    tag = uuid.uuid4().hex[:6]
    settings = settings.model_copy(update={"mqtt_topic_prefix": f"{settings.mqtt_topic_prefix}/e2e-{tag}",
                                           "mqtt_client_id": f"e2e-{tag}", "writer_flush_interval": 0.05})
    devices = [d for kind in ("camera", "air", "water_level", "water_quality", "noise")
               for d in [x for x in read_fleet() if x.kind == kind][:6]]
    collector = CollectorService(settings, empty_db, session_expiry=30, status_every=0.2).start()
    simulator = SimulatorService(settings, devices=devices, catalog=catalog, options=SimulatorOptions(
        interval=60, speed=300, malformed_rate=0.08, incident_rate=0, outage_rate=0))  # a tick every 0.2 s
    try:
        simulator.start()
        _wait(lambda: simulator.stats["malformed"] >= 4 and simulator._tick >= 10 and simulator.stats["indicators"] >= 8)
        simulator.simulate_outage(devices[0].id, ticks=1000)
        _wait(lambda: collector.status()["dead_letters"] >= simulator.stats["malformed"] - 1)
        simulator.stop()
        sent = simulator.stats["telemetry"]
        _wait(lambda: collector.status()["received"] >= sent + simulator.stats["malformed"])
        _wait(lambda: _count(empty_db, "SELECT count(DISTINCT series_id) FROM observation") >= 100)
        _wait(lambda: _status(empty_db, devices[0].id) == "offline")  # the broker published its last will
        with empty_db.connection() as conn:
            assert get_device(conn, devices[1].id).status == "online"
            assert get_device(conn, devices[1].id).last_seen is not None
        assert collector.status()["dead_letters"] == simulator.stats["malformed"]  # every indicator accepted too
        stored = {code for (code,) in _rows(empty_db, "SELECT DISTINCT s.indicator_code FROM observation o"
                                                    " JOIN series s ON s.id = o.series_id WHERE s.indicator_code IS NOT NULL")}
        # device-fed area indicators are not sent live: the aggregation jobs compute them from the readings
        assert "TTHC.TL_DUNGHAN" in stored and not {"GT.LL", "GT.LL_RT"} & stored
        aggregate_realtime(empty_db, now=datetime.now(timezone.utc) + timedelta(minutes=1))
        assert "GT.LL_RT" in {code for (code,) in _rows(empty_db, "SELECT DISTINCT s.indicator_code FROM observation o"
                                                               " JOIN series s ON s.id = o.series_id")}
        assert _count(empty_db, "SELECT count(*) FROM dead_letter") == simulator.stats["malformed"]
    finally:
        simulator.stop()
        collector.stop()
        _clear_statuses(settings, [d.id for d in devices])
