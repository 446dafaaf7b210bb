"""The indicator catalog: sectors, departments, units and 1,000+ indicators, as validated data files.

The files live in ``ioc/data/catalog``. Indicators are generated from indicator
families × dimensions (:mod:`ioc.catalog.expand`) and committed as
``indicators.csv``; :func:`load_catalog` reads and validates them all.
"""

from __future__ import annotations

from ioc.catalog.load import default_catalog_dir, load_catalog, load_device_metrics
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
    fold_text,
)

__all__ = [
    "Catalog",
    "Department",
    "DeviceMetric",
    "Indicator",
    "Level",
    "Score766Criterion",
    "Score766Group",
    "Sector",
    "Unit",
    "default_catalog_dir",
    "fold_text",
    "load_catalog",
    "load_device_metrics",
]
