"""The collector service: MQTT input → accumulator → batching writer, with metrics and status.

``CollectorService(settings, db).start()`` runs until ``stop()``. Its counters
are served to Prometheus (``metrics_port``, or mount :attr:`metrics_registry`
in a WSGI app) and written every few seconds into ``source_status`` (name
``mqtt:<client id>``) for the dashboard; :meth:`status` returns the same dict.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from datetime import datetime, timezone
from typing import Any

from prometheus_client import start_http_server

from collectors.accumulator import Accumulator, Delivery
from collectors.metric import MetricRules, load_metric_rules
from collectors.metrics import IngestMetrics
from collectors.mqtt.input import MqttInput
from collectors.mqtt.parse import MessageParser
from collectors.mqtt.registry import Registry
from collectors.writer import BatchWriter, WriteResult
from ioc.config import Settings
from ioc.errors import IocError
from ioc.storage.db import Database
from ioc.storage.ingest import record_collector_status

__all__ = ["CollectorService", "run_forever", "tune_gc_for_ingest"]

logger = logging.getLogger(__name__)


class CollectorService:
    """Wires the MQTT input, the accumulator and the one writer; exposes metrics and status."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        rules: MetricRules | None = None,
        metrics_port: int | None = None,
        status_every: float = 5.0,
        max_future: float = 10 * 60.0,
        max_age: float = 30 * 86400.0,
        session_expiry: int = 7 * 86400,
    ) -> None:
        self.settings = settings
        self.db = db
        self.name = f"mqtt:{settings.mqtt_client_id}"
        self.registry = Registry(db)
        self.parser = MessageParser(
            settings.mqtt_topic_prefix, rules or load_metric_rules(), self.registry,
            max_future=max_future, max_age=max_age,
        )
        self.accumulator = Accumulator(settings.writer_buffer_limit)
        self.writer = BatchWriter(
            db, self.accumulator, batch_size=settings.writer_batch_size,
            flush_interval=settings.writer_flush_interval, on_commit=self._on_commit,
            workers=settings.writer_workers,
        )
        self.input = MqttInput(
            settings, self.parser,
            receive_maximum=min(65535, settings.writer_buffer_limit), session_expiry=session_expiry,
        )
        self.metrics = IngestMetrics(self.status, collector=settings.mqtt_client_id)
        self.metrics_port = metrics_port
        self.status_every = status_every
        self.started_at: datetime | None = None
        self._running = False
        self._stop = threading.Event()
        self._status_thread: threading.Thread | None = None
        self._http = None

    @property
    def metrics_registry(self):
        """The Prometheus registry (``prometheus_client.make_wsgi_app(service.metrics_registry)``)."""
        return self.metrics.registry

    def start(self, *, wait: float = 10.0) -> "CollectorService":
        """Load the registries, start the writer, connect to the broker.

        Without the device registry every message would look like one from an unknown
        device, so this waits (retrying every 2 s) until the database answers.
        """
        while not self.registry.refresh():
            logger.warning("collector %s waits for the database before subscribing", self.name)
            time.sleep(2.0)
        self._stop.clear()
        self.accumulator.reopen()
        self.writer.connect()
        self.input.start(self.accumulator, wait=wait)
        self.started_at = datetime.now(timezone.utc)
        self._running = True
        if self.metrics_port:
            self._http, _ = start_http_server(self.metrics_port, addr=self.settings.host, registry=self.metrics.registry)
            logger.info("Prometheus metrics on http://%s:%d/metrics", self.settings.host, self.metrics_port)
        self._status_thread = threading.Thread(target=self._status_loop, name="ioc-collector-status", daemon=True)
        self._status_thread.start()
        logger.info("collector %s started (batch %d readings / %.2f s, buffer %d)", self.name,
                    self.writer.batch_size, self.writer.flush_interval, self.accumulator.limit)
        return self

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop taking messages, commit and acknowledge what is buffered, disconnect."""
        if not self._running:
            return
        self._running = False
        self.input.drain()
        self.writer.close(timeout=timeout)
        self.input.stop()
        self._stop.set()
        if self._status_thread is not None:
            self._status_thread.join(5.0)
        self._publish_status("stopped")
        if self._http is not None:
            self._http.shutdown()
            self._http = None
        logger.info("collector %s stopped: %s", self.name, self.status())

    def __enter__(self) -> "CollectorService":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def status(self) -> dict[str, Any]:
        """Counters and state for the dashboard and Prometheus."""
        w = self.writer.stats
        batches = list(w.recent_batches)
        lags = sorted(w.recent_lags)
        return {
            "name": self.name,
            "state": "running" if self._running else "stopped",
            "connected": self.input.connected.is_set(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "received": self.input.received,
            "rejected": self.parser.rejected,
            "readings": w.readings,
            "persisted": w.persisted,
            "duplicates": w.duplicates,
            "events": w.events,
            "dead_letters": w.dead_letters,
            "batches": w.batches,
            "batch_messages_avg": round(sum(batches) / len(batches), 1) if batches else 0.0,
            "buffered": self.accumulator.size,
            "lag_seconds": round(w.last_lag, 4),
            "lag_p95_seconds": round(lags[int(0.95 * (len(lags) - 1))], 4) if lags else 0.0,
            "write_failures": w.failures,
            "dropped": w.dropped,
            "last_error": w.last_error,
            "last_commit": w.last_commit.isoformat() if w.last_commit else None,
        }

    # -- internals -------------------------------------------------------------------------

    def _on_commit(self, batch: list[Delivery], result: WriteResult) -> None:
        self.input.ack(batch)
        self.metrics.observe_batch(result.readings, self.writer.stats.last_lag)

    def _status_loop(self) -> None:
        while not self._stop.wait(self.status_every):
            self._publish_status("ok" if self.input.connected.is_set() else "error")

    def _publish_status(self, state: str) -> None:
        status = self.status()
        try:
            with self.db.connection(timeout=2.0) as conn:
                record_collector_status(
                    conn, self.name, status=state, at=datetime.now(timezone.utc),
                    rows=status["persisted"], details=status,
                )
        except IocError as exc:
            logger.debug("couldn't record the collector status: %s", exc)


# Allocations between two young-generation collections (CPython's default is 700).
INGEST_GC_THRESHOLDS = (200_000, 100, 1000)


def tune_gc_for_ingest() -> None:
    """Make the cyclic garbage collector rarer in a process that is a collector only.

    Ingest allocates a few small objects per reading (tuples, datetimes), most freed
    within a batch, while up to ``IOC_WRITER_BUFFER_LIMIT`` readings wait in memory: with
    the default thresholds the collector ran a collection every few hundred readings and
    kept walking those waiting objects — about 15 % of its CPU in ``ioc bench ingest``.
    Freezing what start-up created and collecting young objects every 200,000
    allocations keeps memory bounded (reference counting frees almost everything) and
    gives that time back. Called by ``ioc collect``, not by ``ioc up``, whose process
    also serves the dashboard.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*INGEST_GC_THRESHOLDS)


def run_forever(service: CollectorService, *, poll: float = 1.0, tune_gc: bool = True) -> None:
    """Run ``service`` until Ctrl-C / SIGTERM (in a collector-only process: see :func:`tune_gc_for_ingest`)."""
    import signal

    if tune_gc:
        tune_gc_for_ingest()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    service.start()
    try:
        while not stop.wait(poll):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
