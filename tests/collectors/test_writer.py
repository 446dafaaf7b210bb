"""The batching writer: one transaction per batch, acknowledgement after commit, refused rows dead-lettered."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from collectors.accumulator import Accumulator, Delivery
from collectors.writer import BatchWriter
from ioc.model import SeriesKey
from ioc.storage.dead_letters import DeadLetter, list_dead_letters

from tests.collectors.conftest import scalar, wait_for

NOW = datetime.now(timezone.utc).replace(microsecond=0)


class Token:
    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.payload = b"{}"


def test_batches_commit_then_call_on_commit(ingest_db):
    acc = Accumulator(limit=10_000)
    committed: list[Delivery] = []
    writer = BatchWriter(ingest_db, acc, batch_size=50, flush_interval=0.05,
                         on_commit=lambda batch, result: committed.extend(batch))
    writer.connect()
    try:
        key = SeriesKey.for_device("air-1", "pm25")
        for i in range(120):
            acc.add(Delivery([(key, NOW - timedelta(seconds=i), float(i))], seen=("air-1", NOW), token=i))
        acc.add(Delivery(dead=[DeadLetter("t/x", b"bad", "test reason", NOW)], token="dead"))
        wait_for(lambda: len(committed) == 121)
    finally:
        writer.close()
    assert sorted(d.token for d in committed if d.token != "dead") == list(range(120))
    assert writer.stats.batches >= 3 and max(writer.stats.recent_batches) <= 50
    assert scalar(ingest_db, "SELECT count(*) FROM observation") == 120
    assert scalar(ingest_db, "SELECT count(*) FROM dead_letter") == 1
    assert scalar(ingest_db, "SELECT last_seen FROM device WHERE id = 'air-1'") == NOW


def test_a_refused_delivery_is_dead_lettered_and_the_rest_stored(ingest_db):
    acc = Accumulator(limit=1000)
    writer = BatchWriter(ingest_db, acc, batch_size=100, flush_interval=0.05)
    good = Delivery([(SeriesKey.for_device("air-1", "pm25"), NOW, 1.0)], token=Token("t/good"))
    # A device deleted after validation: the series insert violates the foreign key.
    bad = Delivery([(SeriesKey.for_device("vanished", "pm25"), NOW, 2.0)], token=Token("t/bad"))
    writer.connect()
    try:
        acc.add(good)
        acc.add(bad)
        wait_for(lambda: writer.stats.batches == 1)
    finally:
        writer.close()
    with ingest_db.connection() as conn:
        [letter] = list_dead_letters(conn)
    assert letter.topic == "t/bad" and letter.reason.startswith("storage refused:")
    assert scalar(ingest_db, "SELECT count(*) FROM observation") == 1
    assert writer.stats.dropped == 0 and writer.stats.failures == 1


class _SlowFirstBatch(BatchWriter):
    """A writer whose first batch takes long to write: the later ones commit before it."""

    def write(self, batch):
        if batch[0].token == 0:
            time.sleep(0.5)
        return super().write(batch)


def test_workers_write_side_by_side_and_acknowledge_in_take_order(ingest_db):
    acc = Accumulator(limit=10_000)
    acked: list[int] = []
    writer = _SlowFirstBatch(ingest_db, acc, batch_size=10, flush_interval=0.01, workers=3,
                             on_commit=lambda batch, result: acked.extend(d.token for d in batch))
    key = SeriesKey.for_device("air-1", "pm25")
    for i in range(60):  # six batches of ten, queued before the workers start
        acc.add(Delivery([(key, NOW - timedelta(seconds=i), float(i))], seen=("air-1", NOW), token=i))
    writer.connect()
    try:
        wait_for(lambda: len(acked) == 60)
    finally:
        writer.close()
    assert acked == list(range(60)), "acknowledgements follow the order the messages came in"
    assert scalar(ingest_db, "SELECT count(*) FROM observation") == 60
    assert scalar(ingest_db, "SELECT sum(n) FROM rollup_hourly") == 60
    assert writer.stats.batches == 6 and writer.stats.readings == 60


def test_a_redelivered_reading_redoes_the_batch_and_counts_only_new_rows(ingest_db):
    acc = Accumulator(limit=1000)
    writer = BatchWriter(ingest_db, acc, batch_size=100, flush_interval=0.05, workers=2)
    key = SeriesKey.for_device("air-1", "pm25")
    writer.connect()
    try:
        acc.add(Delivery([(key, NOW, 1.0)], seen=("air-1", NOW)))
        wait_for(lambda: writer.stats.batches == 1)
        # the same reading again (a message redelivered after a crash) with a new one
        acc.add(Delivery([(key, NOW, 1.0), (key, NOW + timedelta(seconds=1), 2.0)], seen=("air-1", NOW)))
        wait_for(lambda: writer.stats.batches == 2)
    finally:
        writer.close()
    assert (writer.stats.readings, writer.stats.persisted, writer.stats.duplicates) == (3, 2, 1)
    assert scalar(ingest_db, "SELECT count(*) FROM observation") == 2
    assert scalar(ingest_db, "SELECT sum(n) FROM rollup_hourly") == 2
