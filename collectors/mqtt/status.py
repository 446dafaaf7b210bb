"""Online/offline status with MQTT last wills.

Devices publish ``online`` (retained) on ``devices/{id}/status`` when they
connect and set ``offline`` as their last will; the collector stores the
changes in the device table. The collector does the same for itself on
``collectors/{client_id}/status`` so operators see a dead collector.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import paho.mqtt.client as mqtt

from collectors.mqtt import const

__all__ = ["CollectorPresence", "status_payload", "set_device_will"]


def status_payload(status: str, *, ts: datetime | None = None) -> bytes:
    """The JSON status message: ``{"status": "online", "ts": "..."}`` (no time when ``ts`` is None)."""
    body = {"status": status} if ts is None else {"status": status, "ts": ts.isoformat()}
    return json.dumps(body).encode()


def set_device_will(client: mqtt.Client, prefix: str, device_id: str) -> None:
    """Make the broker publish ``offline`` (retained) for a device whose connection dies."""
    client.will_set(const.device_status_topic(prefix, device_id), const.OFFLINE, qos=const.QOS, retain=True)


class CollectorPresence:
    """The collector's own retained status topic, with ``offline`` as its last will."""

    def __init__(self, client: mqtt.Client, prefix: str, client_id: str) -> None:
        self.client = client
        self.topic = const.collector_status_topic(prefix, client_id)
        # The will is written at connect time, so it carries no timestamp.
        client.will_set(self.topic, status_payload(const.OFFLINE), qos=const.QOS, retain=True)

    def online(self) -> None:
        """Announce that the collector is running."""
        self.client.publish(self.topic, status_payload(const.ONLINE, ts=datetime.now(timezone.utc)), qos=const.QOS, retain=True)

    def offline(self) -> None:
        """Announce a clean stop (a crash is announced by the broker through the will)."""
        info = self.client.publish(
            self.topic, status_payload(const.OFFLINE, ts=datetime.now(timezone.utc)), qos=const.QOS, retain=True
        )
        try:
            info.wait_for_publish(2.0)
        except (RuntimeError, ValueError):  # connection already gone: the will says offline instead
            pass
