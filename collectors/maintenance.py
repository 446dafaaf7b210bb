"""Maintenance jobs: rollup upkeep, retention, staleness flags and alert evaluation.

:func:`add_maintenance_jobs` puts them on a :class:`~collectors.scheduler.PullScheduler`;
each job is also a plain function, callable from tests or the CLI.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from collectors.pull.config import MaintenanceConfig
from ioc.alerts.engine import AlertEngine
from ioc.storage import maintenance as upkeep
from ioc.storage.db import Database
from ioc.storage.rollups import refresh_rollups

__all__ = ["refresh_recent_rollups", "enforce_retention", "mark_stale_series", "add_maintenance_jobs"]

logger = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def refresh_recent_rollups(db: Database, *, hours: float, now: datetime | None = None) -> int:
    """Rebuild hourly and daily rollups of the last ``hours`` (late or corrected data)."""
    now = now or _utcnow()
    with db.connection() as conn:
        rows = refresh_rollups(conn, since=now - timedelta(hours=hours), until=now)
    logger.info("rollup upkeep: %d rollup row(s) rebuilt for the last %g h", rows, hours)
    return rows


def enforce_retention(db: Database, *, retention_days: int, now: datetime | None = None) -> int | None:
    """Delete raw observations older than the retention on plain PostgreSQL; None under TimescaleDB."""
    if db.has_timescale:
        logger.debug("retention: TimescaleDB's policy drops old chunks; nothing to do")
        return None
    with db.connection() as conn:
        deleted = upkeep.apply_retention(conn, retention_days, now=now or _utcnow())
    logger.info("retention: %d observation(s) older than %d day(s) deleted", deleted, retention_days)
    return deleted


def mark_stale_series(db: Database, *, periods: float, now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Flag series with no value for ``periods`` expected periods; return (newly stale, cleared)."""
    with db.connection() as conn:
        newly, cleared = upkeep.mark_stale(conn, now=now or _utcnow(), periods=periods)
    if newly or cleared:
        logger.info("staleness: %d series became stale, %d fresh again", len(newly), len(cleared))
    return newly, cleared


def add_maintenance_jobs(scheduler, db: Database, *, config: MaintenanceConfig, engine: AlertEngine,
                         retention_days: int) -> None:
    """Schedule rollup upkeep, retention, staleness and alert evaluation on ``scheduler``."""
    scheduler.add_job("rollups", lambda: refresh_recent_rollups(db, hours=config.rollup_hours),
                      interval=config.rollup_interval)
    scheduler.add_job("retention", lambda: enforce_retention(db, retention_days=retention_days),
                      cron=config.retention_cron)

    def staleness_then_alerts() -> None:
        mark_stale_series(db, periods=engine.policy.stale_periods)
        engine.evaluate_series()

    scheduler.add_job("staleness", staleness_then_alerts, interval=config.staleness_interval, run_now=True)
    scheduler.add_job("alerts", engine.run_once, interval=config.alerts_interval)
