"""Cached read functions of the traffic page and the wall's traffic view."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ioc.cache import SHORT, cache
from ioc.storage import traffic
from ioc.storage.db import get_database

__all__ = ["cameras", "incidents", "profile", "INCIDENT_KINDS"]

INCIDENT_KINDS = ("accident", "wrong_way", "stalled_vehicle", "crowd")


@cache.memoize(timeout=SHORT)
def cameras() -> list[traffic.CameraReading]:
    """Every camera with its latest counts, speed and congestion."""
    with get_database().connection() as conn:
        return traffic.camera_latest(conn)


@cache.memoize(timeout=SHORT)
def incidents(hours: int = 24, limit: int = 50) -> list[traffic.Incident]:
    """Camera incidents of the last ``hours`` hours, newest first."""
    since = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(hours=hours)
    with get_database().connection() as conn:
        return traffic.recent_incidents(conn, since=since, kinds=INCIDENT_KINDS, limit=limit)


@cache.memoize(timeout=SHORT)
def profile(day: str, weeks: int = 4, device: str | None = None) -> traffic.HourlyProfile:
    """Vehicles per hour of ``day`` (ISO date) against the previous ``weeks`` same weekdays."""
    with get_database().connection() as conn:
        return traffic.hourly_profile(conn, day=date.fromisoformat(day), weeks=weeks,
                                      devices=[device] if device else None)
