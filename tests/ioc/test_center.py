"""`ioc up` end to end: the operations center starts, a reading published over MQTT reaches the
overview page in headless Chromium, and the center stops cleanly."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from ioc.auth import accounts
from ioc.center import CenterOptions, OperationsCenter
from ioc.config import load_settings
from ioc.embedded import free_port
from ioc.storage.db import get_database, set_database
from tests.layouts.browser_helpers import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

VALUE = 73.2  # distinctive: no fixture data set uses it; the indicator shows one decimal


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.browser
def test_ioc_up_shows_a_reading_that_arrived_over_mqtt(empty_db, mqtt_url, topic_prefix, tmp_path):
    port = free_port()
    settings = load_settings(database_url=empty_db.url, mqtt_url=mqtt_url, mqtt_topic_prefix=topic_prefix,
                             mqtt_client_id=f"ioc-center-test-{port}", data_dir=tmp_path / "data",
                             port=port, simulate=False, redis_url=None)
    center = OperationsCenter(settings, CenterOptions(history_days=0, addresses=500, simulate=False))
    saved_env = {k: os.environ.get(k) for k in ("IOC_DATABASE_URL", "IOC_MQTT_URL")}
    previous_db = set_database(None)
    # Dash registers pages through a context variable set at its import: import the app in
    # this (main) thread, as `ioc up` does, before the center runs in a worker thread.
    import app  # noqa: F401

    runner = threading.Thread(target=center.run, name="ioc-up-test", daemon=True)
    runner.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _healthy(base), 180, "the dashboard of `ioc up`")
        # A value from an upstream system, through the broker and the collector.
        publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        endpoint = settings.mqtt
        publisher.connect(endpoint.host, endpoint.port)
        publisher.loop_start()
        body = {"area": "74", "value": VALUE, "ts": datetime.now(timezone.utc).isoformat(), "unit": "điểm"}
        publisher.publish(settings.topic("indicators", "CCHC766.DIEM_TONG"), json.dumps(body), qos=1).wait_for_publish(10)
        publisher.loop_stop()
        publisher.disconnect()

        def stored() -> bool:
            with empty_db.connection() as conn:
                row = conn.execute(
                    "SELECT l.value FROM latest_value l JOIN series s ON s.id = l.series_id "
                    "WHERE s.indicator_code = 'CCHC766.DIEM_TONG' AND s.area_code = '74'").fetchone()
            return row is not None and abs(row[0] - VALUE) < 1e-9

        _wait(stored, 60, "the reading to be stored by the collector")
        accounts.create_user(get_database(), "lanh-dao-e2e", "mat-khau-e2e-2026", role="leader")
        from ioc.cache import cache

        cache.clear()
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "/")
            page.fill("#username", "lanh-dao-e2e")
            page.fill("#password", "mat-khau-e2e-2026")
            page.click("button[type=submit]")
            page.wait_for_selector(".kpi-tile", timeout=60_000)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            try:
                page.wait_for_function("document.querySelector('#kpi-tiles').innerText.includes('73,2')",
                                       timeout=60_000)
            finally:
                page.screenshot(path=str(SCREENSHOTS / "ioc_up_overview.png"))
            tiles = page.inner_text("#kpi-tiles")
            browser.close()
        assert "73,2" in tiles and "điểm" in tiles  # Vietnamese decimal comma, unit
        assert not errors, errors
    finally:
        center.stop()
        runner.join(timeout=60)
        set_database(previous_db)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert not runner.is_alive(), "ioc up did not stop"
    assert not _healthy(base)
    with empty_db.connection() as conn:
        areas = conn.execute("SELECT count(*) FROM area").fetchone()[0]
        indicators = conn.execute("SELECT count(*) FROM indicator").fetchone()[0]
        admins = conn.execute("SELECT count(*) FROM app_user WHERE role = 'admin'").fetchone()[0]
    assert areas == 101 and indicators >= 1000 and admins == 1
