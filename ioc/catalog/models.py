"""Frozen records of the indicator catalog: sectors, departments, units, indicators, device metrics.

A ratio indicator (``agg_time = agg_area = "ratio"``) is computed as
``numerator ÷ denominator`` over the same period and area, times 100 when its
unit is ``%``: sums of the two parts are divided, never rates averaged.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from unidecode import unidecode

__all__ = [
    "FREQUENCIES",
    "AGGREGATIONS",
    "DIRECTIONS",
    "SOURCES",
    "Sector",
    "Department",
    "Unit",
    "Level",
    "DeviceMetric",
    "Indicator",
    "Score766Group",
    "Score766Criterion",
    "Catalog",
    "fold_text",
]

FREQUENCIES = ("realtime", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly")
AGGREGATIONS = ("sum", "mean", "last", "max", "min", "ratio")
DIRECTIONS = ("higher_better", "lower_better", "neutral")
SOURCES = ("mqtt", "pull", "upload", "derived")

Frequency = Literal["realtime", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"]
Aggregation = Literal["sum", "mean", "last", "max", "min", "ratio"]
Direction = Literal["higher_better", "lower_better", "neutral"]
Source = Literal["mqtt", "pull", "upload", "derived"]

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold_text(*parts: str | None) -> str:
    """Lower-case words without diacritics (đ → d), single-spaced: the search form of a text."""
    text = " ".join(p for p in parts if p).replace("đ", "d").replace("Đ", "D")
    return _NON_WORD.sub(" ", unidecode(text).lower()).strip()


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Sector(_Record):
    """A socio-economic sector (lĩnh vực) the operations center watches."""

    code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    pillar: str | None = None
    sort_order: int = 0


class Department(_Record):
    """A provincial department (sở, ngành) that owns indicators."""

    code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    short_name: str | None = None


class Unit(_Record):
    """A unit of measure an indicator may use (the code is what is displayed)."""

    code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class Level(_Record):
    """An administrative level at which indicators can be reported (province, district ...)."""

    code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class DeviceMetric(_Record):
    """One metric a kind of device publishes over MQTT, with its physically valid range."""

    device_kind: str = Field(min_length=1)
    metric: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _range(self) -> "DeviceMetric":
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"min {self.min:g} must be below max {self.max:g}")
        return self


class Indicator(_Record):
    """One monitored indicator; mirrors the ``indicator`` table."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*$")
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    sector_code: str = Field(min_length=1)
    department_code: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    frequency: Frequency
    agg_time: Aggregation
    agg_area: Aggregation
    numerator_code: str | None = None
    denominator_code: str | None = None
    direction: Direction
    warning: float | None = None
    critical: float | None = None
    target: float | None = None
    levels: tuple[str, ...] = Field(min_length=1)
    source: Source
    device_kind: str | None = None
    device_metric: str | None = None
    decimals: int = Field(1, ge=0, le=4)
    description_vi: str | None = None
    description_en: str | None = None
    search_text: str = ""

    @model_validator(mode="after")
    def _fill_search_text(self) -> "Indicator":
        if not self.search_text:
            object.__setattr__(self, "search_text", fold_text(self.name_vi, self.name_en, self.code))
        return self

    @property
    def is_ratio(self) -> bool:
        """True when the value is numerator ÷ denominator of two other indicators."""
        return self.numerator_code is not None


class Score766Group(_Record):
    """A group (or published component) of Bộ chỉ số 766 with its maximum points."""

    code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    max_points: float = Field(gt=0)
    parent_code: str | None = None


class Score766Criterion(_Record):
    """A sub-indicator of a 766 group: max points and the rate that earns full marks."""

    code: str = Field(min_length=1)
    group_code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    max_points: float = Field(gt=0)
    full_marks_at: float | None = Field(None, gt=0, le=100)
    rate_indicator: str | None = None
    formula_vi: str | None = None
    formula_en: str | None = None


class Catalog(_Record):
    """Everything the catalog files define, validated together."""

    sectors: tuple[Sector, ...]
    departments: tuple[Department, ...]
    units: tuple[Unit, ...]
    levels: tuple[Level, ...]
    device_metrics: tuple[DeviceMetric, ...]
    indicators: tuple[Indicator, ...]
    score766_groups: tuple[Score766Group, ...] = ()
    score766_criteria: tuple[Score766Criterion, ...] = ()

    @cached_property
    def by_code(self) -> dict[str, Indicator]:
        """Indicators by code."""
        return {ind.code: ind for ind in self.indicators}

    def indicator(self, code: str) -> Indicator:
        """The indicator with this code (KeyError names the code when unknown)."""
        return self.by_code[code]

    def indicators_of(self, sector_code: str) -> list[Indicator]:
        """Indicators of one sector, in file order."""
        return [ind for ind in self.indicators if ind.sector_code == sector_code]

    def counts_by_sector(self) -> dict[str, int]:
        """Number of indicators per sector code, in the sectors' order."""
        counts = {s.code: 0 for s in sorted(self.sectors, key=lambda s: (s.sort_order, s.code))}
        for ind in self.indicators:
            counts[ind.sector_code] += 1
        return counts

    def stats(self) -> dict[str, object]:
        """Summary figures: totals, and indicators per sector, source and frequency."""
        by_source: dict[str, int] = {}
        by_frequency: dict[str, int] = {}
        for ind in self.indicators:
            by_source[ind.source] = by_source.get(ind.source, 0) + 1
            by_frequency[ind.frequency] = by_frequency.get(ind.frequency, 0) + 1
        return {
            "indicators": len(self.indicators),
            "sectors": len(self.sectors),
            "departments": len(self.departments),
            "units": len(self.units),
            "device_metrics": len(self.device_metrics),
            "by_sector": self.counts_by_sector(),
            "by_source": dict(sorted(by_source.items())),
            "by_frequency": {f: by_frequency[f] for f in FREQUENCIES if f in by_frequency},
        }
