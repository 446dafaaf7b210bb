"""The aggregation jobs: device readings → area indicators (hourly, daily, realtime).

Telegraf's aggregators, done where the readings are. The hourly job recomputes
the device-fed indicators (catalog ``source = mqtt``, hourly and daily) of the
last ``hours`` complete hours, and of the Vietnam days that ended within them,
from the stored readings (:mod:`ioc.storage.aggregation`). Recomputing a few
hours takes readings that arrived late; a run over unchanged readings writes
nothing. The realtime job computes the ``realtime`` indicators (vehicles now,
water level now ...) every minute, each value over the readings of the last ten
minutes, and recomputes the two minutes before (readings still arriving).
:func:`add_aggregation_job` puts both on the scheduler (``IOC_AGGREGATE_INTERVAL``,
``IOC_AGGREGATE_HOURS``, ``IOC_AGGREGATE_REALTIME_INTERVAL``); the functions are
also plain functions for tests and tools.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from ioc.storage.aggregation import (
    AggregationResult,
    device_indicator_values,
    realtime_indicator_values,
    store_device_indicator_values,
)
from ioc.storage.db import Database

__all__ = ["aggregate_recent", "aggregate_realtime", "add_aggregation_job"]

#: Realtime values are stamped on whole minutes; each run also recomputes this many minutes before.
REALTIME_RECOMPUTE = 2

logger = logging.getLogger(__name__)


def aggregate_recent(db: Database, *, hours: int, now: datetime | None = None) -> AggregationResult:
    """Aggregate the last ``hours`` complete hours, and the Vietnam days that ended within them."""
    end = (now or datetime.now(timezone.utc)).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours)
    # A day ending after start begins after start - 1 day: the whole days of (start - 1 day, end).
    day_start = start - timedelta(days=1) + timedelta(microseconds=1)
    with db.connection() as conn:  # computed and stored in one transaction, under the aggregation lock
        values = device_indicator_values(conn, since=start, until=end, frequencies=("hourly",))
        values += device_indicator_values(conn, since=day_start, until=end, frequencies=("daily",))
        result = store_device_indicator_values(conn, values)
    logger.info("device aggregation %s → %s: %d area value(s), %d new or changed in %d series",
                start.isoformat(), end.isoformat(), result.values, result.changed, result.series)
    return result


def aggregate_realtime(db: Database, *, now: datetime | None = None) -> AggregationResult:
    """The realtime indicators at the current whole minute and the ``REALTIME_RECOMPUTE`` minutes before."""
    at = (now or datetime.now(timezone.utc)).replace(second=0, microsecond=0)
    instants = [at - timedelta(minutes=k) for k in range(REALTIME_RECOMPUTE, -1, -1)]
    with db.connection() as conn:
        result = store_device_indicator_values(conn, realtime_indicator_values(conn, instants=instants))
    logger.debug("realtime aggregation at %s: %d area value(s), %d new or changed", at.isoformat(),
                 result.values, result.changed)
    return result


def add_aggregation_job(scheduler, db: Database, *, interval: float, hours: int, realtime_interval: float = 60.0) -> None:
    """Schedule :func:`aggregate_recent` every ``interval`` seconds and once at start (catching up),
    and :func:`aggregate_realtime` every ``realtime_interval`` seconds."""
    scheduler.add_job("aggregation", lambda: aggregate_recent(db, hours=hours), interval=interval, run_now=True)
    scheduler.add_job("aggregation-realtime", lambda: aggregate_realtime(db), interval=realtime_interval, run_now=True)
