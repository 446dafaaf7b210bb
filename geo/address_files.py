"""Address files: CSV (``code,category,name,street,area_code,lon,lat``) or GeoJSON points.

Reading validates every row at once (pandas, vectorised, so 286,947 rows take
about a second) and refuses the file whole when any row is bad, naming each
problem with its row (CSV: header = row 1, first address = row 2) or feature
number (GeoJSON: first feature = 1): missing column, empty value, bad
coordinates, unknown commune, duplicate code.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.addresses import with_h3
from geo.problems import Problem, refuse_if_any
from ioc.errors import ImportRefused
from ioc.storage.addresses import AddressRecord

__all__ = ["FILE_COLUMNS", "read_addresses", "write_addresses"]

logger = logging.getLogger(__name__)

FILE_COLUMNS = ("code", "category", "name", "street", "area_code", "lon", "lat")
_TEXT = ("code", "category", "name", "street", "area_code")
_REQUIRED = ("code", "category", "area_code")


def _is_geojson(path: Path) -> bool:
    return path.suffix.lower() in (".geojson", ".json")


def write_addresses(path: str | Path, records: Iterable[AddressRecord]) -> int:
    """Write a CSV or GeoJSON (by extension) address file; return the rows written."""
    path = Path(path)
    if _is_geojson(path):
        features = [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
             "properties": {c: getattr(r, c) for c in _TEXT}}
            for r in records
        ]
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                        encoding="utf-8")
        return len(features)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(FILE_COLUMNS)
        for r in records:
            writer.writerow((r.code, r.category, r.name or "", r.street or "", r.area_code,
                             f"{r.lon:.6f}", f"{r.lat:.6f}"))
            written += 1
    return written


def read_addresses(path: str | Path, *, known_areas: Collection[str] | None = None) -> list[AddressRecord]:
    """Read and validate an address file (CSV or GeoJSON), with H3 cells computed.

    ``known_areas`` are the area codes an address may point at (unknown → refused).
    Raises :class:`ImportRefused` naming every bad row when anything is wrong.
    """
    path = Path(path)
    frame = _geojson_frame(path) if _is_geojson(path) else _csv_frame(path)
    if frame.empty:
        raise ImportRefused(str(path), None, "the file has no addresses")
    for column in _TEXT:
        frame[column] = frame[column].str.strip()
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    reasons = _reasons(frame, lon, lat, known_areas)
    bad = reasons.notna()
    refuse_if_any(path, [Problem(int(row), reason) for row, reason in zip(frame["_row"][bad], reasons[bad])])
    rows = zip(*(frame[c].tolist() for c in _TEXT), lon.tolist(), lat.tolist())
    records = with_h3((code, category, name or None, street or None, area, x, y)
                      for code, category, name, street, area, x, y in rows)
    logger.info("read %s address(es) from %s", len(records), path)
    return records


def _csv_frame(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:  # pandas parser and empty-file errors are ValueErrors
        raise ImportRefused(str(path), None, f"cannot read the address file as CSV: {exc}") from exc
    missing = [c for c in FILE_COLUMNS if c not in frame.columns]
    if missing:
        raise ImportRefused(str(path), 1, f"missing column(s) {', '.join(missing)}; "
                            f"the header must have {','.join(FILE_COLUMNS)}")
    frame["_row"] = np.arange(2, len(frame) + 2)
    return frame


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _geojson_frame(path: Path) -> pd.DataFrame:
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        columns: dict[str, list[Any]] = {c: [] for c in (*FILE_COLUMNS, "_geometry")}
        for feature in features:
            geometry = feature.get("geometry") or {}
            props = feature.get("properties") or {}
            point = geometry.get("type") == "Point" and len(geometry.get("coordinates") or ()) >= 2
            for column in _TEXT:
                columns[column].append(_text(props.get(column)))
            columns["lon"].append(geometry["coordinates"][0] if point else None)
            columns["lat"].append(geometry["coordinates"][1] if point else None)
            columns["_geometry"].append("" if point else (geometry.get("type") or "missing"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ImportRefused(str(path), None, f"not a GeoJSON FeatureCollection: {exc}") from exc
    frame = pd.DataFrame(columns)
    frame["_row"] = np.arange(1, len(frame) + 1)
    return frame


def _reasons(frame: pd.DataFrame, lon: pd.Series, lat: pd.Series,
             known_areas: Collection[str] | None) -> pd.Series:
    """The first reason each row is refused (None for a good row), checks in priority order."""
    reasons = pd.Series(None, index=frame.index, dtype=object)

    def flag(mask: pd.Series, reason: Callable[[pd.DataFrame], Iterable[str]]) -> None:
        todo = mask & reasons.isna()
        if todo.any():  # reason texts are built for the bad rows only
            bad = frame[todo]
            reasons[todo] = list(reason(bad.assign(_lon=lon[todo], _lat=lat[todo])))

    if "_geometry" in frame:
        flag(frame["_geometry"] != "", lambda b: (f"geometry is {g}, not a Point" for g in b["_geometry"]))
    for column in _REQUIRED:
        flag(frame[column] == "", lambda b, column=column: [f"empty {column}"] * len(b))
    flag(lon.isna() | lat.isna(), lambda b: (
        f"bad coordinates for {c}: lon {x!r}, lat {y!r} must be numbers"
        for c, x, y in zip(b["code"], b["lon"], b["lat"])))
    flag(~(lon.between(-180, 180) & lat.between(-90, 90)), lambda b: (
        f"bad coordinates for {c}: lon {x}, lat {y} out of range"
        for c, x, y in zip(b["code"], b["_lon"], b["_lat"])))
    if known_areas is not None:
        flag(~frame["area_code"].isin(list(known_areas)), lambda b: (
            f"unknown commune {a} for {c}; import the areas first or fix the area_code"
            for a, c in zip(b["area_code"], b["code"])))
    duplicated = frame["code"].duplicated(keep="first")
    if duplicated.any():
        first_row = frame.drop_duplicates("code").set_index("code")["_row"]
        flag(duplicated, lambda b: (f"duplicate code {c} (first on row {first_row[c]})" for c in b["code"]))
    return reasons
