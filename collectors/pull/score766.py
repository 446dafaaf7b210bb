"""Pull source ``score766``: the weekly Bộ chỉ số 766 scores per district and commune.

Body (see docs/sources.md)::

    {"week": "2026-W46",
     "units": [{"area": "725", "total": 77.84, "rank": 1,
                "groups": {"publicity": 17.3, "progress": 19.6, "online": 8.4,
                           "digitisation": 13.5, "satisfaction": 18.0}}]}

``week`` may be given as ``week_start`` (the Monday, ``2026-11-09``) instead,
and a unit may carry its own. Each value is stored at Monday 00:00 (Vietnam
time) of its week, under the indicator its field maps to in
``mappings/score766.csv``. A provincial department is scored too: a unit
``{"department": "STTTT", "total": 80.1}`` goes to the catalog's per-department
indicator ``<department_family>.<code>`` (``CCHC766.DIEM_SO.STTTT``) in the
``province_area``. Missing fields are skipped; a unit with an unknown area or
department or a non-numeric score is refused alone.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from collectors.pull._json_api import JsonApiSource
from collectors.pull._mapping import MAPPINGS_DIR, load_field_mapping
from collectors.pull._parse import parse_number, parse_timestamp, parse_week
from collectors.pull.base import PullContext, PullResult
from ioc.errors import SourceError
from ioc.model import Reading, SeriesKey

__all__ = ["Score766Options", "Score766Source", "SCORE_FIELDS", "GROUP_FIELDS", "parse_scores"]

logger = logging.getLogger(__name__)

#: The five groups of Decision 766, plus the two published parts of "online" (12 + 10 points).
GROUP_FIELDS = (
    "publicity", "progress", "online", "online_service", "online_payment", "digitisation", "satisfaction",
)
SCORE_FIELDS = ("total", "rank", *GROUP_FIELDS)


class Score766Options(BaseModel):
    """Options of a ``score766`` source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(description="http(s):// or file:// URL of the weekly scores")
    headers: dict[str, str] = Field(default_factory=dict)
    mapping: Path = Field(MAPPINGS_DIR / "score766.csv", description="field → indicator code CSV")
    province_area: str | None = Field(None, description="area code that department scores are filed under")


def _week_start(holder: dict[str, Any]) -> datetime | None:
    if "week" in holder:
        return parse_week(str(holder["week"]))
    if "week_start" in holder:
        return parse_timestamp(holder["week_start"])
    return None


def _codes(unit: dict[str, Any], ctx: PullContext, mappings: tuple[dict[str, str], dict[str, str]],
           province_area: str | None) -> tuple[str, dict[str, str]]:
    """(area, field → indicator code) of an area unit or a department unit."""
    mapping, families = mappings
    if "department" not in unit:
        if unit.get("area") not in ctx.areas:
            raise ValueError(f"unknown area {unit.get('area')!r}")
        return unit["area"], mapping
    department = unit["department"]
    if department not in ctx.departments:
        raise ValueError(f"unknown department {department!r}")
    if province_area is None or province_area not in ctx.areas:
        raise ValueError(f"department scores need the source option province_area (got {province_area!r})")
    return province_area, {field: f"{family}.{department}" for field, family in families.items()}


def _unit_readings(unit: Any, default_week: datetime | None, ctx: PullContext,
                   mappings: tuple[dict[str, str], dict[str, str]], province_area: str | None) -> list[Reading]:
    if not isinstance(unit, dict):
        raise ValueError("is not an object")
    area, mapping = _codes(unit, ctx, mappings, province_area)
    week = _week_start(unit) or default_week
    if week is None:
        raise ValueError("has no week (give 'week' or 'week_start')")
    groups = unit.get("groups") or {}
    if not isinstance(groups, dict):
        raise ValueError("'groups' is not an object")
    values = {**{k: unit[k] for k in ("total", "rank") if k in unit}, **groups}
    readings = []
    for field, raw in values.items():
        if field not in SCORE_FIELDS:
            continue  # lenient: extra fields of the portal are ignored
        code = mapping.get(field)
        if code is None or raw is None:
            continue
        if code not in ctx.indicators:
            raise ValueError(f"field {field!r} maps to {code!r}, which is not in the catalog")
        try:
            value = parse_number(raw)
        except ValueError as exc:
            raise ValueError(f"field {field!r}: {exc}") from None
        readings.append(Reading(SeriesKey.for_indicator(code, area), week, value))
    return readings


def parse_scores(body: Any, ctx: PullContext, mapping: dict[str, str], *, families: dict[str, str] | None = None,
                 province_area: str | None = None) -> tuple[list[Reading], list[str]]:
    """Readings of a 766 body and the units refused (raises SourceError on a bad shape)."""
    if not isinstance(body, dict) or not isinstance(body.get("units"), list):
        raise SourceError('expected an object {"week": "2026-W46", "units": [...]}')
    try:
        default_week = _week_start(body)
    except ValueError as exc:
        raise SourceError(f"bad week: {exc}") from None
    readings: list[Reading] = []
    rejected: list[str] = []
    for index, unit in enumerate(body["units"], start=1):
        try:
            readings.extend(_unit_readings(unit, default_week, ctx, (mapping, families or {}), province_area))
        except ValueError as exc:
            area = (unit.get("area") or unit.get("department")) if isinstance(unit, dict) else None
            rejected.append(f"unit {index} ({area}): {exc}")
    return readings, rejected


class Score766Source(JsonApiSource):
    """Polls the weekly 766 scores and stores each group score as an indicator value."""

    kind = "score766"
    what = "unit"

    def __init__(self, name: str, options: Score766Options, *, timeout: float) -> None:
        super().__init__(name, options, timeout=timeout)
        self.mapping = load_field_mapping(options.mapping, fields=SCORE_FIELDS)
        self.families = load_field_mapping(options.mapping, fields=SCORE_FIELDS, column="department_family",
                                           optional=True)

    def parse(self, body: Any, ctx: PullContext) -> tuple[list[Reading], list[str]]:
        """Readings and refused items of one fetched body."""
        return parse_scores(body, ctx, self.mapping, families=self.families,
                            province_area=self.options.province_area)
