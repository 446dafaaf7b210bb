"""Pull source ``one_stop``: daily dossier statistics from the Một cửa điện tử system.

Body (see docs/sources.md)::

    {"date": "2026-11-29",
     "units": [{"level": "district", "code": "725", "received": 120, "resolved": 110,
                "on_time": 104, "overdue": 6, "online": 85},
               {"level": "department", "code": "STTTT", "received": 40, ...}]}

Counts are stored at 00:00 (Vietnam time) of ``date`` (a unit may carry its
own). Two rates are derived: ``on_time_rate`` = on_time ÷ resolved × 100 and
``online_rate`` = online ÷ received × 100 (skipped when the divisor is 0).
Districts and communes are areas. A department is not: its figures go to the
province area (option ``province_area``) with ``metric = "department:<code>"``
so that they never mix with the province's own series, and also to the
catalog's per-department indicator ``<department_family>.<code>`` (e.g.
``TTHC.SO_TIEPNHAN.STTTT``) when the mapping names a family and the catalog
has that member. Fields map to indicators through ``mappings/one_stop.csv``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from collectors.pull._json_api import JsonApiSource
from collectors.pull._mapping import MAPPINGS_DIR, load_field_mapping
from collectors.pull._parse import parse_number, parse_timestamp
from collectors.pull.base import PullContext, PullResult
from ioc.errors import SourceError
from ioc.model import Reading, SeriesKey

__all__ = ["OneStopOptions", "OneStopSource", "COUNT_FIELDS", "RATE_FIELDS", "parse_dossier_stats"]

logger = logging.getLogger(__name__)

COUNT_FIELDS = ("received", "resolved", "on_time", "overdue", "online")
RATE_FIELDS = ("on_time_rate", "online_rate")
_RATES = {"on_time_rate": ("on_time", "resolved"), "online_rate": ("online", "received")}


class OneStopOptions(BaseModel):
    """Options of a ``one_stop`` source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(description="http(s):// or file:// URL of the daily statistics")
    headers: dict[str, str] = Field(default_factory=dict)
    province_area: str | None = Field(None, description="area code that department figures are filed under")
    mapping: Path = Field(MAPPINGS_DIR / "one_stop.csv", description="field → indicator code CSV")


def _subject(unit: dict[str, Any], ctx: PullContext, province_area: str | None) -> tuple[str, str | None]:
    """(area code, metric) of a unit."""
    code = unit.get("code")
    if unit.get("level") == "department":
        if code not in ctx.departments:
            raise ValueError(f"unknown department {code!r}")
        if province_area is None or province_area not in ctx.areas:
            raise ValueError(f"department figures need the source option province_area (got {province_area!r})")
        return province_area, f"department:{code}"
    if code not in ctx.areas:
        raise ValueError(f"unknown area {code!r}")
    return code, None


def _values(unit: dict[str, Any]) -> dict[str, float]:
    values = {}
    for field in COUNT_FIELDS:
        if unit.get(field) is not None:
            try:
                values[field] = parse_number(unit[field])
            except ValueError as exc:
                raise ValueError(f"field {field!r}: {exc}") from None
            if values[field] < 0:
                raise ValueError(f"field {field!r} is negative ({values[field]:g})")
    for rate, (part, whole) in _RATES.items():
        if values.get(whole) and part in values:
            values[rate] = round(100.0 * values[part] / values[whole], 4)
    return values


def _unit_readings(unit: Any, default_day: datetime | None, ctx: PullContext, options: OneStopOptions,
                   mapping: dict[str, str], families: dict[str, str]) -> list[Reading]:
    if not isinstance(unit, dict):
        raise ValueError("is not an object")
    area, metric = _subject(unit, ctx, options.province_area)
    day = parse_timestamp(unit["date"]) if "date" in unit else default_day
    if day is None:
        raise ValueError("has no date")
    readings = []
    for field, value in _values(unit).items():
        code = mapping.get(field)
        if code is not None:
            if code not in ctx.indicators:
                raise ValueError(f"field {field!r} maps to {code!r}, which is not in the catalog")
            readings.append(Reading(SeriesKey(indicator_code=code, area_code=area, metric=metric), day, value))
        member = f"{families[field]}.{unit['code']}" if metric is not None and field in families else None
        if member is not None and member in ctx.indicators:
            readings.append(Reading(SeriesKey.for_indicator(member, area), day, value))
    return readings


def parse_dossier_stats(body: Any, ctx: PullContext, options: OneStopOptions, mapping: dict[str, str],
                        families: dict[str, str] | None = None) -> tuple[list[Reading], list[str]]:
    """Readings of a one-stop body and the units refused (raises SourceError on a bad shape)."""
    if not isinstance(body, dict) or not isinstance(body.get("units"), list):
        raise SourceError('expected an object {"date": "2026-11-29", "units": [...]}')
    try:
        default_day = parse_timestamp(body["date"]) if "date" in body else None
    except ValueError as exc:
        raise SourceError(f"bad date: {exc}") from None
    readings: list[Reading] = []
    rejected: list[str] = []
    for index, unit in enumerate(body["units"], start=1):
        try:
            readings.extend(_unit_readings(unit, default_day, ctx, options, mapping, families or {}))
        except ValueError as exc:
            code = unit.get("code") if isinstance(unit, dict) else None
            rejected.append(f"unit {index} ({code}): {exc}")
    return readings, rejected


class OneStopSource(JsonApiSource):
    """Polls the one-stop system's daily dossier statistics."""

    kind = "one_stop"
    what = "unit"

    def __init__(self, name: str, options: OneStopOptions, *, timeout: float) -> None:
        super().__init__(name, options, timeout=timeout)
        self.mapping = load_field_mapping(options.mapping, fields=COUNT_FIELDS + RATE_FIELDS)
        self.families = load_field_mapping(options.mapping, fields=COUNT_FIELDS + RATE_FIELDS,
                                           column="department_family", optional=True)

    def parse(self, body: Any, ctx: PullContext) -> tuple[list[Reading], list[str]]:
        """Readings and refused items of one fetched body."""
        return parse_dossier_stats(body, ctx, self.options, self.mapping, self.families)
