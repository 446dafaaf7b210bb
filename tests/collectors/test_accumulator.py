"""The accumulator bounds memory: a full buffer blocks the input until the writer commits."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from collectors.accumulator import Accumulator, Delivery
from ioc.model import SeriesKey

KEY = SeriesKey.for_device("air-1", "pm25")


def _delivery(n: int) -> Delivery:
    now = datetime.now(timezone.utc)
    return Delivery([(KEY, now, 1.0)] * n)


def test_take_returns_at_most_a_batch_and_release_frees_room():
    acc = Accumulator(limit=100)
    for _ in range(5):
        acc.add(_delivery(10))
    batch = acc.take(25, timeout=0.0)
    assert [len(d.rows) for d in batch] == [10, 10]
    assert acc.size == 50  # taken but not yet committed still counts
    acc.release(batch)
    assert acc.size == 30


def test_full_buffer_blocks_the_producer_until_release():
    acc = Accumulator(limit=20)
    acc.add(_delivery(20))
    added = threading.Event()
    thread = threading.Thread(target=lambda: (acc.add(_delivery(5)), added.set()), daemon=True)
    thread.start()
    time.sleep(0.3)
    assert not added.is_set(), "a full buffer must stop the input"
    batch = acc.take(100, timeout=0.0)
    assert not added.is_set(), "taken is not committed: still no room"
    acc.release(batch)
    assert added.wait(2.0)
    assert acc.size == 5 and acc.blocked_seconds > 0.2


def test_take_waits_for_a_full_batch_or_the_flush_interval():
    acc = Accumulator(limit=1000)
    acc.add(_delivery(3))
    start = time.monotonic()
    batch = acc.take(100, timeout=0.2)
    assert 0.15 < time.monotonic() - start < 1.0 and len(batch) == 1
    threading.Timer(0.05, lambda: acc.add(_delivery(100))).start()
    start = time.monotonic()
    assert len(acc.take(100, timeout=5.0)) == 1 and time.monotonic() - start < 1.0
