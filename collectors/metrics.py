"""Prometheus metrics of the ingest pipeline, read from the running counters at scrape time.

Counters are plain integers on the hot path (no lock per message); this
collector turns them into Prometheus families when ``/metrics`` is scraped.
Batch sizes and commit lag are real histograms, observed once per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["IngestMetrics"]

_COUNTERS = {
    "received": ("ioc_ingest_messages_received", "MQTT messages received"),
    "rejected": ("ioc_ingest_messages_rejected", "messages refused into the dead letters"),
    "readings": ("ioc_ingest_readings_written", "readings in committed batches"),
    "persisted": ("ioc_ingest_readings_persisted", "readings newly stored"),
    "duplicates": ("ioc_ingest_readings_duplicate", "redelivered readings already stored"),
    "events": ("ioc_ingest_events_persisted", "device events newly stored"),
    "dead_letters": ("ioc_ingest_dead_letters", "dead letters stored"),
    "batches": ("ioc_ingest_batches", "batches committed"),
    "write_failures": ("ioc_ingest_write_failures", "failed batch write attempts (outages included)"),
    "dropped": ("ioc_ingest_dropped", "messages neither stored nor dead-lettered"),
}
_GAUGES = {
    "buffered": ("ioc_ingest_buffered_readings", "readings held in memory, not yet committed"),
    "lag_seconds": ("ioc_ingest_lag_seconds", "receipt-to-commit time of the oldest message of the last batch"),
    "connected": ("ioc_ingest_connected", "1 when connected to the broker"),
}


class _StatusCollector(Collector):
    def __init__(self, status: Callable[[], dict[str, Any]], labels: dict[str, str]) -> None:
        self._status = status
        self._labels = labels

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        status = self._status()
        names, values = list(self._labels), list(self._labels.values())
        for key, (name, doc) in _COUNTERS.items():
            family = CounterMetricFamily(name, doc, labels=names)
            family.add_metric(values, float(status.get(key, 0)))
            yield family
        for key, (name, doc) in _GAUGES.items():
            family = GaugeMetricFamily(name, doc, labels=names)
            family.add_metric(values, float(status.get(key) or 0))
            yield family


class IngestMetrics:
    """A Prometheus registry for one collector service."""

    def __init__(self, status: Callable[[], dict[str, Any]], *, collector: str) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_StatusCollector(status, {"collector": collector}))
        self.batch_size = Histogram(
            "ioc_ingest_batch_readings",
            "readings per committed batch",
            buckets=(1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000, 50000),
            registry=self.registry,
        )
        self.lag = Histogram(
            "ioc_ingest_commit_lag_seconds",
            "time from a message's receipt to the commit of its batch (oldest message per batch)",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0),
            registry=self.registry,
        )

    def observe_batch(self, readings: int, lag: float) -> None:
        """Record one committed batch."""
        self.batch_size.observe(readings)
        self.lag.observe(lag)
