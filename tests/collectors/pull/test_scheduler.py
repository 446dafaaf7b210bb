"""The scheduler runs sources in parallel: a slow source never holds back a fast one."""

from __future__ import annotations

import time

from collectors.pull.base import PullContext, PullResult
from collectors.pull.config import SourceConfig
from collectors.scheduler import PullScheduler, scheduler_from_settings
from ioc.storage.sources import get_source, list_sources
from tests.collectors.pull._support import count_observations

ROW = [{"indicator": "TEST.AIR_PM25", "area": "724", "ts": "2026-11-24T08:00:00+07:00", "value": 1}]


def _status(db, name):
    with db.connection() as conn:
        return get_source(conn, name)


def test_fast_source_keeps_running_while_a_slow_one_works(pull_db, http_server):
    fast = http_server.answer("/fast", (200, ROW))
    slow = http_server.answer("/slow", (200, ROW, 2.5))
    scheduler = PullScheduler(pull_db, workers=4)
    scheduler.add_source(SourceConfig(name="fast", kind="http_json", interval=0.2, timeout=2, options={"url": fast}))
    scheduler.add_source(SourceConfig(name="slow", kind="http_json", interval=0.2, timeout=5, options={"url": slow}))
    scheduler.start()
    try:
        time.sleep(1.6)
        fast_status, slow_status = _status(pull_db, "fast"), _status(pull_db, "slow")
        assert fast_status.runs >= 3 and fast_status.status in ("ok", "running")
        assert slow_status.runs == 0 and slow_status.status == "running"
        assert http_server.hits["/slow"] == 1  # one instance at a time, missed runs coalesced
    finally:
        scheduler.shutdown(wait=True)
    slow_status = _status(pull_db, "slow")
    assert slow_status.status == "ok" and slow_status.runs == 1 and slow_status.last_duration >= 2.5


class _StuckSource:
    """A source whose gather ignores timeouts (as a hung driver would)."""

    kind = "http_json"

    def __init__(self) -> None:
        self.name = "stuck"
        self.calls = 0

    def gather(self, ctx: PullContext) -> PullResult:
        self.calls += 1
        time.sleep(1.0)
        return PullResult.of([])


def test_abandoned_slow_attempt_is_not_started_twice(pull_db):
    source = _StuckSource()
    scheduler = PullScheduler(pull_db, workers=2)
    scheduler.add_source(SourceConfig(name="stuck", kind="http_json", interval=60, timeout=0.3, retries=1,
                                      backoff=0.05, options={"url": "http://127.0.0.1:9/"}), source)
    try:
        t0 = time.monotonic()
        report = scheduler.run_source("stuck")
        assert time.monotonic() - t0 < 0.9  # gave up without waiting for the stuck gather
    finally:
        scheduler.shutdown(wait=False)
    assert not report.ok and report.attempts == 2 and "still running" in report.error
    assert source.calls == 1
    assert "still running" in _status(pull_db, "stuck").last_error


def test_scheduler_from_settings_runs_configured_sources_and_maintenance(pull_db, http_server, settings, tmp_path):
    url = http_server.answer("/api", (200, ROW))
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "api"\nkind = "http_json"\ninterval = 0.3\n[source.options]\nurl = "{url}"\n'
        '[[source]]\nname = "off"\nkind = "http_json"\ninterval = 0.3\nenabled = false\n[source.options]\nurl = "x"\n',
        encoding="utf-8",
    )
    scheduler = scheduler_from_settings(settings.model_copy(update={"sources_file": sources}), pull_db)
    assert scheduler.source_names == ["api"]
    jobs = {job.name for job in scheduler.scheduler.get_jobs()}
    assert {"api", "rollups", "retention", "staleness", "alerts"} <= jobs
    scheduler.start()
    try:
        time.sleep(1.0)
    finally:
        scheduler.shutdown(wait=True)
    with pull_db.connection() as conn:
        names = [s.name for s in list_sources(conn)]
    assert names == ["api"] and _status(pull_db, "api").runs >= 2
    assert count_observations(pull_db) == 1  # the same reading each time, stored once


def test_scheduled_source_recovers_after_failures_and_timeout(pull_db, http_server):
    url = http_server.answer("/recover", (500, {}), (200, ROW, 1.0), (200, ROW))
    scheduler = PullScheduler(pull_db, workers=2)
    scheduler.add_source(SourceConfig(name="recover", kind="http_json", interval=0.3, timeout=0.4, retries=0,
                                      options={"url": url}))
    errors: list[str] = []
    scheduler.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            status = _status(pull_db, "recover")
            if status.last_error and status.last_error not in errors:
                errors.append(status.last_error)
            if status.status == "ok":
                break
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    status = _status(pull_db, "recover")
    assert any("HTTP 500" in e for e in errors) and any("timeout" in e for e in errors)
    assert status.last_success is not None and status.runs >= 3 and count_observations(pull_db) == 1
