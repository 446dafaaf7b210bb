"""The MQTT topic scheme of the operations center (see docs/mqtt.md).

Under the configured prefix (default ``ioc/v1``):

- ``devices/{device_id}/telemetry``  one reading, a snapshot of several metrics, a batch, or FIWARE
- ``devices/{device_id}/events``     one event or a batch of events
- ``devices/{device_id}/status``     ``online`` / ``offline`` (retained; the device's last will)
- ``indicators/{indicator_code}``    an indicator value with its area and time, or a batch
- ``collectors/{client_id}/status``  the collector's own ``online`` / ``offline`` (its last will)
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "QOS",
    "TELEMETRY",
    "EVENTS",
    "STATUS",
    "INDICATOR",
    "ONLINE",
    "OFFLINE",
    "Route",
    "subscriptions",
    "route",
    "telemetry_topic",
    "events_topic",
    "device_status_topic",
    "indicator_topic",
    "collector_status_topic",
]

QOS = 1
TELEMETRY = "telemetry"
EVENTS = "events"
STATUS = "status"
INDICATOR = "indicator"
ONLINE = "online"
OFFLINE = "offline"

_DEVICE_CHANNELS = (TELEMETRY, EVENTS, STATUS)


class Route(NamedTuple):
    """What a topic addresses: the channel (telemetry, events, status, indicator) and its subject id."""

    channel: str
    subject: str


def telemetry_topic(prefix: str, device_id: str) -> str:
    """Topic a device publishes its readings to."""
    return f"{prefix}/devices/{device_id}/{TELEMETRY}"


def events_topic(prefix: str, device_id: str) -> str:
    """Topic a device publishes its events to."""
    return f"{prefix}/devices/{device_id}/{EVENTS}"


def device_status_topic(prefix: str, device_id: str) -> str:
    """Retained topic of a device's online/offline status (its last will)."""
    return f"{prefix}/devices/{device_id}/{STATUS}"


def indicator_topic(prefix: str, indicator_code: str) -> str:
    """Topic an indicator value is published to."""
    return f"{prefix}/indicators/{indicator_code}"


def collector_status_topic(prefix: str, client_id: str) -> str:
    """Retained topic of a collector's own status (its last will says offline)."""
    return f"{prefix}/collectors/{client_id}/{STATUS}"


def subscriptions(prefix: str, shared_group: str | None = None) -> list[str]:
    """Topic filters the collector subscribes to, as a ``$share`` group when one is given."""
    filters = [f"{prefix}/devices/+/{channel}" for channel in _DEVICE_CHANNELS]
    filters.append(f"{prefix}/indicators/+")
    if shared_group:
        filters = [f"$share/{shared_group}/{f}" for f in filters]
    return filters


def route(prefix: str, topic: str) -> Route | None:
    """Channel and subject of a topic under ``prefix``, or None when the scheme does not know it."""
    if not topic.startswith(prefix) or topic[len(prefix) : len(prefix) + 1] != "/":
        return None
    parts = topic[len(prefix) + 1 :].split("/")
    if len(parts) == 3 and parts[0] == "devices" and parts[1] and parts[2] in _DEVICE_CHANNELS:
        return Route(parts[2], parts[1])
    if len(parts) == 2 and parts[0] == "indicators" and parts[1]:
        return Route(INDICATOR, parts[1])
    return None
