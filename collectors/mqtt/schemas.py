"""Payload schemas (pydantic, validated straight from the JSON bytes).

Strict for shape and types: a value is a JSON number (not a string, not a
boolean, finite), a time is an ISO 8601 string with a time zone or a Unix
epoch number. Unknown keys of device payloads are dropped. Range, unit and
known-subject checks come afterwards, in :mod:`collectors.mqtt.parse`.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, TypeAdapter, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError
from typing_extensions import NotRequired, TypedDict

__all__ = [
    "Value",
    "ReadingIn",
    "TelemetryIn",
    "EventIn",
    "EventsIn",
    "IndicatorReadingIn",
    "IndicatorIn",
    "StatusIn",
    "TELEMETRY",
    "EVENTS",
    "INDICATOR",
    "STATUS",
    "describe_error",
    "ValidationError",
]

Value = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]

_from_iso = datetime.fromisoformat
_EPOCH_MS = 2e10  # as pydantic: a number this large is milliseconds, not seconds


def _aware_time(raw: object) -> datetime:
    """An ISO 8601 string with a time zone, or Unix epoch seconds, as an aware datetime.

    pydantic's own ``AwareDatetime`` gives datetimes whose ``tzinfo`` is a
    pydantic-core class: every ``utcoffset()`` is then a call back into Rust that
    tripled the cost of ``timestamp()`` on the ingest hot path. This validator
    returns standard-library ``timezone`` objects and accepts the same inputs.
    """
    if isinstance(raw, str):
        try:
            ts = _from_iso(raw)
        except ValueError:
            raise PydanticCustomError(
                "datetime_from_date_parsing", "Input should be an ISO 8601 time with a time zone"
            ) from None
        if ts.tzinfo is None:
            raise PydanticCustomError("timezone_aware", "Input should have timezone info")
        return ts
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw):
        seconds = raw / 1000 if abs(raw) > _EPOCH_MS else raw
        try:
            return datetime.fromtimestamp(seconds, timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise PydanticCustomError("datetime_object_invalid", "Input is out of range for a time") from None
    raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 time with a time zone or epoch seconds")


Time = Annotated[
    datetime,
    PlainValidator(_aware_time),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
MAX_BATCH = 10_000


class ReadingIn(TypedDict):
    """One metric value of a device: ``{"metric": "pm25", "value": 35.2, "ts": "..."}``."""

    metric: Name
    value: Value
    ts: Time
    unit: NotRequired[str]


class TelemetryIn(TypedDict, total=False):
    """Every shape accepted on the telemetry topic; which keys are present says which shape it is."""

    metric: Name
    value: Value
    ts: Time
    unit: str
    values: Annotated[dict[Name, Value], Field(min_length=1, max_length=MAX_BATCH)]
    readings: Annotated[list[ReadingIn], Field(min_length=1, max_length=MAX_BATCH)]
    type: str  # a FIWARE Smart Data Models entity type


Severity = Literal["info", "warning", "critical"]


class EventIn(TypedDict):
    """One device event: ``{"kind": "accident", "ts": "...", "severity": "warning"}``."""

    kind: Name
    ts: Time
    severity: NotRequired[Severity]
    area: NotRequired[str]
    details: NotRequired[dict[str, Any]]


class EventsIn(TypedDict, total=False):
    """One event (its keys at top level) or ``{"events": [...]}``."""

    kind: Name
    ts: Time
    severity: Severity
    area: str
    details: dict[str, Any]
    events: Annotated[list[EventIn], Field(min_length=1, max_length=MAX_BATCH)]


class IndicatorReadingIn(TypedDict):
    """One indicator value for an area: ``{"area": "74", "value": 77.84, "ts": "..."}``."""

    area: Annotated[str, Field(min_length=1, max_length=64)]
    value: Value
    ts: Time
    unit: NotRequired[str]


class IndicatorIn(TypedDict, total=False):
    """One indicator value (its keys at top level) or ``{"readings": [...]}``."""

    area: Annotated[str, Field(min_length=1, max_length=64)]
    value: Value
    ts: Time
    unit: str
    readings: Annotated[list[IndicatorReadingIn], Field(min_length=1, max_length=MAX_BATCH)]


class StatusIn(TypedDict):
    """A device status as JSON: ``{"status": "offline", "ts": "..."}``."""

    status: Literal["online", "offline"]
    ts: NotRequired[Time]


TELEMETRY: TypeAdapter[TelemetryIn] = TypeAdapter(TelemetryIn)
EVENTS: TypeAdapter[EventsIn] = TypeAdapter(EventsIn)
INDICATOR: TypeAdapter[IndicatorIn] = TypeAdapter(IndicatorIn)
STATUS: TypeAdapter[StatusIn] = TypeAdapter(StatusIn)


def describe_error(exc: ValidationError) -> str:
    """The first validation problem as ``field.path: message`` (for dead-letter reasons)."""
    errors = exc.errors(include_url=False)
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "payload"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"

