"""The pull scheduler: runs each configured source on its schedule, with timeout and retries.

One APScheduler ``BackgroundScheduler`` with a thread pool. Every source is its
own job (``max_instances=1``, ``coalesce``): a slow or failing source delays
only itself. A run gathers in a separate worker and is given up after the
source's ``timeout``; a failed run is retried ``retries`` times, waiting
``backoff`` seconds doubled each time (at most ``backoff_max``). Each batch is
written in one transaction, then acknowledged (a dropped file moves to done/).
The run's outcome goes to ``source_status``. Maintenance jobs and the hourly
device aggregation share the scheduler (:func:`collectors.maintenance.add_maintenance_jobs`,
:func:`collectors.aggregation.add_aggregation_job`).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from collectors.pull import build_source
from collectors.pull.base import LOCAL_TZ, PullContext, PullResult, PullSource
from collectors.pull.config import SourceConfig
from ioc.errors import IocError
from ioc.storage import sources as status
from ioc.storage.db import Database
from ioc.storage.dead_letters import DeadLetter, add_dead_letters
from ioc.storage.events import write_events
from ioc.storage.observations import write_readings

if TYPE_CHECKING:
    from ioc.config import Settings

__all__ = ["PullScheduler", "RunReport", "make_trigger", "scheduler_from_settings"]

logger = logging.getLogger(__name__)

_MAX_DEAD_LETTERS = 100  # per run: a wholly wrong feed must not flood the table


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def make_trigger(*, interval: float | None = None, cron: str | None = None) -> IntervalTrigger | CronTrigger:
    """An APScheduler trigger for ``interval`` seconds or a crontab line (Vietnam time)."""
    if cron is not None:
        return CronTrigger.from_crontab(cron, timezone=LOCAL_TZ)
    if interval is None:
        raise ValueError("a job needs an interval or a cron line")
    return IntervalTrigger(seconds=interval, timezone=LOCAL_TZ)


@dataclass(frozen=True)
class RunReport:
    """What one scheduled run of a source did."""

    name: str
    ok: bool
    rows: int = 0
    attempts: int = 0
    error: str | None = None
    rejected: tuple[str, ...] = ()
    duration: float = 0.0
    batches: int = 0
    details: dict[str, object] = field(default_factory=dict)


class PullScheduler:
    """Schedules pull sources and maintenance jobs; ``start()`` / ``shutdown()``."""

    def __init__(self, db: Database, *, workers: int = 16, clock: Callable[[], datetime] = _utcnow) -> None:
        self.db = db
        self.clock = clock
        self._stopping = threading.Event()
        self._sources: dict[str, tuple[SourceConfig, PullSource]] = {}
        self._inflight: dict[str, concurrent.futures.Future] = {}
        self._jobs: dict[str, object] = {}
        self._closers: list[Callable[[], object]] = []
        self._gatherers = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="pull-gather")
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
            timezone=LOCAL_TZ,
        )

    # Configuration ----------------------------------------------------------------------

    def add_source(self, config: SourceConfig, source: PullSource | None = None) -> None:
        """Schedule a configured source (built from its config unless given)."""
        if config.name in self._sources:
            raise ValueError(f"source {config.name!r} is already scheduled")
        source = source if source is not None else build_source(config)
        self._sources[config.name] = (config, source)
        job = self.scheduler.add_job(
            self.run_source, make_trigger(interval=config.interval, cron=config.cron), args=(config.name,),
            id=f"source:{config.name}", name=config.name, replace_existing=True,
            next_run_time=datetime.now(LOCAL_TZ),  # run once at start, then on schedule
        )
        self._jobs[config.name] = job
        with self.db.connection() as conn:
            status.register_source(conn, config.name, kind=config.kind, schedule=config.schedule_text,
                                   next_run=getattr(job, "next_run_time", None))

    def add_job(self, name: str, func: Callable[[], object], *, interval: float | None = None,
                cron: str | None = None, run_now: bool = False) -> None:
        """Schedule a maintenance job; its exceptions are logged, never raised into the scheduler."""

        def guarded() -> None:
            try:
                func()
            except Exception:
                logger.exception("maintenance job %s failed; it runs again on schedule", name)

        extra = {"next_run_time": datetime.now(LOCAL_TZ)} if run_now else {}
        self.scheduler.add_job(guarded, make_trigger(interval=interval, cron=cron), id=f"job:{name}", name=name,
                               replace_existing=True, **extra)

    @property
    def source_names(self) -> list[str]:
        """Names of the scheduled sources."""
        return list(self._sources)

    def start(self) -> None:
        """Start running jobs in the background."""
        self._stopping.clear()
        self.scheduler.start()
        logger.info("pull scheduler started: %d source(s), %d job(s)", len(self._sources), len(self.scheduler.get_jobs()))

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop scheduling; interrupt retry waits; with ``wait`` let running jobs finish."""
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        self._gatherers.shutdown(wait=False, cancel_futures=True)
        for close in self._closers:
            close()

    def on_shutdown(self, close: Callable[[], object]) -> None:
        """Call ``close`` when the scheduler shuts down (e.g. the alert notifier's)."""
        self._closers.append(close)

    # One run ------------------------------------------------------------------------------

    def _context(self) -> PullContext:
        with self.db.connection() as conn:
            indicators, areas, departments = status.reference_codes(conn)
        return PullContext(indicators=indicators, areas=areas, departments=departments, now=self.clock())

    def _gather_once(self, name: str, source: PullSource, ctx: PullContext, timeout: float) -> PullResult:
        previous = self._inflight.get(name)
        if previous is not None and not previous.done():
            return PullResult.failure(f"the previous attempt is still running after its {timeout:g} s timeout")
        future = self._gatherers.submit(source.gather, ctx)
        self._inflight[name] = future
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            return PullResult.failure(f"no result within {timeout:g} s (timeout)")
        except Exception as exc:  # a bug in an adapter must not stop the scheduler
            logger.exception("source %s: gather raised", name)
            return PullResult.failure(f"{type(exc).__name__}: {exc}")

    def _gather_with_retries(self, name: str, config: SourceConfig, source: PullSource) -> tuple[PullResult, int]:
        ctx = self._context()
        attempt = 0
        while True:
            attempt += 1
            result = self._gather_once(name, source, ctx, config.timeout)
            if result.ok or attempt > config.retries or self._stopping.is_set():
                return result, attempt
            delay = min(config.backoff * 2 ** (attempt - 1), config.backoff_max)
            logger.warning("source %s: attempt %d failed (%s); retrying in %.1f s", name, attempt, result.error, delay)
            if self._stopping.wait(delay):
                return result, attempt

    def _write(self, name: str, result: PullResult) -> tuple[int, str | None]:
        rows, error = 0, None
        for batch in result.batches:
            try:
                with self.db.connection() as conn:
                    new = write_readings(conn, batch.readings)
                    if batch.events:
                        write_events(conn, batch.events)
            except Exception as exc:  # the batch is rolled back whole; keep going with the others
                logger.exception("source %s: writing %s failed", name, batch.label or "batch")
                error = error or f"writing {batch.label or 'batch'} failed: {exc}"
                continue
            rows += new
            if batch.on_written is not None:
                try:
                    batch.on_written(new)
                except OSError as exc:
                    error = error or f"{batch.label}: written, but acknowledging failed: {exc}"
        return rows, error

    def _next_run(self, name: str) -> datetime | None:
        # Read from the job object the memory job store keeps and updates in place: asking the
        # scheduler (get_job) from inside a job deadlocks with a concurrent shutdown(wait=True).
        job = self._jobs.get(name)
        return getattr(job, "next_run_time", None)

    def run_source(self, name: str) -> RunReport:
        """Run one source now (what its scheduled job does); never raises for a source failure."""
        config, source = self._sources[name]
        started, t0 = self.clock(), time.monotonic()
        try:
            with self.db.connection() as conn:
                status.record_run_start(conn, name, at=started)
            result, attempts = self._gather_with_retries(name, config, source)
            rows, write_error = self._write(name, result) if result.ok else (0, None)
            error = result.error or write_error
            report = RunReport(name, error is None, rows, attempts, error, result.rejected,
                               time.monotonic() - t0, len(result.batches), dict(result.notes))
            self._record(report)
        except IocError as exc:  # the database itself is away: log, the next run tries again
            logger.error("source %s: run could not be recorded: %s", name, exc)
            return RunReport(name, False, error=str(exc), duration=time.monotonic() - t0)
        if report.ok:
            logger.info("source %s: %d new row(s) in %.2f s (%d attempt(s), %d refused)",
                        name, report.rows, report.duration, report.attempts, len(report.rejected))
        else:
            logger.warning("source %s failed after %d attempt(s): %s", name, report.attempts, report.error)
        return report

    def _record(self, report: RunReport) -> None:
        at = self.clock()
        kind = self._sources[report.name][0].kind
        with self.db.connection() as conn:
            if report.rejected:
                # Refused items and files are listed with the MQTT dead letters, so nothing is lost silently.
                add_dead_letters(conn, [
                    DeadLetter(report.name, b"", reason, at, "file" if kind == "file_drop" else "http")
                    for reason in report.rejected[:_MAX_DEAD_LETTERS]
                ])
            if report.ok:
                details = {"attempts": report.attempts, "rejected": len(report.rejected),
                           "rejected_sample": list(report.rejected[:5]), "batches": report.batches, **report.details}
                status.record_success(conn, report.name, at=at, rows=report.rows, duration=report.duration,
                                      next_run=self._next_run(report.name), details=details)
            else:
                status.record_failure(conn, report.name, at=at, error=report.error or "unknown error",
                                      duration=report.duration, next_run=self._next_run(report.name))


def scheduler_from_settings(settings: "Settings", db: Database) -> PullScheduler:
    """The scheduler ``ioc collect`` / ``ioc up`` run: configured sources, maintenance, alerts, aggregation.

    Without ``IOC_SOURCES_FILE`` only the maintenance and alert jobs run (with
    default schedules and policy).
    """
    from collectors.aggregation import add_aggregation_job
    from collectors.maintenance import add_maintenance_jobs
    from collectors.pull.config import SourcesFile, load_sources_file
    from ioc.alerts import AlertEngine, AlertNotifier

    config = load_sources_file(settings.sources_file) if settings.sources_file else SourcesFile()
    enabled = [s for s in config.source if s.enabled]
    scheduler = PullScheduler(db, workers=max(8, len(enabled) + 6))
    for source in enabled:
        scheduler.add_source(source)
    notifier = AlertNotifier(settings)
    scheduler.on_shutdown(notifier.close)
    engine = AlertEngine(db, policy=config.alerts, notifier=notifier)
    add_maintenance_jobs(scheduler, db, config=config.maintenance, engine=engine,
                         retention_days=settings.retention_days)
    add_aggregation_job(scheduler, db, interval=settings.aggregate_interval, hours=settings.aggregate_hours,
                        realtime_interval=settings.aggregate_realtime_interval)
    return scheduler
