"""``ioc bench ingest``: persisted readings/s through broker → collector → PostgreSQL, beside the raw limits.

Measured in one run, on the configured broker and database:

1. broker-only: a bare paho publisher process → broker → a bare paho subscriber
   process that only counts (QoS 1) — the MQTT limit;
2. bare COPY into the observation table of the same database — the storage limit;
3. single-reading messages through the real collector (ratio to 1);
4. 100-reading batch messages through the real collector (ratio to 2);
5. publish-to-commit latency at a fixed message rate.

Lost = readings published minus readings found stored afterwards. Benchmark
devices and their data are removed at the end.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import uuid
from typing import Any

import numpy as np

from collectors import bench_procs
from collectors.mqtt.const import telemetry_topic
from ioc.config import Settings
from ioc.storage.db import Database
from ioc.storage.devices import Device, upsert_devices
from ioc.storage.ingest import count_device_readings, purge_devices
from ioc.storage.columns import ObservationColumns
from ioc.storage.observations import copy_observations
from ioc.storage.series import resolve_series
from ioc.model import SeriesKey

__all__ = ["run_ingest_bench"]

logger = logging.getLogger(__name__)

TARGET_BROKER_RATIO = 0.75
TARGET_COPY_RATIO = 0.70
TARGET_P99 = 2.0
# Flow control of the publisher. Mosquitto sends a v5 subscriber up to its Receive Maximum
# (65,535) unacknowledged messages and queues at most max_queued_messages (default 1,000)
# more, dropping QoS 1 messages beyond. So the publisher keeps at most this many messages
# ahead of what the consumer has acknowledged: the counting subscriber acknowledges as it
# reads; the collector acknowledges at each commit, and holds at most
# IOC_WRITER_BUFFER_LIMIT readings (200,000) before it stops reading. Measured here with
# Mosquitto 2.0.11 defaults: 15,000 single-reading messages ahead of the collector's commits
# lost nothing, 30,000 made the broker drop messages; 10,000 leaves room for two batches.
WINDOW_BROKER = 5_000
WINDOW_READINGS = 100_000  # collector phases: readings published but not yet committed


def _window(per_message: int) -> int:
    return max(100, min(10_000, WINDOW_READINGS // per_message))


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class _Bench:
    def __init__(self, settings: Settings, db: Database, *, seconds: float, collectors: int, devices: int) -> None:
        self.settings = settings
        self.db = db
        self.seconds = seconds
        self.collectors = collectors
        self.devices = devices
        self.run = uuid.uuid4().hex[:6]
        self.prefix = f"{settings.mqtt_topic_prefix}/bench-{self.run}"
        self.ctx = multiprocessing.get_context("spawn")
        self.device_ids: list[str] = []

    # -- raw limits ---------------------------------------------------------------------

    def broker_limit(self) -> dict[str, Any]:
        """Bare publisher → broker → bare counting subscriber, QoS 1."""
        ctx = self.ctx
        ready, stop, done, results = ctx.Event(), ctx.Event(), ctx.Event(), ctx.Queue()
        consumed = ctx.Value("q", 0)
        topics = [f"{self.prefix}/raw/{i}" for i in range(self.devices)]
        sub = ctx.Process(daemon=True, target=bench_procs.counting_subscriber,
                          args=({"mqtt_url": self.settings.mqtt_url, "filter": f"{self.prefix}/raw/#"},
                                ready, consumed, stop, results))
        sub.start()
        ready.wait(30)
        pub_opts = {"mqtt_url": self.settings.mqtt_url, "topics": topics, "per_message": 1,
                    "seconds": self.seconds, "window": WINDOW_BROKER}
        pub = ctx.Process(daemon=True, target=bench_procs.publisher, args=(pub_opts, consumed, done, results))
        pub.start()
        published = results.get(timeout=self.seconds + 120)
        deadline = time.time() + 30
        while consumed.value < published["published"] - 31 and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        stop.set()
        received = results.get(timeout=30)
        pub.join(10)
        sub.join(10)
        elapsed = max(received["last"] - received["first"], 1e-9)
        return {
            "messages": published["published"],
            "received": received["received"],
            "lost": published["published"] - received["received"],
            "msgs_per_s": round(received["received"] / elapsed),
            "subscriber_cpu_us_per_msg": round(1e6 * received["cpu_seconds"] / max(received["received"], 1), 1),
            "publisher_cpu_us_per_msg": round(1e6 * published["cpu_seconds"] / max(published["published"], 1), 1),
        }

    def copy_limit(self) -> dict[str, Any]:
        """Bare binary COPY (the storage layer's copy_observations) into observation, in writer-size batches.

        The rows have the pipeline's shape — one series per benchmark device, each
        batch a run of consecutive times for every series — and are ready-made numpy
        columns, so the figure is the database's COPY rate for that data, not the
        cost of making rows in Python.
        """
        devices = [f"bench-{self.run}-copy{len(self.device_ids)}-{i}" for i in range(self.devices)]
        self._register(devices)  # fresh series each time: no key clash with an earlier measurement
        keys = [SeriesKey.for_device(d, "pm25") for d in devices]
        with self.db.connection() as conn:
            ids = resolve_series(conn, keys)
        per_series = max(1, self.settings.writer_batch_size // len(keys))
        sids = np.repeat(np.array([ids[k] for k in keys], dtype=np.int64), per_series)
        offsets = np.tile(np.arange(per_series, dtype=np.int64), len(keys))
        values = (offsets % 997).astype(np.float64)
        t0_us = int((time.time() - 86400) * 1_000_000)
        rows = batches = 0
        start = time.perf_counter()
        while time.perf_counter() - start < min(self.seconds, 10.0):
            columns = ObservationColumns(sids, t0_us + batches * per_series + offsets, values)
            with self.db.connection() as conn:
                rows += copy_observations(conn, columns)
            batches += 1
        elapsed = time.perf_counter() - start
        return {"rows": rows, "rows_per_s": round(rows / elapsed), "series": len(keys), "batch_rows": len(sids)}

    # -- the pipeline -----------------------------------------------------------------------

    def _register(self, ids: list[str]) -> None:
        self.device_ids.extend(ids)
        with self.db.connection() as conn:
            upsert_devices(conn, [Device(i, "air", f"Benchmark {i}") for i in ids])

    def pipeline(self, phase: str, *, per_message: int, seconds: float, rate: float | None = None) -> dict[str, Any]:
        """Publish through the real collector(s); count what is stored."""
        ids = [f"bench-{self.run}-{phase}-{i}" for i in range(self.devices)]
        self._register(ids)
        ctx = self.ctx
        ready_events, stop, done, results = [], ctx.Event(), ctx.Event(), ctx.Queue()
        acked = ctx.Value("q", 0)
        procs = []
        for k in range(self.collectors):
            ready = ctx.Event()
            opts = {
                "settings": {
                    **self.settings.model_dump(mode="json", exclude_none=True),
                    "mqtt_topic_prefix": f"{self.prefix}/{phase}",  # a lingering session never sees the next phase
                    "mqtt_client_id": f"ioc-bench-{self.run}-{phase}-{k}",
                    "mqtt_shared_group": f"bench-{self.run}" if self.collectors > 1 else None,
                },
                "latency": rate is not None,
            }
            proc = ctx.Process(
                daemon=True, target=bench_procs.collector, args=(opts, ready, acked, stop, results)
            )
            proc.start()
            procs.append(proc)
            ready_events.append(ready)
        for ready in ready_events:
            ready.wait(60)
        pub_opts = {
            "mqtt_url": self.settings.mqtt_url,
            "topics": [telemetry_topic(f"{self.prefix}/{phase}", i) for i in ids],
            "per_message": per_message,
            "seconds": seconds,
            "window": _window(per_message),
            "rate": rate,
        }
        # the window counts messages the collectors committed (and so acknowledged)
        pub = ctx.Process(daemon=True, target=bench_procs.publisher, args=(pub_opts, acked, done, results))
        pub.start()
        published = results.get(timeout=seconds + 300)
        deadline = time.time() + 120
        while acked.value < published["published"] and time.time() < deadline:
            time.sleep(0.05)
        stop.set()
        reports = [results.get(timeout=90) for _ in procs]
        for proc in [pub, *procs]:
            proc.join(30)
        with self.db.connection() as conn:
            stored, _ = count_device_readings(conn, ids)
        readings = published["published"] * per_message
        last_commit = max(r["last_commit"] for r in reports)
        elapsed = max(last_commit - published["start"], 1e-9)
        result = {
            "messages": published["published"],
            "readings_published": readings,
            "readings_persisted": stored,
            "lost": readings - stored,
            "readings_per_s": round(stored / elapsed),
            "publish_seconds": round(published["end"] - published["start"], 2),
            "drain_seconds": round(max(0.0, last_commit - published["end"]), 2),
            # CPU the collector process(es) and the publisher spent per reading: figures that
            # the machine's load barely moves, unlike the rates.
            "collector_cpu_us_per_reading": round(1e6 * sum(r["cpu_seconds"] for r in reports) / max(stored, 1), 2),
            "publisher_cpu_us_per_reading": round(1e6 * published["cpu_seconds"] / max(readings, 1), 2),
            "collectors": [
                {k: r["status"][k] for k in ("received", "persisted", "duplicates", "rejected", "batches",
                                            "batch_messages_avg", "write_failures")}
                for r in reports
            ],
        }
        if rate is not None:
            lat = [x for r in reports for x in r["latencies"]]
            result.update(
                rate_msgs_per_s=rate,
                achieved_msgs_per_s=round(published["published"] / max(published["end"] - published["start"], 1e-9)),
                latency_p50_s=round(_percentile(lat, 0.50), 4),
                latency_p99_s=round(_percentile(lat, 0.99), 4),
                latency_max_s=round(max(lat, default=0.0), 4),
            )
        return result

    def cleanup(self) -> None:
        with self.db.connection() as conn:
            purge_devices(conn, self.device_ids)


def run_ingest_bench(
    settings: Settings,
    db: Database,
    *,
    seconds: float = 30.0,
    collectors: int = 1,
    devices: int = 100,
    latency_rate: float = 5000.0,
    keep: bool = False,
) -> dict[str, Any]:
    """Run every phase and return the figures (see the module docstring)."""
    bench = _Bench(settings, db, seconds=seconds, collectors=collectors, devices=devices)
    load_before = os.getloadavg()
    try:
        # The raw limits are measured before and after the pipeline phases and the higher
        # figure is used: on a shared machine the load changes during the run, and the
        # higher limit gives the conservative ratio.
        logger.info("bench: broker-only limit (%s s)", seconds)
        brokers = [bench.broker_limit()]
        logger.info("bench: bare COPY limit")
        copies = [bench.copy_limit()]
        logger.info("bench: single-reading messages (%s s)", seconds)
        single = bench.pipeline("single", per_message=1, seconds=seconds)
        logger.info("bench: 100-reading messages (%s s)", seconds)
        batch = bench.pipeline("batch", per_message=100, seconds=seconds)
        logger.info("bench: latency at %s msg/s", latency_rate)
        latency = bench.pipeline("latency", per_message=1, seconds=min(seconds, 15.0), rate=latency_rate)
        logger.info("bench: raw limits again")
        copies.append(bench.copy_limit())
        brokers.append(bench.broker_limit())
    finally:
        if not keep:
            bench.cleanup()
    broker = max(brokers, key=lambda b: b["msgs_per_s"]) | {"runs_msgs_per_s": [b["msgs_per_s"] for b in brokers]}
    copy = max(copies, key=lambda c: c["rows_per_s"]) | {"runs_rows_per_s": [c["rows_per_s"] for c in copies]}
    ratio_broker = single["readings_per_s"] / max(broker["msgs_per_s"], 1)
    ratio_copy = batch["readings_per_s"] / max(copy["rows_per_s"], 1)
    return {
        "seconds": seconds,
        "cpus": os.cpu_count(),
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "collectors": collectors,
        "qos": 1,
        "broker_only": broker,
        "bare_copy": copy,
        "single": single,
        "batch100": batch,
        "latency": latency,
        "ratio_to_broker": round(ratio_broker, 3),
        "ratio_to_copy": round(ratio_copy, 3),
        "targets": {
            "ratio_to_broker": TARGET_BROKER_RATIO,
            "ratio_to_copy": TARGET_COPY_RATIO,
            "latency_p99_s": TARGET_P99,
            "lost": 0,
        },
        "met": {
            "ratio_to_broker": ratio_broker >= TARGET_BROKER_RATIO,
            "ratio_to_copy": ratio_copy >= TARGET_COPY_RATIO,
            "latency_p99_s": latency["latency_p99_s"] < TARGET_P99,
            "lost": single["lost"] == 0 and batch["lost"] == 0 and latency["lost"] == 0,
        },
    }
