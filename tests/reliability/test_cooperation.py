"""Several processes at once cooperate: two collectors, two gunicorn workers, two alert engines.

- Two ``ioc collect`` processes on one ``$share`` subscription split the stream:
  each message reaches one of them, every acknowledged reading is stored once.
- ``gunicorn -w 2 app:server`` with Redis: a query result cached by one worker
  is served by the other (shown by changing the database underneath).
- Two alert engines evaluating at the same instant open each alert once.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
import multiprocessing
import random
import signal
import uuid

import pytest
import redis
import requests

from ioc.auth.accounts import create_user
from ioc.storage.devices import Device, upsert_devices

from tests.reliability._servers import (
    AckedStream,
    CollectorProcess,
    Gunicorn,
    PrivateMosquitto,
    evaluate_alerts_process,
    login,
    stored_per_series,
    tail,
    wait_for,
)

pytestmark = pytest.mark.slow

PASSWORD = "Mat-khau-thu-nghiem-2026"


def test_two_collectors_split_one_stream(empty_db, tmp_path):
    devices = [f"coop-air-{i}" for i in range(8)]
    with empty_db.connection() as conn:
        upsert_devices(conn, [Device(d, "air", f"Trạm {d}") for d in devices])
    broker = PrivateMosquitto(tmp_path / "mosquitto").start()
    prefix = f"ioc-coop-{uuid.uuid4().hex[:6]}/ioc/v1"
    group = f"collectors-{uuid.uuid4().hex[:4]}"
    pair = [CollectorProcess(empty_db.url, broker.url, prefix, tmp_path / f"collector-{k}.log", shared_group=group)
            for k in range(2)]
    try:
        for c in pair:
            c.start()
        for c in pair:
            c.wait_connected()
        stream = AckedStream(broker.url, prefix, devices, rate=600.0, seconds=6.0).start()
        assert stream.finish(timeout=30) == 0
        expected = stream.acked_per_series()
        total = sum(n for n, _ in expected.values())
        wait_for(lambda: sum(n for n, _ in stored_per_series(empty_db, devices).values()) >= total, 30,
                 f"{total} readings stored\n{tail(pair[0].log)}\n{tail(pair[1].log)}", interval=0.3)
        for c in pair:
            c.stop(signal.SIGTERM)  # a clean stop writes the final counters into source_status
        with empty_db.connection() as conn:
            rows = conn.execute("SELECT name, details FROM source_status WHERE name = ANY(%s)",
                                ([f"mqtt:{c.client_id}" for c in pair],)).fetchall()
        stored = stored_per_series(empty_db, devices)
    finally:
        for c in pair:
            c.stop()
        broker.stop()
    received = {name: details["received"] for name, details in rows}
    duplicates = sum(details["duplicates"] for _, details in rows)
    print(f"{total} messages split between the collectors: {received}")
    assert len(received) == 2 and all(n > 0 for n in received.values()), received
    assert sum(received.values()) == total, "each message must reach exactly one collector"
    assert duplicates == 0
    assert stored == expected


def _sector_cards(session: requests.Session, base: str) -> str:
    """The overview's sector callback, as the browser calls it; the reply decoded to text."""
    outputs = [{"id": "sector-grid", "property": "children"}, {"id": "sector-legend", "property": "children"}]
    body = {"output": "..sector-grid.children...sector-legend.children..", "outputs": outputs,
            "inputs": [{"id": "tick", "property": "n_intervals", "value": 1}],
            "changedPropIds": ["tick.n_intervals"], "state": []}
    reply = session.post(f"{base}/_dash-update-component", data=json.dumps(body), timeout=60,
                         headers={"Content-Type": "application/json", "Origin": base, "Connection": "close"})
    assert reply.status_code == 200, reply.text[:300]
    return json.dumps(reply.json(), ensure_ascii=False)


def test_two_gunicorn_workers_share_the_redis_cache(empty_db, redis_url, tmp_path):
    if redis_url is None:
        pytest.fail("no Redis on 127.0.0.1:6379 (set IOC_TEST_REDIS_URL): the shared cache needs one")
    # ioc.cache has a fixed key prefix, so this test uses a Redis database of its own (not the suite's 15):
    # runs of other checkouts must never read this test's cached sectors.
    db_number = random.Random().randrange(1, 14)
    url = redis_url.rsplit("/", 1)[0] + f"/{db_number}"
    store = redis.Redis.from_url(url)
    code = f"coop{uuid.uuid4().hex[:6]}"
    with empty_db.connection() as conn:
        conn.execute("INSERT INTO sector (code, name_vi, name_en) VALUES (%s, %s, %s)", (code, "Ngành trước", "Before"))
    user = f"ops-{uuid.uuid4().hex[:6]}"
    create_user(empty_db, user, PASSWORD, role="admin")
    env = {"IOC_DATABASE_URL": empty_db.url, "IOC_REDIS_URL": url, "IOC_DATA_DIR": str(tmp_path / "data"),
           "IOC_SECRET_KEY": uuid.uuid4().hex, "IOC_LANGUAGE": "vi",
           "IOC_CACHE_WARM_SECONDS": "0"}  # no warm-up renewing the entries under the test
    web = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    try:
        web.start()
        session = requests.Session()
        login(session, web.url, user, PASSWORD)
        first = _sector_cards(session, web.url)
        writer_pid = [pid for pid, _, path in web.worker_of_requests() if path == "/_dash-update-component"][-1]
        keys = [k.decode() for k in store.scan_iter("ioc-dash:*")]
        with empty_db.connection() as conn:  # change the data under the cache
            conn.execute("UPDATE sector SET name_vi = 'Ngành sau' WHERE code = %s", (code,))
        # Concurrent requests, so that both sync workers must answer (one at a time, the kernel
        # tends to hand every connection to the same idle worker).
        def ask(_: int) -> str:
            own = requests.Session()
            own.cookies.update(session.cookies)
            return _sector_cards(own, web.url)

        replies: list[str] = []
        others: set[int] = set()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in range(10):
                replies += list(pool.map(ask, range(4)))
                others = {pid for pid, _, path in web.worker_of_requests()
                          if path == "/_dash-update-component"} - {writer_pid}
                if others:
                    break
        ttl = min((store.ttl(k) for k in keys), default=-2)
    finally:
        web.stop()
        for key in store.scan_iter("ioc-dash:*"):
            store.delete(key)
    assert "Ngành trước" in first, first[:300]
    assert keys, "the first request must leave its cached result in Redis"
    assert 0 < ttl <= 15, f"cached entries expire (SHORT timeout), ttl {ttl}"
    assert others, "the second worker never answered"
    assert all("Ngành trước" in r and "Ngành sau" not in r for r in replies), \
        "every worker must serve the result the first one cached (not query the database again)"


def test_two_alert_engines_open_each_alert_once(empty_db):
    from tests.ioc.alerts._support import T0, put, seed_alert_data

    seed_alert_data(empty_db)
    for area in ("724", "74"):
        put(empty_db, "TEST.ON_TIME_RATE", T0, 70.0, area)  # below critical 80: threshold alerts
        put(empty_db, "TEST.PM25", T0, 120.0, area)  # above critical 75
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=evaluate_alerts_process, args=(empty_db.url, barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    reports = [results.get(timeout=90) for _ in procs]
    for p in procs:
        p.join(30)
    assert all("error" not in r for r in reports), reports
    with empty_db.connection() as conn:
        rows = conn.execute("SELECT rule, coalesce(series_id, 0), coalesce(device_id, ''), count(*) FROM alert"
                            " GROUP BY 1, 2, 3").fetchall()
    opened = sum(r.get("opened", 0) for r in reports)
    print(f"engine reports {reports}; alerts {rows}")
    assert sum(1 for r in rows if r[0] == "threshold") == 4
    assert all(r[3] == 1 for r in rows), f"an alert opened twice: {rows}"
    assert opened == len(rows), "each alert is announced (opened) by exactly one engine"
