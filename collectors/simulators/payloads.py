"""Message bodies the simulators publish, in the shapes of docs/mqtt.md, and deliberately broken ones.

Good messages: a telemetry snapshot ``{"ts": ..., "values": {...}}``, an event
``{"kind", "ts", "severity", "area", "details"}``, a status ``{"status", "ts"}``
and an indicator batch ``{"readings": [{"area", "value", "ts"}, ...]}``.
Broken ones exercise the collector's dead-letter path: bad JSON, a value out of
the metric's range, an unknown device, a reading without its time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np

from collectors.mqtt import const

__all__ = [
    "INCIDENT_KINDS",
    "MALFORMED_KINDS",
    "telemetry",
    "event",
    "status",
    "indicator_batch",
    "incident",
    "malformed",
]

#: Camera incidents and their severity.
INCIDENT_KINDS = {"accident": "critical", "wrong_way": "warning", "stalled_vehicle": "warning", "crowd": "info"}
MALFORMED_KINDS = ("bad_json", "out_of_range", "unknown_device", "missing_ts")


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="seconds")


def _dump(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def telemetry(ts: datetime, values: Mapping[str, float]) -> bytes:
    """A snapshot of several metrics at one instant."""
    return _dump({"ts": _iso(ts), "values": {m: float(v) for m, v in values.items()}})


def event(ts: datetime, kind: str, *, severity: str, area: str | None, details: Mapping[str, object]) -> bytes:
    """One device event."""
    body: dict[str, object] = {"kind": kind, "ts": _iso(ts), "severity": severity, "details": dict(details)}
    if area:
        body["area"] = area
    return _dump(body)


def status(state: str, ts: datetime) -> bytes:
    """A device status (``online`` / ``offline``) with its time."""
    return _dump({"status": state, "ts": _iso(ts)})


def indicator_batch(readings: Sequence[tuple[str, datetime, float]]) -> bytes:
    """Values of one indicator for several areas: ``(area, ts, value)`` triples."""
    return _dump({"readings": [{"area": a, "value": float(v), "ts": _iso(t)} for a, t, v in readings]})


def incident(kind: str, rng: np.random.Generator, *, lanes: int, speed: float) -> dict[str, object]:
    """Details of a camera incident as an AI camera would report them."""
    details: dict[str, object] = {
        "lane": int(rng.integers(1, max(lanes, 1) + 1)),
        "confidence": round(float(rng.uniform(0.72, 0.99)), 2),
        "speed_before_kmh": round(float(speed), 1),
    }
    if kind == "accident":
        details["vehicles_involved"] = int(rng.integers(2, 4))
    elif kind == "crowd":
        details["people"] = int(rng.integers(30, 250))
    elif kind == "wrong_way":
        details["vehicle_type"] = str(rng.choice(["motorcycle", "car", "lorry"]))
    return details


def malformed(
    kind: str, prefix: str, device_id: str, ts: datetime, values: Mapping[str, float], limits: Mapping[str, float]
) -> tuple[str, bytes]:
    """(topic, payload) of one broken telemetry message of the given kind (see :data:`MALFORMED_KINDS`)."""
    topic = const.telemetry_topic(prefix, device_id)
    good = telemetry(ts, values)
    if kind == "bad_json":
        return topic, good[: max(1, len(good) // 2)]
    if kind == "out_of_range":
        metric = next(iter(values))
        broken = dict(values, **{metric: float(limits.get(metric, 1e6)) * 10 + 1})
        return topic, telemetry(ts, broken)
    if kind == "unknown_device":
        return const.telemetry_topic(prefix, f"{device_id.split('-')[0]}-unregistered-9{device_id[-3:]}"), good
    if kind == "missing_ts":
        return topic, _dump({"values": {m: float(v) for m, v in values.items()}})
    raise ValueError(f"malformed kind must be one of {', '.join(MALFORMED_KINDS)} (got {kind!r})")
