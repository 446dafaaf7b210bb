"""HTTP JSON sources run by the scheduler against a real local HTTP server."""

from __future__ import annotations

import time

from collectors.pull.config import SourceConfig
from collectors.scheduler import PullScheduler
from ioc.storage.dead_letters import list_dead_letters
from ioc.storage.sources import get_source

from tests.collectors.pull._support import count_observations

READINGS = [
    {"indicator": "TEST.AIR_PM25", "area": "724", "ts": "2026-11-24T08:00:00+07:00", "value": 31.5},
    {"indicator": "TEST.AIR_PM25", "area": "725", "ts": "2026-11-24T08:00:00+07:00", "value": "28,4"},
    {"indicator": "TEST.DOSSIER_ON_TIME_RATE", "area": "724", "ts": "24/11/2026", "value": 96.1},
]


def _source(url: str, **overrides: object) -> SourceConfig:
    fields = {"name": "so-tnmt", "kind": "http_json", "interval": 60, "timeout": 2, "retries": 0,
              "backoff": 0.05, "options": {"url": url}}
    return SourceConfig(**{**fields, **overrides})


def _run(db, config: SourceConfig):
    scheduler = PullScheduler(db, workers=4)
    scheduler.add_source(config)
    try:
        return scheduler.run_source(config.name)
    finally:
        scheduler.shutdown(wait=False)


def test_success_writes_rows_and_records_status(pull_db, http_server):
    url = http_server.answer("/air", (200, READINGS))
    report = _run(pull_db, _source(url))
    assert report.ok and report.rows == 3 and report.attempts == 1
    assert count_observations(pull_db) == 3
    with pull_db.connection() as conn:
        status = get_source(conn, "so-tnmt")
        value = conn.execute(
            "SELECT o.value FROM observation o JOIN series s ON s.id = o.series_id WHERE s.area_code = '725'"
        ).fetchone()[0]
    assert value == 28.4
    assert status.status == "ok" and status.rows_taken == 3 and status.last_success is not None
    assert status.last_error is None and status.next_run is not None and status.schedule == "every 60 s"


def test_readings_object_shape_and_refused_items(pull_db, http_server):
    body = {"readings": READINGS[:1] + [{"indicator": "NOPE", "area": "724", "ts": "2026-11-24", "value": 1},
                                        {"indicator": "TEST.AIR_PM25", "area": "724", "ts": "not a date", "value": 1}]}
    report = _run(pull_db, _source(http_server.answer("/obj", (200, body))))
    assert report.ok and report.rows == 1
    assert len(report.rejected) == 2 and "unknown indicator 'NOPE'" in report.rejected[0]
    with pull_db.connection() as conn:
        status = get_source(conn, "so-tnmt")
        letters = list_dead_letters(conn, source="http")
    assert status.details["rejected"] == 2
    assert sorted(d.reason for d in letters) == sorted(report.rejected) and letters[0].topic == "so-tnmt"


def test_http_500_then_retry_succeeds(pull_db, http_server):
    url = http_server.answer("/flaky", (500, {"error": "busy"}), (200, READINGS))
    report = _run(pull_db, _source(url, retries=2))
    assert report.ok and report.attempts == 2 and http_server.hits["/flaky"] == 2
    assert count_observations(pull_db) == 3


def test_retries_exhausted_with_exponential_backoff(pull_db, http_server):
    url = http_server.answer("/down", (500, {"error": "down"}))
    t0 = time.monotonic()
    report = _run(pull_db, _source(url, retries=2, backoff=0.2))
    elapsed = time.monotonic() - t0
    assert not report.ok and report.attempts == 3 and http_server.hits["/down"] == 3
    assert elapsed >= 0.2 + 0.4  # waited 0.2 s then 0.4 s
    with pull_db.connection() as conn:
        status = get_source(conn, "so-tnmt")
    assert status.status == "error" and "HTTP 500" in status.last_error and status.failures == 1
    assert status.last_success is None and count_observations(pull_db) == 0


def test_timeout_is_recorded(pull_db, http_server):
    url = http_server.answer("/slow", (200, READINGS, 3.0))
    t0 = time.monotonic()
    report = _run(pull_db, _source(url, timeout=0.5))
    assert time.monotonic() - t0 < 2.5
    assert not report.ok and "timeout" in report.error
    with pull_db.connection() as conn:
        status = get_source(conn, "so-tnmt")
    assert status.status == "error" and "timeout" in status.last_error and status.last_error_at is not None


def test_malformed_json_is_recorded(pull_db, http_server):
    url = http_server.answer("/bad", (200, b"{not json"))
    report = _run(pull_db, _source(url))
    assert not report.ok
    with pull_db.connection() as conn:
        status = get_source(conn, "so-tnmt")
    assert status.status == "error" and "not valid JSON" in status.last_error and "/bad" in status.last_error


def test_wrong_shape_fails_the_run(pull_db, http_server):
    url = http_server.answer("/shape", (200, {"data": []}))
    report = _run(pull_db, _source(url))
    assert not report.ok and "expected a JSON list" in report.error


def test_failure_keeps_last_success(pull_db, http_server):
    url = http_server.answer("/then-down", (200, READINGS), (500, {}))
    scheduler = PullScheduler(pull_db, workers=2)
    scheduler.add_source(_source(url))
    try:
        assert scheduler.run_source("so-tnmt").ok
        assert not scheduler.run_source("so-tnmt").ok
    finally:
        scheduler.shutdown(wait=False)
    with pull_db.connection() as conn:
        status = get_source(conn, "so-tnmt")
    assert status.status == "error" and status.last_success is not None and status.runs == 2
    assert status.rows_taken == 3 and status.details["total_rows"] == 3
