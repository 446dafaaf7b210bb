"""Read and validate the catalog files of one folder into a :class:`Catalog`.

Every problem of every file is collected first, then raised as one
:class:`~ioc.errors.DataFileError` (path and row of the first, the full list in
the message and in its ``problems`` attribute).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ioc.catalog._csv import ErrorList, Row, read_rows
from ioc.catalog._validate import check_indicators, check_score766
from ioc.catalog.expand import INDICATOR_COLUMNS
from ioc.catalog.models import (
    Catalog,
    Department,
    DeviceMetric,
    Indicator,
    Level,
    Score766Criterion,
    Score766Group,
    Sector,
    Unit,
)
from ioc.errors import DataFileError

__all__ = ["default_catalog_dir", "load_catalog", "load_device_metrics", "read_device_metrics"]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

FILES = {
    "sectors": "sectors.csv",
    "departments": "departments.csv",
    "units": "units.csv",
    "levels": "levels.csv",
    "device_metrics": "device_metrics.csv",
    "indicators": "indicators.csv",
    "score766_groups": "score766_groups.csv",
    "score766_criteria": "score766_criteria.csv",
}


def default_catalog_dir() -> Path:
    """The catalog folder shipped in the package (``ioc/data/catalog``)."""
    return Path(str(resources.files("ioc") / "data" / "catalog"))


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where}: {err['msg']}" if where else err["msg"])
    return "; ".join(parts)


def _models(path: Path, model: type[M], required: tuple[str, ...], errors: ErrorList,
            convert: Callable[[Row], dict[str, object]] | None = None, key: str = "code") -> list[tuple[int, M]]:
    """Rows of ``path`` as models, each with its line; duplicate keys and bad values are errors."""
    out: list[tuple[int, M]] = []
    seen: dict[object, int] = {}
    for row in read_rows(path, required, errors):
        data = convert(row) if convert else {k: row.get(k) for k in row.values if k in model.model_fields}
        try:
            item = model.model_validate(data)
        except ValidationError as exc:
            errors.add(path, row.line, _reason(exc))
            continue
        ident = tuple(getattr(item, k) for k in key.split(","))
        if ident in seen:
            errors.add(path, row.line, f"duplicate {key} {'/'.join(map(str, ident))} (first on row {seen[ident]})")
            continue
        seen[ident] = row.line
        out.append((row.line, item))
    return out


def _sector_row(row: Row) -> dict[str, object]:
    data: dict[str, object] = {k: row.get(k) for k in ("code", "name_vi", "name_en", "pillar")}
    data["sort_order"] = row.get("sort_order") or 0
    return data


def _indicator_row(row: Row) -> dict[str, object]:
    data: dict[str, object] = {k: row.get(k) for k in INDICATOR_COLUMNS}
    data["levels"] = tuple(v.strip() for v in (row.get("levels") or "").split("|") if v.strip())
    if data["decimals"] is None:
        data["decimals"] = 1
    return data


def read_device_metrics(file: Path, errors: ErrorList) -> list[tuple[int, DeviceMetric]]:
    """The device metrics of a ``device_metrics.csv`` file with their lines."""
    return _models(file, DeviceMetric,
                   ("device_kind", "metric", "unit", "name_vi", "name_en", "min", "max"), errors,
                   key="device_kind,metric")


def load_catalog(path: Path | str | None = None) -> Catalog:
    """Load and validate the catalog folder ``path`` (default: the packaged one)."""
    folder = Path(path) if path is not None else default_catalog_dir()
    if not folder.is_dir():
        raise DataFileError(str(folder), None, "catalog folder not found; pass the folder holding sectors.csv")
    errors = ErrorList()
    sectors = _models(folder / FILES["sectors"], Sector, ("code", "name_vi", "name_en", "pillar", "sort_order"),
                      errors, _sector_row)
    departments = _models(folder / FILES["departments"], Department, ("code", "name_vi", "name_en"), errors)
    units = _models(folder / FILES["units"], Unit, ("code", "name_vi", "name_en"), errors)
    levels = _models(folder / FILES["levels"], Level, ("code", "name_vi", "name_en"), errors)
    metrics = read_device_metrics(folder / FILES["device_metrics"], errors)
    indicators = _models(folder / FILES["indicators"], Indicator, INDICATOR_COLUMNS, errors, _indicator_row)
    groups = _models(folder / FILES["score766_groups"], Score766Group, ("code", "name_vi", "name_en", "max_points"),
                     errors)
    criteria = _models(folder / FILES["score766_criteria"], Score766Criterion,
                       ("code", "group_code", "name_vi", "name_en", "max_points", "full_marks_at"), errors)
    check_indicators(
        folder / FILES["indicators"], indicators, errors,
        sectors={s.code for _, s in sectors}, departments={d.code for _, d in departments},
        units={u.code for _, u in units}, levels={lv.code for _, lv in levels},
        metrics={(m.device_kind, m.metric): m for _, m in metrics},
    )
    for line, metric in metrics:
        if metric.unit not in {u.code for _, u in units}:
            errors.add(folder / FILES["device_metrics"], line, f"unknown unit {metric.unit!r}; add it to units.csv")
    check_score766(folder / FILES["score766_groups"], groups, folder / FILES["score766_criteria"], criteria, errors,
                   {i.code for _, i in indicators})
    errors.raise_if_any(f"loading the catalog in {folder}")
    catalog = Catalog(
        sectors=tuple(s for _, s in sectors), departments=tuple(d for _, d in departments),
        units=tuple(u for _, u in units), levels=tuple(lv for _, lv in levels),
        device_metrics=tuple(m for _, m in metrics), indicators=tuple(i for _, i in indicators),
        score766_groups=tuple(g for _, g in groups), score766_criteria=tuple(c for _, c in criteria),
    )
    logger.info("catalog %s: %s indicators, %s sectors, %s departments", folder, len(catalog.indicators),
                len(catalog.sectors), len(catalog.departments))
    return catalog


def load_device_metrics(path: Path | str | None = None) -> dict[tuple[str, str], DeviceMetric]:
    """The metrics devices publish, by (device kind, metric), with their valid ranges.

    ``path`` is a catalog folder or a CSV file of the same shape (default: the packaged one).
    """
    file = Path(path) if path is not None else default_catalog_dir()
    if file.is_dir():
        file = file / FILES["device_metrics"]
    errors = ErrorList()
    metrics = read_device_metrics(file, errors)
    errors.raise_if_any(f"loading the device metrics {file}")
    return {(m.device_kind, m.metric): m for _, m in metrics}
