"""The one batching output: deliveries from the accumulator into PostgreSQL.

Telegraf's output contract: ``connect()`` / ``close()`` / ``write(batch)``. The
writer flushes when ``batch_size`` readings are waiting or ``flush_interval``
seconds have passed, writes one batch per transaction (idempotent COPY path,
events, dead letters, device last-seen and status), and only then calls
``on_commit(batch)`` so the input acknowledges those messages to the broker.
A batch that fails because the database is unreachable is kept and retried
with exponential backoff; a batch the database refuses is written delivery by
delivery, and what is still refused goes to the dead letters.

``workers`` threads, each with its own connection, write batches side by side —
as timescaledb-parallel-copy does: one COPY keeps one PostgreSQL backend (one
core) busy, and a lone writer thread also waits while it builds the next batch.
Batches are numbered as they are taken and ``on_commit`` runs in that order,
so acknowledgements still reach the broker in the order the messages came
(MQTT asks a receiver to acknowledge QoS 1 messages in order). A deadlock
between two workers (both updating the same device or rollup rows) is retried
like an outage: the transaction was rolled back whole.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import psycopg

from collectors.accumulator import Accumulator, Delivery
from ioc.errors import DatabaseUnavailable
from ioc.model import SeriesKey
from ioc.storage.db import Database
from ioc.storage.dead_letters import DeadLetter, add_dead_letters
from ioc.storage.devices import mark_seen, set_status
from ioc.storage.events import write_events
from ioc.storage.columns import ObservationColumns, epoch_seconds
from ioc.storage.observations import copy_new_rows, write_rows
from ioc.storage.series import resolve_series

__all__ = ["BatchWriter", "WriteResult", "WriterStats"]

logger = logging.getLogger(__name__)

_OUTAGE = (DatabaseUnavailable, psycopg.OperationalError, psycopg.errors.AdminShutdown)
# Rolled back whole by the server and worth trying again as it is (two workers met on the same rows).
_TRANSIENT = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)
_RETRY = _OUTAGE + _TRANSIENT


@dataclass(slots=True)
class WriteResult:
    """What one committed batch stored."""

    readings: int = 0  # readings in the batch
    persisted: int = 0  # readings newly stored (the rest were already there)
    events: int = 0
    dead_letters: int = 0


@dataclass
class WriterStats:
    """Running counters of the writer (read by the service's metrics and status)."""

    batches: int = 0
    readings: int = 0
    persisted: int = 0
    duplicates: int = 0
    events: int = 0
    dead_letters: int = 0
    failures: int = 0  # failed attempts (outages included)
    dropped: int = 0  # deliveries neither stored nor dead-lettered
    last_error: str | None = None
    last_commit: datetime | None = None
    last_lag: float = 0.0  # seconds from the oldest message's receipt to its commit
    recent_batches: deque = field(default_factory=lambda: deque(maxlen=200))
    recent_lags: deque = field(default_factory=lambda: deque(maxlen=200))


class BatchWriter:
    """Batches deliveries into PostgreSQL; retries outages; acknowledges through ``on_commit``."""

    def __init__(
        self,
        db: Database,
        accumulator: Accumulator,
        *,
        batch_size: int = 5000,
        flush_interval: float = 0.5,
        on_commit: Callable[[list[Delivery], WriteResult], None] | None = None,
        max_backoff: float = 10.0,
        workers: int = 1,
    ) -> None:
        self.db = db
        self.accumulator = accumulator
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.on_commit = on_commit
        self.max_backoff = max_backoff
        self.workers = max(1, workers)
        self.stats = WriterStats()
        self._series: dict[SeriesKey, int] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._drain_until = 0.0
        # One worker at a time waits for a batch to fill; batches are numbered as taken.
        self._take_lock = threading.Lock()
        self._taken = 0
        # Ends of batches (commit or give-up), run in the order the batches were taken.
        self._ends_lock = threading.Lock()
        self._ends: dict[int, Callable[[], None] | None] = {}
        self._next_end = 0
        self._stats_lock = threading.Lock()

    # -- output contract -------------------------------------------------------------

    def connect(self) -> None:
        """Start the writer threads."""
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._run, name=f"ioc-batch-writer-{i}", daemon=True) for i in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()

    def close(self, *, timeout: float = 10.0) -> None:
        """Write what is buffered (up to ``timeout`` seconds), then stop the threads."""
        self._drain_until = time.monotonic() + timeout
        self._stop.set()
        self.accumulator.close()
        end = time.monotonic() + timeout + 5.0
        for thread in self._threads:
            thread.join(max(0.0, end - time.monotonic()))
        self._threads = []

    def write(self, batch: list[Delivery]) -> WriteResult:
        """Store one batch in one transaction; raise on failure (nothing is then stored).

        The batch is first written as if every reading were new (one COPY, no
        savepoint). When a reading was stored before — a message redelivered after a
        crash — that transaction is rolled back whole and the batch written again
        through the conflict-aware path, which stores and counts only the new rows.
        """
        events = [e for d in batch for e in d.events]
        dead = [x for d in batch for x in d.dead]
        seen: dict[str, datetime] = {}
        for d in batch:
            if d.seen is not None and (d.seen[0] not in seen or seen[d.seen[0]] < d.seen[1]):
                seen[d.seen[0]] = d.seen[1]
        seen = dict(sorted(seen.items()))  # rows locked in one order by every worker
        statuses = [d.status for d in batch if d.status is not None]
        with self.db.connection() as conn:
            try:
                result, new_ids = self._transaction(conn, batch, events, dead, seen, statuses, fresh=True)
            except psycopg.errors.UniqueViolation:
                result, new_ids = self._transaction(conn, batch, events, dead, seen, statuses, fresh=False)
        self._series.update(new_ids)  # only ids of a committed transaction are cached
        return result

    # -- internals -------------------------------------------------------------------------

    def _transaction(
        self,
        conn: psycopg.Connection,
        batch: list[Delivery],
        events: list,
        dead: list,
        seen: dict[str, datetime],
        statuses: list[tuple[str, str, datetime]],
        *,
        fresh: bool,
    ) -> tuple[WriteResult, dict[SeriesKey, int]]:
        result = WriteResult()
        new_ids: dict[SeriesKey, int] = {}
        with conn.transaction():
            columns = self._columns(conn, batch, new_ids)
            if columns is not None:
                result.persisted = copy_new_rows(conn, columns) if fresh else write_rows(conn, columns)
                result.readings = len(columns)
            result.events = write_events(conn, events) if events else 0
            result.dead_letters = add_dead_letters(conn, dead) if dead else 0
            if seen:
                mark_seen(conn, seen.items())
            for status in statuses:
                set_status(conn, *status)
        return result, new_ids

    def _columns(
        self, conn: psycopg.Connection, batch: list[Delivery], new_ids: dict[SeriesKey, int]
    ) -> ObservationColumns | None:
        """The batch's readings as columns (None when it has none).

        Flat comprehensions and numpy, no Python call per reading: this runs for every
        reading the collector stores. A run (one series, many readings) costs a few
        list operations.
        """
        if not any([d.run is not None for d in batch]):
            # Single readings only (the usual batch of single-reading messages): flat comprehensions.
            rows = [r for d in batch for r in d._rows]
            keys = [r[0] for r in rows]
            values = [r[2] for r in rows]
            if all([d.stamps is not None for d in batch]):
                seconds = [s for d in batch for s in d.stamps]
            else:
                seconds = [epoch_seconds(r[1]) for r in rows]
            counts = None
        else:
            keys, counts, values, seconds = self._runs(batch)
        if not keys:
            return None
        ids = np.array(self._series_ids(conn, keys, new_ids), dtype=np.int64)
        if counts is not None and len(keys) != len(values):
            ids = np.repeat(ids, counts)
        return ObservationColumns.from_columns(ids, seconds, values)

    @staticmethod
    def _runs(batch: list[Delivery]) -> tuple[list[SeriesKey], list[int], list[float], list[float]]:
        """(key of each run, its length, values, epoch seconds) of a batch holding runs."""
        keys: list[SeriesKey] = []
        counts: list[int] = []
        values: list[float] = []
        seconds: list[float] = []
        for d in batch:
            if d.run is not None:
                keys.append(d.run[0])
                counts.append(d.size)
                values.extend(d.run[2])
                seconds.extend(d.stamps if d.stamps is not None else map(epoch_seconds, d.run[1]))
            elif d.size:
                rows = d.rows
                keys.extend([r[0] for r in rows])
                counts.extend([1] * len(rows))
                values.extend([r[2] for r in rows])
                seconds.extend(d.stamps if d.stamps is not None else [epoch_seconds(r[1]) for r in rows])
        return keys, counts, values, seconds

    def _series_ids(self, conn: psycopg.Connection, keys: list[SeriesKey], new_ids: dict[SeriesKey, int]) -> list[int]:
        """The series id of each key, creating missing series (their ids go to ``new_ids``).

        The parser hands out one key object per (device, metric), so keys are first
        made unique by identity (a C-level dict of ints) and hashed once per object.
        """
        by_object = {id(k): k for k in keys}
        cache = self._series
        sid_of: dict[int, int] = {}
        missing: set[SeriesKey] = set()
        for oid, key in by_object.items():
            sid = cache.get(key)
            if sid is None:
                missing.add(key)
            else:
                sid_of[oid] = sid
        if missing:
            new_ids.update(resolve_series(conn, missing))
            for oid, key in by_object.items():
                if oid not in sid_of:
                    sid_of[oid] = new_ids[key]
        return list(map(sid_of.__getitem__, map(id, keys)))

    def _run(self) -> None:
        while True:
            stopping = self._stop.is_set()
            if stopping and self.accumulator.size == 0:
                return
            with self._take_lock:
                batch = self.accumulator.take(self.batch_size, 0.0 if stopping else self.flush_interval)
                number = self._taken
                if batch:
                    self._taken += 1
            if not batch:
                if stopping:
                    return
                continue
            if not self._deliver(number, batch):
                return

    def _deliver(self, number: int, batch: list[Delivery]) -> bool:
        """Write batch ``number`` until it is stored; False when shutting down with it unwritten."""
        delay = 0.05
        while True:
            try:
                try:
                    result = self.write(batch)
                except Exception as exc:  # noqa: BLE001 - a refused batch must not stop the writer
                    if isinstance(exc, _RETRY):
                        raise
                    self._failed(exc, batch, 0.0)
                    result = self._write_each(batch)
                break
            except _RETRY as exc:
                self._failed(exc, batch, delay)
            if self._stop.is_set() and time.monotonic() >= self._drain_until:
                # Not acknowledged: the broker redelivers these messages to the next session.
                logger.warning("shutting down with %d unwritten message(s); the broker keeps them", len(batch))
                self.accumulator.release(batch)
                self._end(number, None)
                return False
            if self._stop.is_set():
                time.sleep(min(delay, 0.5))
            else:
                self._stop.wait(delay)
            delay = min(delay * 2, self.max_backoff)
        self._end(number, lambda: self._committed(batch, result))
        return True

    def _end(self, number: int, action: Callable[[], None] | None) -> None:
        """Run the end of batch ``number`` once every earlier batch has ended (in take order)."""
        with self._ends_lock:
            self._ends[number] = action
            while self._next_end in self._ends:
                ready = self._ends.pop(self._next_end)
                self._next_end += 1
                if ready is not None:
                    ready()

    def _failed(self, exc: Exception, batch: list[Delivery], delay: float) -> None:
        with self._stats_lock:
            self.stats.failures += 1
            self.stats.last_error = f"{type(exc).__name__}: {exc}".strip()[:500]
        rows = sum(d.size for d in batch)
        if delay:
            logger.warning("batch of %d message(s), %d reading(s) not written, retry in %.2f s: %s",
                           len(batch), rows, delay, exc)
        else:
            logger.error("database refused a batch of %d message(s); writing them one by one: %s", len(batch), exc)

    def _write_each(self, batch: list[Delivery]) -> WriteResult:
        """Write deliveries one per transaction; dead-letter those still refused."""
        total = WriteResult()
        for d in batch:
            try:
                one = self.write([d])
            except _RETRY:
                raise
            except Exception as exc:  # noqa: BLE001 - dead-lettered with its reason
                one = self._dead_letter(d, exc)
            total.readings += one.readings
            total.persisted += one.persisted
            total.events += one.events
            total.dead_letters += one.dead_letters
        return total

    def _dead_letter(self, d: Delivery, exc: Exception) -> WriteResult:
        topic = getattr(d.token, "topic", None)
        payload = getattr(d.token, "payload", b"") or b""
        letter = DeadLetter(topic, bytes(payload), f"storage refused: {exc}".strip()[:1000], datetime.now(timezone.utc))
        try:
            with self.db.connection() as conn:
                add_dead_letters(conn, [letter, *d.dead])
        except Exception as again:  # noqa: BLE001 - counted and logged as a drop
            if isinstance(again, _RETRY):
                raise
            with self._stats_lock:
                self.stats.dropped += 1
            logger.error("dropped a message on %s: storage refused it (%s) and its dead letter (%s)", topic, exc, again)
            return WriteResult()
        return WriteResult(dead_letters=1 + len(d.dead))

    def _committed(self, batch: list[Delivery], result: WriteResult) -> None:
        now = time.monotonic()
        stats = self.stats
        with self._stats_lock:
            stats.batches += 1
            stats.readings += result.readings
            stats.persisted += result.persisted
            stats.duplicates += result.readings - result.persisted
            stats.events += result.events
            stats.dead_letters += result.dead_letters
            stats.last_commit = datetime.now(timezone.utc)
            stats.last_lag = now - min(d.received for d in batch)
            stats.recent_batches.append(len(batch))
            stats.recent_lags.append(stats.last_lag)
        self.accumulator.release(batch)
        if self.on_commit is not None:
            try:
                self.on_commit(batch, result)
            except Exception:  # an ack failure must not stop the writer; the broker redelivers
                logger.exception("on_commit callback failed for a batch of %d message(s)", len(batch))
