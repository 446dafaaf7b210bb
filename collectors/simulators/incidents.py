"""Camera incidents of the past (accidents, wrong-way driving, stalled vehicles, crowds) for the backfill.

Whether a camera saw an incident in a given hour is a hash of (camera, hour),
weighted by that hour's traffic, so the same window always gives the same
incidents and a backfill run again stores nothing twice.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime, timezone

import numpy as np

from collectors.simulators import patterns
from collectors.simulators.payloads import INCIDENT_KINDS, incident
from collectors.simulators.shapes import hashed_normal
from ioc.model import Event

__all__ = ["past_incidents"]

_KINDS = list(INCIDENT_KINDS)
_WEIGHTS = np.array([0.3, 0.15, 0.4, 0.15])  # accident, wrong_way, stalled_vehicle, crowd


def past_incidents(cameras: Sequence, since: datetime, until: datetime, *, rate_per_hour: float = 0.01) -> list[Event]:
    """Incidents of the given cameras in [since, until), about ``rate_per_hour`` per camera at rush hour."""
    hours = np.arange(np.ceil(since.timestamp() / 3600), np.floor(until.timestamp() / 3600), dtype=np.int64)
    if not len(hours) or not cameras:
        return []
    hour, weekday, _ = patterns.local_clock(hours * 3600.0)
    chance = rate_per_hour * patterns.traffic_profile(hour, weekday)
    seeds = np.array([zlib.crc32(c.id.encode()) for c in cameras], dtype=np.uint64)
    draws = hashed_normal(seeds, hours)  # hours × cameras
    uniform = 0.5 * (1 + _erf(draws / np.sqrt(2)))
    events = []
    for t, j in zip(*np.nonzero(uniform < chance[:, None])):
        camera = cameras[int(j)]
        rng = np.random.default_rng(int(seeds[j]) ^ int(hours[t]))
        kind = _KINDS[int(rng.choice(len(_KINDS), p=_WEIGHTS))]
        ts = datetime.fromtimestamp(int(hours[t]) * 3600 + int(rng.integers(0, 3600)), timezone.utc)
        details = incident(kind, rng, lanes=int(camera.properties.get("lanes") or 4), speed=float(rng.uniform(15, 55)))
        events.append(Event(ts, kind, camera.id, camera.area_code, INCIDENT_KINDS[kind], details))
    return events


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz–Stegun 7.1.26: plenty for turning hashed normals into uniforms
    sign = np.sign(x)
    x = np.abs(x)
    t = 1 / (1 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1 - poly * np.exp(-x * x))
