"""paho-mqtt 2 clients for the simulators: a publisher, and a device connection that dies with a last will."""

from __future__ import annotations

import logging
import threading

import paho.mqtt.client as mqtt

from ioc.config import Settings
from ioc.errors import ConfigError, IocError

__all__ = ["connect_client", "crash_with_will"]

logger = logging.getLogger(__name__)


def _client(settings: Settings, client_id: str) -> mqtt.Client:
    endpoint = settings.mqtt
    if endpoint is None:
        raise ConfigError("setting IOC_MQTT_URL (mqtt_url): the simulator needs a broker, e.g. mqtt://127.0.0.1:1883")
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
    username = settings.mqtt_username or endpoint.username
    if username:
        client.username_pw_set(username, settings.mqtt_password or endpoint.password)
    if endpoint.tls:
        client.tls_set(
            ca_certs=str(settings.mqtt_tls_ca) if settings.mqtt_tls_ca else None,
            certfile=str(settings.mqtt_tls_cert) if settings.mqtt_tls_cert else None,
            keyfile=str(settings.mqtt_tls_key) if settings.mqtt_tls_key else None,
        )
    return client


def _connect(client: mqtt.Client, settings: Settings, *, timeout: float = 10.0) -> None:
    endpoint = settings.mqtt
    connected = threading.Event()
    client.on_connect = lambda c, userdata, flags, reason, props: connected.set() if not reason.is_failure else None
    try:
        client.connect(endpoint.host, endpoint.port, keepalive=30)
    except OSError as exc:
        raise IocError(f"simulator cannot reach the MQTT broker {endpoint!r}: {exc}; check IOC_MQTT_URL") from exc
    client.loop_start()
    if not connected.wait(timeout):
        client.loop_stop()
        raise IocError(f"MQTT broker {endpoint!r} did not accept the simulator within {timeout:.0f} s (credentials?)")


def connect_client(settings: Settings, client_id: str) -> mqtt.Client:
    """A connected publisher with its network loop running in a thread."""
    client = _client(settings, client_id)
    _connect(client, settings)
    return client


def crash_with_will(settings: Settings, client_id: str, will_topic: str, will_payload: bytes) -> mqtt.Client:
    """Connect as a device with a retained last will, then drop the connection without saying goodbye.

    The broker sees the connection die and publishes the will: exactly what
    happens when a real device loses power or network.
    """
    client = _client(settings, client_id)
    client.will_set(will_topic, will_payload, qos=1, retain=True)
    _connect(client, settings)
    client.loop_stop()
    sock = client.socket()
    if sock is not None:
        sock.close()  # no DISCONNECT packet: the broker must publish the will
    return client
