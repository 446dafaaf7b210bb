"""The ingest client's own PUBLISH decoding, against a real broker.

The collector's :class:`IngestClient` decodes PUBLISH packets from its read
buffer instead of paho's reader. These tests send what the broker can send —
QoS 0 and 1, v5 properties (paho's path), payloads larger than one read,
empty payloads, bursts that end in the middle of a packet — and compare every
message received with what was published, in order.
"""

from __future__ import annotations

import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.client import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from collectors.bench_publisher import RawPublisher
from collectors.mqtt.client import IngestClient
from ioc.config import MqttEndpoint


def _subscriber(url: str, topic_filter: str, *, manual_ack: bool, protocol: int = mqtt.MQTTv5):
    endpoint = MqttEndpoint(url)
    client = IngestClient(CallbackAPIVersion.VERSION2, client_id=f"test-ingest-{uuid.uuid4().hex[:8]}",
                          protocol=protocol, manual_ack=manual_ack)
    got: list[tuple[str, bytes, int, object]] = []
    subscribed = threading.Event()

    def on_message(c, userdata, msg) -> None:
        props = msg.properties
        user = dict(props.UserProperty) if props is not None and hasattr(props, "UserProperty") else None
        got.append((msg.topic, msg.payload, msg.qos, user))
        if manual_ack and msg.qos == 1:
            c.ack_many([msg.mid])

    client.on_message = on_message
    client.on_subscribe = lambda *a: subscribed.set()
    if protocol == mqtt.MQTTv5:
        props = Properties(PacketTypes.CONNECT)
        props.ReceiveMaximum = 65535
        client.connect(endpoint.host, endpoint.port, properties=props)
    else:
        client.connect(endpoint.host, endpoint.port)
    client.subscribe(topic_filter, qos=1)
    client.loop_start()
    assert subscribed.wait(10), "no SUBACK"
    return client, got


def _wait(got: list, n: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while len(got) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(got) >= n


@pytest.mark.parametrize("protocol", [mqtt.MQTTv5, mqtt.MQTTv311], ids=["v5", "v3.1.1"])
def test_bursts_of_publishes_arrive_whole_and_in_order(mqtt_url, topic_prefix, protocol):
    base = f"{topic_prefix}/client-{uuid.uuid4().hex[:6]}"
    client, got = _subscriber(mqtt_url, f"{base}/#", manual_ack=True, protocol=protocol)
    try:
        endpoint = MqttEndpoint(mqtt_url)
        publisher = RawPublisher(endpoint.host, endpoint.port)
        sent = []
        sizes = [0, 1, 100, 127, 128, 16_383, 16_384, 300_000, 40, 2_000_000]  # 1- to 3-byte lengths, > one read
        for k in range(3000):
            size = sizes[k % len(sizes)] if k % 97 == 0 else 60 + k % 50
            payload = (b"%06d|" % k + bytes(range(256)) * (size // 256 + 1))[:size] if size else b""
            topic = f"{base}/dev-{k % 7}/telemetry/é"
            publisher.publish(topic, payload)
            sent.append((topic, payload))
            if k % 50 == 49:
                publisher.flush()
                # Mosquitto drops QoS 1 messages beyond max_queued_messages (1000) for a slow
                # subscriber: keep fewer than that between publisher and subscriber.
                assert _wait(got, k - 500, timeout=10), f"subscriber stuck at {len(got)} of {k}"
        assert publisher.wait_acked(30)
        publisher.close()
        _wait(got, len(sent))
        assert [(t, p) for t, p, _, _ in got] == sent
        assert {q for _, _, q, _ in got} == {1}
    finally:
        client.disconnect()
        client.loop_stop()


def test_messages_with_v5_properties_and_qos0_mix_with_the_fast_path(mqtt_url, topic_prefix):
    base = f"{topic_prefix}/client-{uuid.uuid4().hex[:6]}"
    client, got = _subscriber(mqtt_url, f"{base}/#", manual_ack=False)
    endpoint = MqttEndpoint(mqtt_url)
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5)
    pub.connect(endpoint.host, endpoint.port)
    pub.loop_start()
    try:
        expected = []
        for k in range(600):
            props = None
            if k % 3 == 0:
                props = Properties(PacketTypes.PUBLISH)
                props.UserProperty = ("k", str(k))
            qos = k % 2
            info = pub.publish(f"{base}/m", b"payload-%d" % k, qos=qos, properties=props)
            info.wait_for_publish(10)
            expected.append((f"{base}/m", b"payload-%d" % k, qos, {"k": str(k)} if props else None))
        _wait(got, len(expected))
        assert got == expected
    finally:
        pub.disconnect()
        pub.loop_stop()
        client.disconnect()
        client.loop_stop()


def test_a_lost_connection_is_reported_and_the_client_reconnects(mqtt_url, topic_prefix):
    base = f"{topic_prefix}/client-{uuid.uuid4().hex[:6]}"
    client, got = _subscriber(mqtt_url, f"{base}/#", manual_ack=False)
    disconnected = threading.Event()
    client.on_disconnect = lambda *a: disconnected.set()
    try:
        client._sock.shutdown(2)  # the connection dies under the network thread
        assert disconnected.wait(10), "on_disconnect not called"
        endpoint = MqttEndpoint(mqtt_url)
        deadline = time.monotonic() + 20
        while not client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.is_connected(), "no reconnection"
        publisher = RawPublisher(endpoint.host, endpoint.port)
        client.subscribe(f"{base}/#", qos=1)
        time.sleep(0.5)
        publisher.publish(f"{base}/after", b"again")
        assert publisher.wait_acked(10)
        publisher.close()
        _wait(got, 1)
        assert got and got[-1][:2] == (f"{base}/after", b"again")
    finally:
        client.disconnect()
        client.loop_stop()


def test_the_fast_handler_gets_what_paho_would_give_on_message(mqtt_url, topic_prefix):
    base = f"{topic_prefix}/client-{uuid.uuid4().hex[:6]}"
    client, got = _subscriber(mqtt_url, f"{base}/#", manual_ack=True)
    fast: list[tuple[str, bytes, int]] = []

    def on_publish_received(topic: str, payload: bytes, mid: int, qos: int) -> None:
        fast.append((topic, payload, qos))
        client.ack_many([mid])

    client.on_publish_received = on_publish_received
    endpoint = MqttEndpoint(mqtt_url)
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5)
    pub.connect(endpoint.host, endpoint.port)
    pub.loop_start()
    try:
        for k in range(200):
            props = None
            if k % 4 == 0:  # v5 properties: paho decodes these, on_message gets them
                props = Properties(PacketTypes.PUBLISH)
                props.UserProperty = ("k", str(k))
            pub.publish(f"{base}/đ/{k}", b"p%d" % k, qos=1, properties=props).wait_for_publish(10)
        _wait(fast, 150)
        _wait(got, 50)
        assert fast == [(f"{base}/đ/{k}", b"p%d" % k, 1) for k in range(200) if k % 4]
        assert [(t, p, u) for t, p, _, u in got] == [(f"{base}/đ/{k}", b"p%d" % k, {"k": str(k)}) for k in range(0, 200, 4)]
    finally:
        pub.disconnect()
        pub.loop_stop()
        client.disconnect()
        client.loop_stop()
