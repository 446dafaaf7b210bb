"""The administrative-unit list of a territory (a CSV data file), validated on load.

``ioc/data/areas/binhduong_units.csv`` holds Bình Dương as in the sources: the
province, 9 district-level units and 91 communes, with GSO codes, unit types,
plausible populations and approximate seat coordinates. Any depth works: a row's
parent must appear on an earlier row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ioc.errors import DataFileError

__all__ = ["AdministrativeUnit", "load_units", "default_units_path"]

_COLUMNS = (
    "code", "name_vi", "name_en", "level", "unit_type", "parent_code",
    "population", "seat_lon", "seat_lat", "code_source",
)
_CODE_SOURCES = {"gso", "demo"}


@dataclass(frozen=True, slots=True)
class AdministrativeUnit:
    """One row of the unit list: who it is, where its seat is, how many live there."""

    code: str
    name_vi: str
    name_en: str
    level: str
    unit_type: str
    parent_code: str | None
    population: int
    seat_lon: float
    seat_lat: float
    code_source: str
    depth: int


def default_units_path() -> Path:
    """The shipped Bình Dương unit list."""
    return Path(str(resources.files("ioc") / "data" / "areas" / "binhduong_units.csv"))


def load_units(path: str | Path | None = None) -> list[AdministrativeUnit]:
    """Read and validate a unit list; raise :class:`DataFileError` naming file, row and reason."""
    path = Path(path) if path is not None else default_units_path()
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DataFileError(str(path), 1, f"missing column(s) {', '.join(missing)}")
            rows = list(reader)
    except OSError as exc:
        raise DataFileError(str(path), None, f"cannot read the unit list: {exc}") from exc
    units: dict[str, AdministrativeUnit] = {}
    for number, row in enumerate(rows, start=2):
        unit = _parse(path, number, row, units)
        units[unit.code] = unit
    if sum(1 for u in units.values() if u.parent_code is None) != 1:
        raise DataFileError(str(path), None, "exactly one row must have no parent_code (the root)")
    return list(units.values())


def _parse(path: Path, number: int, row: dict[str, str], known: dict[str, AdministrativeUnit]) -> AdministrativeUnit:
    def fail(reason: str) -> DataFileError:
        return DataFileError(str(path), number, reason)

    code = (row["code"] or "").strip()
    if not code:
        raise fail("empty code")
    if code in known:
        raise fail(f"duplicate code {code}")
    for column in ("name_vi", "level", "unit_type"):
        if not (row[column] or "").strip():
            raise fail(f"empty {column} for code {code}")
    parent = (row["parent_code"] or "").strip() or None
    if parent is not None and parent not in known:
        raise fail(f"parent_code {parent} of {code} is not on an earlier row")
    if row["code_source"] not in _CODE_SOURCES:
        raise fail(f"code_source {row['code_source']!r} must be one of {sorted(_CODE_SOURCES)}")
    try:
        population = int(row["population"])
        lon, lat = float(row["seat_lon"]), float(row["seat_lat"])
    except (TypeError, ValueError) as exc:
        raise fail(f"population, seat_lon and seat_lat must be numbers ({exc})") from None
    if population < 0 or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise fail(f"population {population} or seat ({lon}, {lat}) out of range")
    return AdministrativeUnit(
        code=code,
        name_vi=row["name_vi"].strip(),
        name_en=(row["name_en"] or "").strip() or row["name_vi"].strip(),
        level=row["level"].strip(),
        unit_type=row["unit_type"].strip(),
        parent_code=parent,
        population=population,
        seat_lon=lon,
        seat_lat=lat,
        code_source=row["code_source"],
        depth=0 if parent is None else known[parent].depth + 1,
    )
