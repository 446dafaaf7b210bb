"""FIWARE Smart Data Models (key-values form) mapped onto device metrics.

Accepted entity types and their device kinds: TrafficFlowObserved → camera,
AirQualityObserved → air, WaterQualityObserved → water_quality. Field names are
those of the public specification; fields without a device metric are ignored.
``dateObserved`` may be an ISO 8601 interval ``start/end``: the reading is
stamped at the end of the observation period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, Field, TypeAdapter, ValidationError
from typing_extensions import NotRequired, TypedDict

from collectors.mqtt.schemas import Value, describe_error
from ioc.errors import PayloadRejected

__all__ = ["FIWARE_KINDS", "map_fiware", "observed_at"]

# Entity type → device kind that may send it.
FIWARE_KINDS = {
    "TrafficFlowObserved": "camera",
    "AirQualityObserved": "air",
    "WaterQualityObserved": "water_quality",
}

# FIWARE field → device metric, per entity type. Units follow the specification;
# ``_SCALE`` converts where the catalog's unit differs.
_FIELDS = {
    "TrafficFlowObserved": {
        "averageVehicleSpeed": "avg_speed",
        "occupancy": "occupancy",
    },
    "AirQualityObserved": {
        "pm25": "pm25",
        "pm10": "pm10",
        "no2": "no2",
        "o3": "o3",
        "co": "co",
        "so2": "so2",
        "airQualityIndex": "aqi",
        "temperature": "temperature",
        "relativeHumidity": "humidity",
    },
    "WaterQualityObserved": {
        "pH": "ph",
        "conductivity": "conductivity",
        "temperature": "water_temperature",
        "O2": "do",
        "NH4": "nh4",
        "TSS": "tss",
        "tss": "tss",
        "COD": "cod",
        "BOD": "bod5",
    },
}

# FIWARE vehicleType → per-class count metric of a camera.
VEHICLE_METRICS = {
    "car": "count_car",
    "motorcycle": "count_motorbike",
    "moped": "count_motorbike",
    "bus": "count_bus",
    "minibus": "count_bus",
    "lorry": "count_truck",
    "truck": "count_truck",
    "van": "count_truck",
    "trailer": "count_truck",
    "bicycle": "count_bicycle",
}

# (FIWARE field, catalog unit) → factor. occupancy and relativeHumidity are 0..1
# in the specification; conductivity is in S/m.
_SCALE = {
    ("occupancy", "%"): 100.0,
    ("relativeHumidity", "%"): 100.0,
    ("conductivity", "µS/cm"): 10_000.0,
    ("conductivity", "uS/cm"): 10_000.0,
    ("conductivity", "mS/cm"): 10.0,
}


class _Entity(TypedDict):
    id: Annotated[str, Field(min_length=1)]
    type: str
    dateObserved: NotRequired[str]
    dateObservedTo: NotRequired[AwareDatetime]
    location: NotRequired[dict[str, Any]]


_ENTITY = TypeAdapter(_Entity)
_NUMBER = TypeAdapter(Value)
_TIME = TypeAdapter(AwareDatetime)


def observed_at(entity: dict[str, Any]) -> datetime:
    """The reading time: ``dateObserved`` (the end of a ``start/end`` interval) or ``dateObservedTo``."""
    raw = entity.get("dateObserved")
    if raw is None:
        if entity.get("dateObservedTo") is not None:
            return _TIME.validate_python(entity["dateObservedTo"])
        raise PayloadRejected("FIWARE dateObserved is required")
    if not isinstance(raw, str):
        raise PayloadRejected(f"FIWARE dateObserved must be an ISO 8601 string (got {raw!r})")
    end = raw.rsplit("/", 1)[-1].strip()
    try:
        return _TIME.validate_python(end)
    except ValidationError as exc:
        raise PayloadRejected(f"FIWARE dateObserved {raw!r}: {describe_error(exc)}") from None


def _number(field: str, value: Any) -> float:
    try:
        return _NUMBER.validate_python(value)
    except ValidationError:
        raise PayloadRejected(f"FIWARE {field} must be a finite number (got {value!r})") from None


def _traffic_counts(entity: dict[str, Any]) -> list[tuple[str, float, str]]:
    if "intensity" not in entity:
        return []
    intensity = _number("intensity", entity["intensity"])
    vehicle = entity.get("vehicleType")
    if vehicle is None:
        return [("vehicles_total", intensity, "intensity")]
    metric = VEHICLE_METRICS.get(str(vehicle))
    if metric is None:
        raise PayloadRejected(
            f"FIWARE vehicleType {vehicle!r} has no device metric; use one of {', '.join(sorted(VEHICLE_METRICS))}"
        )
    return [(metric, intensity, "intensity")]


def map_fiware(
    entity: dict[str, Any], *, device_kind: str, unit_of: Callable[[str], str | None]
) -> tuple[datetime, list[tuple[str, float]]]:
    """Time and (metric, value) pairs of a FIWARE key-values entity sent by a device of ``device_kind``.

    ``unit_of(metric)`` gives the catalog unit of a metric (for unit conversion).
    Raises :class:`PayloadRejected` naming the field at fault.
    """
    try:
        head = _ENTITY.validate_python(entity)
    except ValidationError as exc:
        raise PayloadRejected(f"FIWARE entity: {describe_error(exc)}") from None
    entity_type = head["type"]
    expected_kind = FIWARE_KINDS.get(entity_type)
    if expected_kind is None:
        raise PayloadRejected(f"FIWARE type {entity_type!r} is not accepted; use one of {', '.join(FIWARE_KINDS)}")
    if expected_kind != device_kind:
        raise PayloadRejected(f"FIWARE {entity_type} comes from a {device_kind} device; only {expected_kind} devices send it")
    if entity_type == "AirQualityObserved" and "location" not in entity:
        raise PayloadRejected("FIWARE AirQualityObserved requires location")
    ts = observed_at(entity)
    found = _traffic_counts(entity) if entity_type == "TrafficFlowObserved" else []
    for field, metric in _FIELDS[entity_type].items():
        if field in entity and entity[field] is not None:
            found.append((metric, _number(field, entity[field]), field))
    if entity_type == "TrafficFlowObserved" and "congested" in entity:
        congested = entity["congested"]
        if not isinstance(congested, bool):
            raise PayloadRejected(f"FIWARE congested must be true or false (got {congested!r})")
        found.append(("congestion_level", 1.0 if congested else 0.0, "congested"))
    if not found:
        raise PayloadRejected(f"FIWARE {entity_type} carries no field that maps to a {device_kind} metric")
    values = [(metric, value * _SCALE.get((field, unit_of(metric)), 1.0)) for metric, value, field in found]
    return ts, values
