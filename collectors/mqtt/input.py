"""The MQTT service input: subscribe, validate, hand over, acknowledge after commit.

paho-mqtt 2 client, MQTT v5, QoS 1, a persistent session (``clean_start``
false, a session expiry) and ``manual_ack``: a message is acknowledged to the
broker only when the writer has committed the batch that holds it. The v5
*Receive Maximum* bounds the messages the broker sends before they are
acknowledged; when the accumulator is full the network thread blocks, so the
collector stops consuming instead of growing. With ``mqtt_shared_group`` set,
every filter is a ``$share/{group}/...`` subscription and several collectors
split the stream, each message going to one of them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

import paho.mqtt.client as mqtt
from paho.mqtt.client import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from collectors.accumulator import Accumulator, Delivery
from collectors.mqtt import const
from collectors.mqtt.client import IngestClient
from collectors.mqtt.parse import MessageParser
from collectors.mqtt.status import CollectorPresence
from ioc.config import Settings
from ioc.errors import ConfigError

__all__ = ["Ack", "MqttInput", "make_client"]

logger = logging.getLogger(__name__)


class Ack:
    """How to acknowledge one message: the session generation it arrived in, its id and QoS."""

    __slots__ = ("generation", "mid", "qos", "topic", "payload")

    def __init__(self, generation: int, mid: int, qos: int, topic: str, payload: bytes) -> None:
        self.generation = generation
        self.mid = mid
        self.qos = qos
        self.topic = topic
        self.payload = payload

    def __repr__(self) -> str:
        return f"Ack(gen={self.generation}, mid={self.mid}, topic={self.topic!r})"


def make_client(
    settings: Settings,
    client_id: str,
    *,
    manual_ack: bool = False,
    receive_maximum: int | None = None,
    session_expiry: int | None = None,
    protocol: int = mqtt.MQTTv5,
) -> tuple[IngestClient, Properties | None]:
    """A paho client configured from settings (credentials, TLS) and its v5 CONNECT properties.

    With ``protocol=MQTTv311`` (brokers without MQTT 5, such as the embedded amqtt
    broker) the session is kept with ``clean_session=False`` and there are no properties.
    """
    endpoint = settings.mqtt
    if endpoint is None:
        raise ConfigError("IOC_MQTT_URL is not set; the collector needs a broker (or run `ioc up`)")
    if protocol != mqtt.MQTTv5:
        client = IngestClient(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, protocol=protocol,
            manual_ack=manual_ack,
        )
    else:
        client = IngestClient(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol, manual_ack=manual_ack
        )
    username = settings.mqtt_username or endpoint.username
    if username:
        client.username_pw_set(username, settings.mqtt_password or endpoint.password)
    if endpoint.tls or settings.mqtt_tls_ca:
        client.tls_set(
            ca_certs=str(settings.mqtt_tls_ca) if settings.mqtt_tls_ca else None,
            certfile=str(settings.mqtt_tls_cert) if settings.mqtt_tls_cert else None,
            keyfile=str(settings.mqtt_tls_key) if settings.mqtt_tls_key else None,
        )
    client.reconnect_delay_set(min_delay=1, max_delay=10)
    if protocol != mqtt.MQTTv5:
        return client, None
    props = Properties(PacketTypes.CONNECT)
    if session_expiry:
        props.SessionExpiryInterval = session_expiry
    if receive_maximum:
        props.ReceiveMaximum = max(1, min(receive_maximum, 65535))
    return client, props


class MqttInput:
    """Service input (``start(acc)`` / ``stop()``) reading the ioc topic scheme from one broker."""

    def __init__(
        self,
        settings: Settings,
        parser: MessageParser,
        *,
        receive_maximum: int = 65535,
        session_expiry: int = 7 * 86400,
        keepalive: int = 30,
    ) -> None:
        self.settings = settings
        self.parser = parser
        self.keepalive = keepalive
        self._receive_maximum = receive_maximum
        self._session_expiry = session_expiry
        self.protocol = mqtt.MQTTv5
        self._make_client()
        self.filters = const.subscriptions(settings.mqtt_topic_prefix, settings.mqtt_shared_group)
        self.received = 0
        self.connected = threading.Event()
        self.subscribed = threading.Event()  # the broker confirmed the subscriptions (SUBACK)
        self._subscribe_mid: int | None = None
        self.generation = 0
        self._accumulator: Accumulator | None = None
        self._draining = False

    def _make_client(self) -> None:
        self.client, self._props = make_client(
            self.settings,
            self.settings.mqtt_client_id,
            manual_ack=True,
            receive_maximum=self._receive_maximum,
            session_expiry=self._session_expiry,
            protocol=self.protocol,
        )
        self.presence = CollectorPresence(self.client, self.settings.mqtt_topic_prefix, self.settings.mqtt_client_id)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_publish_received = self._on_publish
        self.client.on_subscribe = self._on_subscribe

    def _connect(self) -> None:
        endpoint = self.settings.mqtt
        if self.protocol == mqtt.MQTTv5:
            self.client.connect_async(
                endpoint.host, endpoint.port, keepalive=self.keepalive, clean_start=False, properties=self._props
            )
        else:
            self.client.connect_async(endpoint.host, endpoint.port, keepalive=self.keepalive)
        self.client.loop_start()

    def _fall_back_to_v311(self) -> None:
        """The broker refused MQTT 5 (e.g. the embedded amqtt broker): reconnect with 3.1.1."""
        logger.warning(
            "broker %s does not speak MQTT 5; using MQTT 3.1.1 (persistent session, manual acks, "
            "but no Receive Maximum: the broker's own in-flight limit applies)", self.settings.mqtt,
        )
        self.client.loop_stop()  # a no-op when the loop never started
        self.protocol = mqtt.MQTTv311
        self._make_client()
        self._connect()

    def _speaks_v5(self, timeout: float = 5.0) -> bool:
        """Whether the broker accepts MQTT 5 (a probe connection; True when it cannot tell)."""
        endpoint = self.settings.mqtt
        probe, _ = make_client(self.settings, f"{self.settings.mqtt_client_id}-probe")
        answer: dict[str, object] = {}
        done = threading.Event()
        probe.on_connect = lambda c, u, f, rc, p: (answer.setdefault("rc", rc), done.set())
        try:
            probe.connect(endpoint.host, endpoint.port, keepalive=10)
        except OSError:
            return True  # unreachable now: start with MQTT 5 and retry in the background
        probe.loop_start()
        done.wait(timeout)
        probe.disconnect()
        probe.loop_stop()
        rc = answer.get("rc")
        return not (rc is not None and rc.is_failure and "protocol version" in str(rc).lower())

    def start(self, accumulator: Accumulator, *, wait: float = 10.0) -> None:
        """Connect (persistent session), start consuming into ``accumulator``; wait for the SUBACK."""
        self._accumulator = accumulator
        self._draining = False
        endpoint = self.settings.mqtt
        if self.protocol == mqtt.MQTTv5 and not self._speaks_v5():
            self._fall_back_to_v311()
        else:
            self._connect()
        if wait and not self.subscribed.wait(wait):
            logger.warning("no subscription on the broker %s yet; retrying in the background", endpoint)

    def drain(self) -> None:
        """Stop taking new messages (they stay unacknowledged, so the broker keeps them)."""
        self._draining = True

    def stop(self) -> None:
        """Say offline, disconnect and stop the network thread."""
        self._draining = True
        if self.connected.is_set():
            self.presence.offline()
        self.client.disconnect()
        self.client.loop_stop()
        self.connected.clear()
        self.subscribed.clear()

    def ack(self, batch: Iterable[Delivery]) -> int:
        """Acknowledge the messages of a committed batch received in the current session."""
        generation = self.generation
        return self.client.ack_many(
            [d.token.mid for d in batch if d.token is not None and d.token.generation == generation and d.token.qos == 1]
        )

    # -- paho callbacks (network thread) -------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            if self.protocol == mqtt.MQTTv5 and "protocol version" in str(reason_code).lower():
                # loop_stop() cannot run on the network thread itself.
                threading.Thread(target=self._fall_back_to_v311, name="ioc-mqtt-v311", daemon=True).start()
                return
            logger.error("broker %s refused the connection: %s", self.settings.mqtt, reason_code)
            return
        # Acks of messages from an earlier connection are not sent: the broker redelivers those.
        self.generation += 1
        self._subscribe_mid = client.subscribe([(f, const.QOS) for f in self.filters])[1]
        self.presence.online()
        self.connected.set()
        logger.info(
            "connected to %s as %s (session present: %s), subscribed to %s",
            self.settings.mqtt, self.settings.mqtt_client_id, flags.session_present, ", ".join(self.filters),
        )

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        if mid != self._subscribe_mid:
            return
        refused = [f for f, code in zip(self.filters, reason_codes) if code.is_failure]
        if refused:
            logger.error("broker %s refused the subscription to %s", self.settings.mqtt, ", ".join(refused))
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if not self._draining:
            logger.warning("disconnected from %s (%s); reconnecting", self.settings.mqtt, reason_code)

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        self._on_publish(msg.topic, msg.payload, msg.mid, msg.qos)

    def _on_publish(self, topic: str, payload: bytes, mid: int, qos: int) -> None:
        """One message: parse, hand to the accumulator (the client's fast path calls this directly)."""
        if self._draining:
            return
        self.received += 1
        self._accumulator.add(self.parser.parse(topic, payload, token=Ack(self.generation, mid, qos, topic, payload)))
