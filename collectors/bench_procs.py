"""Process bodies of the ingest benchmark: a bare publisher, a bare counting subscriber, a collector.

Each runs in its own process (spawned), like the real deployment: devices,
broker, collector and database never share one Python interpreter.
"""

from __future__ import annotations

import resource
import time
import uuid
from datetime import datetime, timezone
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.client import CallbackAPIVersion

from collectors.bench_publisher import RawPublisher

__all__ = ["publisher", "counting_subscriber", "collector", "reading_payload"]

WINDOW_POLL = 0.0005


def _cpu_seconds() -> float:
    """CPU time (user + system) this process used so far: a figure the machine's load barely moves."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Clock:
    """Unique, increasing ISO times per device, cheap to format (the second is cached)."""

    def __init__(self, devices: int) -> None:
        self.last = [0] * devices  # last microsecond stamp per device
        self._sec = -1
        self._text = ""

    def stamp(self, device: int) -> str:
        us = max(int(time.time() * 1_000_000), self.last[device] + 1)
        self.last[device] = us
        sec, frac = divmod(us, 1_000_000)
        if sec != self._sec:
            self._sec = sec
            self._text = datetime.fromtimestamp(sec, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._text}.{frac:06d}+00:00"


def reading_payload(clock: _Clock, device: int, per_message: int, value: float) -> bytes:
    """A single-reading message, or a batch of ``per_message`` readings, for the metric pm25."""
    if per_message == 1:
        return b'{"metric":"pm25","value":%.1f,"ts":"%s"}' % (value, clock.stamp(device).encode())
    items = b",".join(
        b'{"metric":"pm25","value":%.1f,"ts":"%s"}' % (value, clock.stamp(device).encode()) for _ in range(per_message)
    )
    return b'{"readings":[' + items + b"]}"


class _FastPayloads:
    """Payloads of the throughput phases, made with one ``%`` format per message.

    Formatting each reading's time was most of the publisher's CPU at 100 readings
    a message. Here a message's readings share the current second and differ in
    the microseconds: message counter of the device (4 digits) then reading index
    (2 digits) — unique and increasing per device below 10,000 messages per
    device per second. The times are not the publish instants to the microsecond,
    so the latency phase uses :func:`reading_payload` instead.
    """

    def __init__(self, devices: int, per_message: int) -> None:
        self.per_message = per_message
        self.counts = [0] * devices
        self._second = -1
        self._template = b""

    def payload(self, device: int, value: float) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            stamp = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S").encode()
            if self.per_message == 1:
                self._template = b'{"metric":"pm25","value":%.1f,"ts":"' + stamp + b'.%06d+00:00"}'
            else:
                items = ((b'{"metric":"pm25","value":%%.1f,"ts":"' + stamp + b'.%%04d%02d+00:00"}') % i
                         for i in range(self.per_message))
                self._template = b'{"readings":[' + b",".join(items) + b"]}"
            self.counts = [0] * len(self.counts)  # a new second: counters restart
        n = self.counts[device]
        self.counts[device] = n + 1
        if self.per_message == 1:
            return self._template % (value, n)
        return self._template % ((value, n) * self.per_message)


def publisher(opts: dict[str, Any], consumed: Any, done: Any, results: Any) -> None:
    """Publish for ``seconds`` as fast as allowed (or at ``rate`` msg/s), QoS 1, then report counts.

    ``consumed`` (a shared counter of messages the consumer has acknowledged, or
    None) keeps at most ``window`` messages between publisher and consumer:
    Mosquitto drops QoS 1 messages for a client with more than its Receive Maximum
    in flight plus ``max_queued_messages`` (default 1000) waiting, so a slower
    consumer must slow the publisher.
    Messages go out in bursts of ``burst`` through :class:`RawPublisher`.
    """
    from ioc.config import MqttEndpoint

    endpoint = MqttEndpoint(opts["mqtt_url"])
    client = RawPublisher(endpoint.host, endpoint.port, username=endpoint.username, password=endpoint.password)
    cpu = _cpu_seconds()
    topics = list(opts["topics"])
    devices, per_message = len(topics), opts["per_message"]
    clock, window, rate = _Clock(devices), opts["window"], opts.get("rate")
    fast = None if rate else _FastPayloads(devices, per_message)
    burst = max(1, min(opts.get("burst", 32), window // 4)) if consumed is not None else opts.get("burst", 32)
    published = 0
    start = time.time()
    end = start + opts["seconds"]
    while True:
        now = time.time()
        if now >= end:
            break
        if rate and published >= (now - start) * rate:
            time.sleep(0.0005)
            continue
        if consumed is not None and published - consumed.value > window:
            time.sleep(WINDOW_POLL)
            continue
        n = burst if not rate else max(1, min(burst, int((now - start) * rate) - published))
        for _ in range(n):
            device = published % devices
            value = float(published % 997)
            client.publish(topics[device], fast.payload(device, value) if fast else reading_payload(clock, device, per_message, value))
            published += 1
        client.flush()
    end_publish = time.time()
    client.wait_acked(60)  # every message acknowledged by the broker
    client.close()
    results.put({"role": "publisher", "published": published, "broker_acked": client.acked,
                 "start": start, "end": end_publish, "cpu_seconds": _cpu_seconds() - cpu})
    done.set()


def counting_subscriber(opts: dict[str, Any], ready: Any, consumed: Any, stop: Any, results: Any) -> None:
    """A bare QoS 1 subscriber that only counts (the broker-only limit).

    It uses the collector's own network client (paho with buffered reads, MQTT 5
    Receive Maximum 65,535, PUBACKs written 32 at a time), so the limit it
    measures is what the broker and the client can move, without validation or
    storage; a stock paho client is several times slower here and would make
    the ratio meaningless.
    """
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from collectors.mqtt.client import IngestClient
    from ioc.config import MqttEndpoint

    state = {"n": 0, "first": 0.0, "last": 0.0}
    unacked: list[int] = []

    def on_message(client, userdata, msg) -> None:
        now = time.time()
        if not state["n"]:
            state["first"] = now
        state["n"] += 1
        state["last"] = now
        unacked.append(msg.mid)
        if len(unacked) >= 32:
            client.ack_many(unacked)
            unacked.clear()
            consumed.value = state["n"]

    endpoint = MqttEndpoint(opts["mqtt_url"])
    client = IngestClient(CallbackAPIVersion.VERSION2, client_id=f"bench-sub-{uuid.uuid4().hex[:8]}",
                          protocol=mqtt.MQTTv5, manual_ack=True)
    if endpoint.username:
        client.username_pw_set(endpoint.username, endpoint.password)
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = 65535
    client.on_message = on_message
    client.connect(endpoint.host, endpoint.port, properties=props)
    client.subscribe(opts["filter"], qos=1)
    client.loop_start()
    time.sleep(0.5)
    cpu = _cpu_seconds()
    ready.set()
    stop.wait()  # a tail of < 32 unacknowledged messages is dropped with the clean session
    cpu = _cpu_seconds() - cpu
    client.disconnect()
    client.loop_stop()
    results.put({"role": "subscriber", "received": state["n"], "first": state["first"], "last": state["last"],
                 "cpu_seconds": cpu})


def collector(opts: dict[str, Any], ready: Any, acked: Any, stop: Any, results: Any) -> None:
    """A real CollectorService; shares its received and acknowledged counts, reports latencies.

    ``acked`` counts the messages committed (and so acknowledged), shared by every
    collector of the run: the publisher's window.
    """
    from collectors.service import CollectorService, tune_gc_for_ingest
    from ioc.config import load_settings
    from ioc.storage.db import Database

    settings = load_settings(**opts["settings"])
    latencies: list[float] = []
    with Database(settings.database_url, max_size=4) as db:
        service = CollectorService(settings, db, status_every=2.0, session_expiry=120)
        tune_gc_for_ingest()  # as `ioc collect` does
        plain_commit = service._on_commit
        state = {"acked": 0, "last_commit": 0.0}

        def on_commit(batch, result) -> None:
            plain_commit(batch, result)
            now = time.time()
            state["acked"] += len(batch)
            state["last_commit"] = now
            with acked.get_lock():  # several collectors may share the counter
                acked.value += len(batch)
            if opts.get("latency"):
                latencies.extend(now - s for d in batch for s in (d.stamps or [r[1].timestamp() for r in d.rows]))

        service.writer.on_commit = on_commit
        service.start()
        cpu = _cpu_seconds()
        ready.set()
        stop.wait()
        cpu = _cpu_seconds() - cpu
        service.stop(timeout=30)
        results.put(
            {
                "role": "collector",
                "acked": state["acked"],
                "last_commit": state["last_commit"],
                "status": service.status(),
                "latencies": latencies,
                "cpu_seconds": cpu,
            }
        )
