"""Faults during a steady stream: every reading the broker acknowledged is stored exactly once.

A private Mosquitto (persistence on), a private embedded PostgreSQL and the
collector as a subprocess (``ioc collect``); a QoS 1 publisher records each
PUBACK. At seeded random points the test restarts the broker (SIGTERM), the
database (fast shutdown) and the collector (SIGTERM, and SIGKILL: a crash).
At the end the count and the sum of the stored readings per series equal
those of the acknowledged messages. Set ``IOC_FAULT_SEED`` to replay a run.
"""

from __future__ import annotations

import os
import random
import signal
import time
import uuid

import pytest

from ioc.embedded import EmbeddedPostgres
from ioc.storage.db import Database
from ioc.storage.devices import Device, upsert_devices
from ioc.storage.migrate import upgrade

from tests.reliability._servers import AckedStream, CollectorProcess, PrivateMosquitto, stored_per_series, tail, wait_for

pytestmark = pytest.mark.slow

DEVICES = [f"rel-air-{i}" for i in range(6)]
RATE = 250.0  # messages per second, one reading each
SECONDS = 22.0


@pytest.fixture
def private_stack(tmp_path):
    """(embedded PostgreSQL, its migrated Database, a private Mosquitto), all of this test only."""
    pg = EmbeddedPostgres(tmp_path / "pg", database="ioc")
    url = pg.start()
    db = Database(url, max_size=2, timeout=5.0).open()
    upgrade(db)
    with db.connection() as conn:
        upsert_devices(conn, [Device(d, "air", f"Trạm thử {d}") for d in DEVICES])
    broker = PrivateMosquitto(tmp_path / "mosquitto").start()
    yield pg, db, broker
    broker.stop()
    db.close()
    pg.stop()


def _restart_database(pg: EmbeddedPostgres, down: float) -> None:
    pg.stop()
    time.sleep(down)
    pg.start()


def _plan(rng: random.Random, faults: list[str]) -> list[tuple[float, str, float]]:
    """(second of the stream, fault, seconds down), spread over the stream with room to recover."""
    order = rng.sample(faults, len(faults))
    slot = (SECONDS - 4.0) / len(order)
    return [(2.0 + i * slot + rng.uniform(0, slot * 0.3), name, rng.uniform(0.3, 1.5)) for i, name in enumerate(order)]


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param(["broker", "database", "collector_term", "collector_kill"], id="all-four"),
        pytest.param(["collector_kill", "collector_kill", "broker"], id="crashes-and-broker"),
    ],
)
def test_acknowledged_readings_stored_exactly_once(private_stack, tmp_path, faults):
    pg, db, broker = private_stack
    seed = int(os.environ.get("IOC_FAULT_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    plan = _plan(rng, faults)
    print(f"fault seed {seed} (replay with IOC_FAULT_SEED={seed}); plan {[(round(t, 2), f, round(d, 2)) for t, f, d in plan]}")

    prefix = f"ioc-rel-{uuid.uuid4().hex[:6]}/ioc/v1"
    log = tmp_path / "collector.log"
    collector = CollectorProcess(db.url, broker.url, prefix, log).start()
    collector.wait_connected()
    stream = AckedStream(broker.url, prefix, DEVICES, rate=RATE, seconds=SECONDS).start()
    began = time.monotonic()
    done: list[str] = []
    try:
        for at, fault, down in plan:
            time.sleep(max(0.0, began + at - time.monotonic()))
            if fault == "broker":
                broker.stop()
                time.sleep(down)
                broker.start()
            elif fault == "database":
                _restart_database(pg, down)
            else:
                collector.stop(signal.SIGKILL if fault == "collector_kill" else signal.SIGTERM)
                time.sleep(down)
                collector.start()
            done.append(f"{fault}@{time.monotonic() - began:.1f}s")
        unacked = stream.finish(timeout=40)
        expected = stream.acked_per_series()
        total = sum(n for n, _ in expected.values())
        wait_for(lambda: sum(n for n, _ in stored_per_series(db, DEVICES).values()) >= total, 40,
                 f"all {total} acknowledged readings stored (faults {done}, seed {seed})\n{tail(log)}", interval=0.5)
        time.sleep(1.0)  # anything late would show up as an extra row
        stored = stored_per_series(db, DEVICES)
        with db.connection() as conn:
            dead = conn.execute("SELECT count(*) FROM dead_letter").fetchone()[0]
    finally:
        collector.stop()

    print(f"faults {done}; {len(stream.sent)} published, {total} acknowledged, {unacked} unacknowledged")
    assert len(done) == len(plan)
    assert unacked == 0, f"{unacked} message(s) never acknowledged by the broker (seed {seed})"
    assert total == len(stream.sent) > RATE * SECONDS * 0.9
    assert stored == expected, f"stored ≠ acknowledged per series (seed {seed})\n{tail(log)}"
    assert dead == 0, f"{dead} dead letter(s): a fault must not refuse good messages"
