"""Operator settings of the alert rules (the ``[alerts]`` table of the sources file)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AlertPolicy", "DEFAULT_INCIDENT_KINDS"]

DEFAULT_INCIDENT_KINDS = ("accident", "wrong_way", "stalled_vehicle", "crowd", "fire", "flood")


class AlertPolicy(BaseModel):
    """How alerts are raised and cleared; every field has a sensible default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hysteresis: float = Field(
        0.02, ge=0, le=0.5,
        description="an alert clears only when the value is back past its threshold by this fraction of it",
    )
    hysteresis_abs: dict[str, float] = Field(
        default_factory=dict, description="indicator code → absolute clearing band, overriding `hysteresis`"
    )
    rate_of_change: dict[str, float] = Field(
        default_factory=dict,
        description="indicator code → largest relative change between two consecutive values (0.5 = 50 %)",
    )
    max_area_depth: int | None = Field(
        1, ge=0,
        description="indicator alerts only for areas this deep (0 = province, 1 = the level below it); "
        "deeper units still show their status on the pages; empty = every level",
    )
    stale_periods: float = Field(2, gt=0, description="no value for this many expected periods → stale")
    device_offline_minutes: float = Field(15, gt=0, description="a device unseen this long is offline")
    incident_kinds: tuple[str, ...] = Field(DEFAULT_INCIDENT_KINDS, description="event kinds that open an alert")
    incident_clear_minutes: float = Field(
        60, gt=0, description="an incident alert with no new event for this long is resolved"
    )

    def band(self, indicator_code: str, threshold: float) -> float:
        """Width of the clearing band of a threshold of an indicator."""
        if indicator_code in self.hysteresis_abs:
            return abs(self.hysteresis_abs[indicator_code])
        return abs(threshold) * self.hysteresis
