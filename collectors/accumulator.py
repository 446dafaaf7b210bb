"""The accumulator: inputs hand it deliveries, the batching writer takes them in batches.

A :class:`Delivery` is everything one input message produced (readings, events,
dead letters, a device status) plus the input's acknowledgement token. The
accumulator holds deliveries in memory up to a bound counted in readings; when
full, :meth:`Accumulator.add` blocks the input, which stops consuming from the
broker (back-pressure) instead of growing memory.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime
from itertools import repeat

from ioc.model import Event, SeriesKey
from ioc.storage.dead_letters import DeadLetter

__all__ = ["Delivery", "Accumulator", "Row"]

_new = object.__new__
_monotonic = time.monotonic

# (series key, timezone-aware time, value): a reading as a plain tuple, cheap on the hot path.
Row = tuple[SeriesKey, datetime, float]


class Delivery:
    """What one input message produced, and how to acknowledge it once stored.

    Readings come as ``rows`` — (series key, time, value) tuples — or, for a batch
    message of one series (a device sending 100 readings of one metric), as a
    ``run``: the key once, then the times and values as lists. The writer turns a
    run into columns with list and numpy operations, no Python call per reading.
    """

    __slots__ = ("_rows", "run", "size", "stamps", "events", "dead", "seen", "status", "token", "received")

    def __init__(
        self,
        rows: list[Row] | tuple = (),
        *,
        run: tuple[SeriesKey, list[datetime], list[float]] | None = None,
        stamps: list[float] | None = None,
        events: list[Event] | tuple = (),
        dead: list[DeadLetter] | tuple = (),
        seen: tuple[str, datetime] | None = None,
        status: tuple[str, str, datetime] | None = None,
        token: object = None,
        received: float | None = None,
    ) -> None:
        self._rows = rows
        self.run = run
        self.size = len(run[2]) if run is not None else len(rows)  # readings
        # Epoch seconds of the rows, in order, when the input already computed them (the
        # MQTT parser does for its time check): the writer then skips a conversion per reading.
        self.stamps = stamps
        self.events = events
        self.dead = dead
        self.seen = seen  # (device id, newest reading time)
        self.status = status  # (device id, online/offline, time)
        self.token = token
        self.received = time.monotonic() if received is None else received

    @classmethod
    def reading(cls, key: SeriesKey, ts: datetime, value: float, stamp: float, device_id: str, token: object) -> Delivery:
        """One reading of a device (the most frequent delivery), built without keyword binding."""
        d = _new(cls)
        d._rows, d.run, d.size, d.stamps = [(key, ts, value)], None, 1, [stamp]
        d.events, d.dead, d.seen, d.status = (), (), (device_id, ts), None
        d.token, d.received = token, _monotonic()
        return d

    @property
    def rows(self) -> list[Row] | tuple:
        """The readings as (series key, time, value) tuples (made on demand for a run)."""
        if self.run is not None:
            key, times, values = self.run
            return list(zip(repeat(key), times, values))
        return self._rows

    @property
    def weight(self) -> int:
        """Buffer units this delivery takes: its readings, at least one."""
        return self.size or 1

    def __repr__(self) -> str:
        return f"Delivery(rows={self.size}, events={len(self.events)}, dead={len(self.dead)}, token={self.token!r})"


class Accumulator:
    """A bounded, thread-safe buffer of deliveries between inputs and the writer."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: deque[Delivery] = deque()
        self._queued = 0  # weight waiting in the deque
        self._held = 0  # weight taken by the writer and not yet released
        # add() runs once per message: it takes the plain lock (a C-level context manager);
        # the condition shares that lock and is used only to wait and to wake.
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._closed = False
        self.blocked_seconds = 0.0
        self._batch_hint = 1  # the writer's batch size: wake it only when a batch is ready

    @property
    def size(self) -> int:
        """Readings held: queued plus taken by the writer and not yet committed."""
        return self._queued + self._held

    def add(self, delivery: Delivery) -> None:
        """Queue a delivery; block while the buffer is full (back-pressure on the input)."""
        weight = delivery.weight
        with self._lock:
            if self._queued + self._held + weight > self.limit and not self._closed:
                start = time.monotonic()
                while self._queued + self._held > 0 and self._queued + self._held + weight > self.limit:
                    if self._closed:
                        break
                    self._cond.wait(0.5)
                self.blocked_seconds += time.monotonic() - start
            self._items.append(delivery)
            self._queued += weight
            if self._queued >= self._batch_hint:
                self._cond.notify_all()

    def take(self, max_rows: int, timeout: float) -> list[Delivery]:
        """Wait up to ``timeout`` for ``max_rows`` readings, then return what is queued (≤ max_rows)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._batch_hint = max_rows
            while self._queued < max_rows and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch: list[Delivery] = []
            taken = 0
            items = self._items
            while items and (taken == 0 or taken + items[0].weight <= max_rows):
                d = items.popleft()
                batch.append(d)
                taken += d.weight
            self._queued -= taken
            self._held += taken
            return batch

    def release(self, batch: list[Delivery]) -> None:
        """The writer is done with ``batch`` (committed or dropped): free its room."""
        weight = sum(d.weight for d in batch)
        with self._cond:
            self._held -= weight
            self._cond.notify_all()

    def close(self) -> None:
        """Stop blocking producers and waiting consumers (shutdown)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        """Accept blocking again after :meth:`close` (service restart in one process)."""
        with self._cond:
            self._closed = False

    def __len__(self) -> int:
        return len(self._items)
