"""Read queries of the traffic view: AI cameras' latest counts, incidents and hourly profiles.

Cameras are devices of kind ``camera`` whose series are (device, metric) with
the metrics of the catalog's ``device_metrics.csv`` (``count_car``,
``count_motorbike`` ..., ``vehicles_total``, ``avg_speed``,
``congestion_level`` 0–1). Incidents are rows of the ``event`` table.
Hours are local (UTC+7, a whole-hour offset, so UTC hourly rollups map one to
one onto local hours).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import psycopg

from ioc.formatting import LOCAL_TZ

__all__ = [
    "CameraReading",
    "Incident",
    "HourlyProfile",
    "camera_latest",
    "recent_incidents",
    "hourly_profile",
    "top_congested",
]

_LATEST = """
SELECT d.id, d.name, d.area_code, a.name_vi, d.lon, d.lat, d.status, d.last_seen, s.metric, l.value, l.ts
FROM device d
LEFT JOIN area a ON a.code = d.area_code
LEFT JOIN series s ON s.device_id = d.id
LEFT JOIN latest_value l ON l.series_id = s.id
WHERE d.kind = %(kind)s
ORDER BY d.id
"""

_INCIDENTS = """
SELECT e.id, e.ts, e.kind, e.severity, e.device_id, d.name, coalesce(e.area_code, d.area_code), a.name_vi,
       d.lon, d.lat, e.details
FROM event e
LEFT JOIN device d ON d.id = e.device_id
LEFT JOIN area a ON a.code = coalesce(e.area_code, d.area_code)
WHERE e.ts >= %(since)s AND (%(kinds)s::text[] IS NULL OR e.kind = ANY(%(kinds)s))
ORDER BY e.ts DESC, e.id DESC
LIMIT %(limit)s
"""

# Sum over the chosen cameras per local hour, for today and each of the previous
# same weekdays; the typical profile is the mean over the days that have data.
_HOURLY = """
SELECT (r.bucket AT TIME ZONE 'UTC' + interval '7 hours')::date AS day,
       extract(hour FROM r.bucket AT TIME ZONE 'UTC' + interval '7 hours')::int AS hour,
       sum(r.sum) AS vehicles
FROM rollup_hourly r
JOIN series s ON s.id = r.series_id
JOIN device d ON d.id = s.device_id
WHERE d.kind = %(kind)s AND s.metric = %(metric)s
  AND (%(devices)s::text[] IS NULL OR d.id = ANY(%(devices)s))
  AND r.bucket = ANY(%(buckets)s)
GROUP BY 1, 2
"""


@dataclass(frozen=True, slots=True)
class CameraReading:
    """A camera with its latest value of each metric (``values``) and when the newest arrived."""

    id: str
    name: str
    area_code: str | None
    area_name: str | None
    lon: float | None
    lat: float | None
    status: str
    last_seen: datetime | None
    values: dict[str, float] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def congestion(self) -> float | None:
        """Congestion level 0–1, or None when the camera has not reported it."""
        return self.values.get("congestion_level")


@dataclass(frozen=True, slots=True)
class Incident:
    """A camera incident with where it happened."""

    id: int
    ts: datetime
    kind: str
    severity: str
    device_id: str | None
    device_name: str | None
    area_code: str | None
    area_name: str | None
    lon: float | None
    lat: float | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HourlyProfile:
    """Vehicles per local hour today against the mean of the previous same weekdays."""

    day: date
    today: dict[int, float]
    typical: dict[int, float]
    days_in_typical: int


def camera_latest(conn: psycopg.Connection, *, kind: str = "camera") -> list[CameraReading]:
    """Every camera with the latest value of each of its metrics."""
    heads: dict[str, tuple] = {}
    values: dict[str, dict[str, float]] = {}
    newest: dict[str, datetime] = {}
    for dev, name, area, area_name, lon, lat, status, seen, metric, value, ts in conn.execute(_LATEST, {"kind": kind}):
        heads.setdefault(dev, (dev, name, area, area_name, lon, lat, status, seen))
        values.setdefault(dev, {})
        if metric is not None and value is not None:
            values[dev][metric] = value
            if dev not in newest or ts > newest[dev]:
                newest[dev] = ts
    return [CameraReading(*head, values=values[dev], updated_at=newest.get(dev)) for dev, head in heads.items()]


def recent_incidents(
    conn: psycopg.Connection, *, since: datetime, kinds: Sequence[str] | None = None, limit: int = 50
) -> list[Incident]:
    """Incidents since ``since`` (of the given kinds), newest first, with device and area names."""
    rows = conn.execute(_INCIDENTS, {"since": since, "kinds": list(kinds) if kinds else None, "limit": limit})
    return [Incident(*row[:10], details=row[10] or {}) for row in rows]


def hourly_profile(
    conn: psycopg.Connection,
    *,
    day: date,
    weeks: int = 4,
    metric: str = "vehicles_total",
    devices: Sequence[str] | None = None,
    kind: str = "camera",
) -> HourlyProfile:
    """Vehicles per local hour of ``day`` and the mean of the ``weeks`` previous same weekdays."""
    days = [day - timedelta(weeks=k) for k in range(weeks + 1)]
    buckets = [datetime.combine(d, time(0), LOCAL_TZ) + timedelta(hours=h) for d in days for h in range(24)]
    rows = conn.execute(_HOURLY, {"kind": kind, "metric": metric, "devices": list(devices) if devices else None,
                                  "buckets": buckets}).fetchall()
    today: dict[int, float] = {}
    past: dict[int, list[float]] = {}
    past_days: set[date] = set()
    for row_day, hour, vehicles in rows:
        if row_day == day:
            today[hour] = vehicles
        else:
            past.setdefault(hour, []).append(vehicles)
            past_days.add(row_day)
    # Mean over the days with data, counting a silent hour of such a day as 0.
    n = len(past_days)
    typical = {hour: sum(values) / n for hour, values in past.items()} if n else {}
    return HourlyProfile(day, today, typical, n)


def top_congested(
    cameras: Sequence[CameraReading], *, limit: int = 5, minimum: float = 0.0, fresh_since: datetime | None = None
) -> list[CameraReading]:
    """The cameras with the highest congestion level now (pure helper over :func:`camera_latest`).

    With ``fresh_since``, cameras whose newest value is older are left out: a
    silent camera's last congestion is not "now".
    """
    ranked = [c for c in cameras if c.congestion is not None and c.congestion >= minimum
              and (fresh_since is None or (c.updated_at is not None and c.updated_at >= fresh_since))]
    return sorted(ranked, key=lambda c: (-c.congestion, c.id))[:limit]
