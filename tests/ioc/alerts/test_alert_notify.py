"""Alert changes reach a real MQTT subscriber (and a webhook) under this run's topic prefix."""

from __future__ import annotations

import json
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import paho.mqtt.client as mqtt
import pytest

from ioc.alerts import AlertEngine, AlertNotifier, acknowledge_alert
from tests.ioc.alerts._support import T0, Clock, put


@pytest.fixture
def subscriber(settings):
    """A paho client subscribed to every alert topic of this run; yields a queue of (topic, payload)."""
    received: queue.Queue = queue.Queue()
    subscribed = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{settings.mqtt_client_id}-sub")
    client.on_connect = lambda c, u, f, rc, p: c.subscribe(settings.topic("alerts", "#"), qos=1)
    client.on_subscribe = lambda c, u, mid, rcs, p: subscribed.set()
    client.on_message = lambda c, u, msg: received.put((msg.topic, json.loads(msg.payload)))
    endpoint = settings.mqtt
    client.connect(endpoint.host, endpoint.port)
    client.loop_start()
    assert subscribed.wait(5), "subscription to the broker did not complete"
    yield received
    client.disconnect()
    client.loop_stop()


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.bodies.put(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def webhook():
    """A real local HTTP server collecting POSTed JSON bodies."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.bodies = queue.Queue()  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_every_state_change_is_published_and_posted(alert_db, settings, subscriber, webhook):
    settings = settings.model_copy(update={"alert_webhook_url": f"http://127.0.0.1:{webhook.server_address[1]}/hook"})
    notifier = AlertNotifier(settings)
    engine = AlertEngine(alert_db, notifier=notifier, clock=Clock())
    try:
        put(alert_db, "TEST.ON_TIME_RATE", T0, 84.2)
        [opened] = engine.evaluate_series()
        topic, payload = subscriber.get(timeout=5)
        assert topic == f"{settings.mqtt_topic_prefix}/alerts/warning/{opened.alert.id}"
        assert topic == settings.topic("alerts", "warning", str(opened.alert.id))
        assert payload["change"] == "opened" and payload["state"] == "open" and payload["value"] == 84.2
        assert payload["message_vi"] == "Tỷ lệ hồ sơ đúng hạn tại Dĩ An giảm xuống 84,2% (ngưỡng cảnh báo 90%)"

        acknowledge_alert(alert_db, opened.alert.id, by="Trần Thị Bình", note="đang xử lý", notifier=notifier)
        _, payload = subscriber.get(timeout=5)
        assert payload["change"] == "acknowledged" and payload["acked_by"] == "Trần Thị Bình"

        put(alert_db, "TEST.ON_TIME_RATE", T0.replace(day=25), 78.0)
        engine.evaluate_series()
        topic, payload = subscriber.get(timeout=5)
        assert topic.endswith(f"/alerts/critical/{opened.alert.id}") and payload["change"] == "escalated"

        put(alert_db, "TEST.ON_TIME_RATE", T0.replace(day=26), 95.0)
        engine.evaluate_series()
        _, payload = subscriber.get(timeout=5)
        assert payload["change"] == "resolved" and payload["resolved_at"]

        put(alert_db, "TEST.ON_TIME_RATE", T0.replace(day=27), 96.0)
        assert engine.evaluate_series() == []
        with pytest.raises(queue.Empty):
            subscriber.get(timeout=0.5)  # no state change, no message
    finally:
        notifier.close()  # waits for the webhook posts
    posted = [webhook.bodies.get(timeout=1)["change"] for _ in range(4)]
    assert posted == ["opened", "acknowledged", "escalated", "resolved"]
    assert notifier.sent == 4 and notifier.failed == 0
