"""Telling the world about alert changes: MQTT (always) and a webhook (optional).

Every state change is published as JSON, QoS 1, on
``<prefix>/alerts/<severity>/<alert id>`` (``settings.topic('alerts', ...)``) and,
when ``IOC_ALERT_WEBHOOK_URL`` is set, POSTed there. A failed notification is
logged and counted, never raised: the alert itself is already stored.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime
from typing import Any

import paho.mqtt.client as mqtt

from ioc.config import Settings
from ioc.storage.alerts import AlertChange

__all__ = ["AlertNotifier", "alert_payload"]

logger = logging.getLogger(__name__)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def alert_payload(change: AlertChange) -> bytes:
    """The JSON document sent for a change: the alert's fields plus ``change``."""
    body = {"change": change.change, **asdict(change.alert)}
    return json.dumps(body, default=_json_default, ensure_ascii=False).encode("utf-8")


class AlertNotifier:
    """Publishes alert changes on MQTT and optionally POSTs them to a webhook."""

    def __init__(self, settings: Settings, *, publish_timeout: float = 5.0, webhook_timeout: float = 5.0) -> None:
        self.settings = settings
        self.publish_timeout = publish_timeout
        self.webhook_timeout = webhook_timeout
        self.sent = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._client: mqtt.Client | None = None
        self._webhook_pool = ThreadPoolExecutor(1, thread_name_prefix="alert-webhook") if settings.alert_webhook_url else None

    def _connect(self) -> mqtt.Client | None:
        endpoint = self.settings.mqtt
        if endpoint is None:
            return None
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{self.settings.mqtt_client_id}-alerts")
        username = self.settings.mqtt_username or endpoint.username
        if username:
            client.username_pw_set(username, self.settings.mqtt_password or endpoint.password)
        if endpoint.tls:
            client.tls_set(
                ca_certs=str(self.settings.mqtt_tls_ca) if self.settings.mqtt_tls_ca else None,
                certfile=str(self.settings.mqtt_tls_cert) if self.settings.mqtt_tls_cert else None,
                keyfile=str(self.settings.mqtt_tls_key) if self.settings.mqtt_tls_key else None,
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )
        connected = threading.Event()
        client.on_connect = lambda _c, _u, _f, reason, _p: connected.set() if not reason.is_failure else None
        client.reconnect_delay_set(1, 30)
        client.connect_async(endpoint.host, endpoint.port, keepalive=30)
        client.loop_start()
        if not connected.wait(self.publish_timeout):
            logger.warning("alert notifier: no MQTT connection to %s yet; messages queue until it comes", endpoint)
        return client

    def publish(self, change: AlertChange) -> bool:
        """Send one change; return whether the broker acknowledged it (QoS 1)."""
        if not change.notify:
            return False
        payload = alert_payload(change)
        if self._webhook_pool is not None:
            self._webhook_pool.submit(self._post, payload, change.alert.id)
        topic = self.settings.topic("alerts", change.alert.severity, str(change.alert.id))
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            client = self._client
        if client is None:
            logger.warning("alert %s %s not published: IOC_MQTT_URL is not set", change.alert.id, change.change)
            return False
        try:
            info = client.publish(topic, payload, qos=1)
            info.wait_for_publish(timeout=self.publish_timeout)
            ok = info.is_published()
        except (RuntimeError, ValueError, OSError) as exc:
            logger.warning("alert %s: not delivered on %s now (%s); QoS 1 keeps it queued until the broker is back",
                           change.alert.id, topic, exc)
            ok = False
        if ok:
            self.sent += 1
            logger.info("alert %s %s (%s) published on %s", change.alert.id, change.change, change.alert.severity, topic)
        else:
            self.failed += 1
            logger.warning("alert %s %s: broker did not acknowledge within %.1f s on %s",
                           change.alert.id, change.change, self.publish_timeout, topic)
        return ok

    def _post(self, payload: bytes, alert_id: int) -> None:
        url = self.settings.alert_webhook_url
        request = urllib.request.Request(
            url, data=payload, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.webhook_timeout) as response:
                response.read()
        except (OSError, ValueError) as exc:
            logger.warning("alert %s: webhook POST to IOC_ALERT_WEBHOOK_URL failed: %s", alert_id, exc)

    def close(self) -> None:
        """Disconnect from the broker and finish pending webhook calls."""
        with self._lock:
            if self._client is not None:
                self._client.disconnect()
                self._client.loop_stop()
                self._client = None
        if self._webhook_pool is not None:
            self._webhook_pool.shutdown(wait=True)
