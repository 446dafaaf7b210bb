"""Bộ chỉ số 766 arithmetic: sub-indicator scores, group totals, total and classification.

Pure functions, no I/O except :func:`load_bands`, which reads the classification
bands from ``ioc/data/score766/classification.csv``. The group maxima are not
here: they come from the catalog (``ioc/data/catalog/score766_groups.csv``)
through :mod:`ioc.score766.components`.

Formula of Decision 766 for a rate-based sub-indicator: ``rate × max ÷ threshold``
capped at ``max``, where ``threshold`` is the rate that earns full marks (80 %
for "procedures offered online", 50 % for "dossiers received online" ...). A
threshold of 100 % gives plain proportional scoring.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ioc.errors import DataFileError

__all__ = [
    "Band",
    "criterion_score",
    "group_total",
    "unit_total",
    "classify",
    "load_bands",
    "round_points",
]

POINT_DECIMALS = 2


@dataclass(frozen=True, slots=True)
class Band:
    """A classification band: totals at or above ``min_total`` (and below the next band up)."""

    code: str
    name_vi: str
    name_en: str
    min_total: float


def round_points(value: float) -> float:
    """Points as published: two decimals, half away from zero (77,835 → 77,84)."""
    scaled = abs(value) * 10**POINT_DECIMALS
    rounded = math.floor(scaled + 0.5 + 1e-9) / 10**POINT_DECIMALS
    return math.copysign(rounded, value) if value else 0.0


def criterion_score(rate: float, max_points: float, full_marks_at: float = 100.0) -> float:
    """Points of a rate-based sub-indicator: ``rate × max ÷ full_marks_at``, capped at ``max``.

    ``rate`` and ``full_marks_at`` are percentages (58,7 and 80). A negative
    rate is an input error.
    """
    if rate < 0 or not math.isfinite(rate):
        raise ValueError(f"rate must be a finite percentage ≥ 0, got {rate!r}")
    if full_marks_at <= 0:
        raise ValueError(f"full-marks threshold must be > 0 %, got {full_marks_at!r}")
    if max_points < 0:
        raise ValueError(f"maximum points must be ≥ 0, got {max_points!r}")
    return min(max_points, rate * max_points / full_marks_at)


def group_total(scores: Iterable[float], max_points: float | None = None) -> float:
    """Sum of a group's sub-indicator points, capped at the group maximum when given."""
    total = math.fsum(scores)
    return min(total, max_points) if max_points is not None else total


def unit_total(group_scores: Mapping[str, float | None]) -> float | None:
    """A unit's total out of 100: the sum of its group scores, rounded to 2 decimals.

    ``None`` when no group has a score; missing groups count as 0 (the portal
    scores an unreported group as 0).
    """
    known = [v for v in group_scores.values() if v is not None]
    if not known:
        return None
    return round_points(math.fsum(known))


def classify(total: float | None, bands: Sequence[Band]) -> Band | None:
    """The band a total falls in (highest ``min_total`` not above it), or None without a total."""
    if total is None:
        return None
    for band in sorted(bands, key=lambda b: b.min_total, reverse=True):
        if total >= band.min_total - 1e-9:
            return band
    return None


def _default_bands_path() -> Path:
    return Path(str(resources.files("ioc") / "data" / "score766" / "classification.csv"))


def load_bands(path: Path | None = None) -> tuple[Band, ...]:
    """Read and validate the classification bands (highest first)."""
    path = path or _default_bands_path()
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DataFileError(str(path), None, f"cannot read the 766 classification bands: {exc}") from exc
    bands: list[Band] = []
    with handle:
        reader = csv.DictReader(handle)
        required = {"code", "name_vi", "name_en", "min_total"}
        if reader.fieldnames is None or not required <= set(reader.fieldnames):
            raise DataFileError(str(path), 1, f"header must include {sorted(required)} (got {reader.fieldnames})")
        for row_number, row in enumerate(reader, start=2):
            try:
                minimum = float(row["min_total"])
            except (TypeError, ValueError):
                raise DataFileError(str(path), row_number, f"min_total {row['min_total']!r} is not a number") from None
            if not 0 <= minimum <= 100:
                raise DataFileError(str(path), row_number, f"min_total {minimum:g} is outside 0–100")
            if not (row["code"] or "").strip() or not (row["name_vi"] or "").strip():
                raise DataFileError(str(path), row_number, "code and name_vi must not be empty")
            if any(b.code == row["code"].strip() for b in bands):
                raise DataFileError(str(path), row_number, f"duplicate band code {row['code']!r}")
            bands.append(Band(row["code"].strip(), row["name_vi"].strip(), (row["name_en"] or "").strip(), minimum))
    if not bands or min(b.min_total for b in bands) > 0:
        raise DataFileError(str(path), None, "bands must cover every total: add a band with min_total 0")
    return tuple(sorted(bands, key=lambda b: b.min_total, reverse=True))
