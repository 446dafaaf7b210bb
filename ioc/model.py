"""Frozen records that flow through the pipeline: input → reading → writer → storage.

A :class:`SeriesKey` names one time series: an indicator in an area, or a metric
of a device. A :class:`Reading` is one value of one series at one instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["SeriesKey", "Reading", "Event"]


@dataclass(frozen=True, slots=True)
class SeriesKey:
    """Identity of a series: (indicator, area) or (device, metric)."""

    indicator_code: str | None = None
    area_code: str | None = None
    device_id: str | None = None
    metric: str | None = None

    @classmethod
    def for_indicator(cls, indicator_code: str, area_code: str) -> "SeriesKey":
        return cls(indicator_code=indicator_code, area_code=area_code)

    @classmethod
    def for_device(cls, device_id: str, metric: str) -> "SeriesKey":
        return cls(device_id=device_id, metric=metric)


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of one series at one instant (timezone-aware)."""

    key: SeriesKey
    ts: datetime
    value: float


@dataclass(frozen=True, slots=True)
class Event:
    """A discrete happening reported by a device: a camera incident, a flood alarm ..."""

    ts: datetime
    kind: str
    device_id: str | None = None
    area_code: str | None = None
    severity: str = "info"
    details: dict[str, Any] = field(default_factory=dict)
