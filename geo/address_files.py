"""Address files: CSV (``code,category,name,street,area_code,lon,lat``) or GeoJSON points.

Reading validates every row at once (pandas, vectorised, so 286,947 rows take
about a second) and refuses the file whole when any row is bad, naming each
problem with its row (CSV: header = row 1, first address = row 2, as a
spreadsheet shows it) or feature number (GeoJSON: first feature = 1): missing
column, empty value, line break in a code, bad coordinates, unknown commune,
duplicate code. When cells with line breaks make a CSV row start further down
the text file, the reason also gives that line.

Line breaks: a quoted cell may hold CR, LF or CRLF. A file with any LF ends its
records with LF or CRLF, so a lone CR there is cell content even unquoted (what
a writer with ``lineterminator="\n"`` produces); only a file without any LF is
read as CR-terminated (classic Mac). In ``name`` and ``street`` every run of
line breaks becomes one space. Empty lines (or rows of only commas) are skipped
but still counted, so row numbers match the spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
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
_FREE_TEXT = ("name", "street")  # line breaks in these become a space; in the others they are refused
_LINE_BREAKS = r"\s*[\r\n]+\s*"


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
        # QUOTE_MINIMAL quotes a cell holding the line terminator (LF) but leaves a lone CR bare,
        # which most CSV readers take for a line end: such a row is written fully quoted.
        quoted = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(FILE_COLUMNS)
        for r in records:
            name, street = r.name or "", r.street or ""
            row = (r.code, r.category, name, street, r.area_code, f"{r.lon:.6f}", f"{r.lat:.6f}")
            (quoted if "\r" in name or "\r" in street else writer).writerow(row)
            written += 1
    return written


def read_addresses(path: str | Path, *, known_areas: Collection[str] | None = None) -> list[AddressRecord]:
    """Read and validate an address file (CSV or GeoJSON), with H3 cells computed.

    ``known_areas`` are the area codes an address may point at (unknown → refused).
    Raises :class:`ImportRefused` naming every bad row when anything is wrong.
    """
    path = Path(path)
    # GeoJSON escapes its line breaks, so only a CSV file can say cheaply that its cells have none.
    frame, line_breaks = (_geojson_frame(path), True) if _is_geojson(path) else _csv_frame(path)
    if frame.empty:
        raise ImportRefused(str(path), None, "the file has no addresses")
    if line_breaks:
        for column in _FREE_TEXT:
            frame[column] = frame[column].str.replace(_LINE_BREAKS, " ", regex=True)
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    reasons = _reasons(frame, lon, lat, known_areas, line_breaks=line_breaks)
    bad = reasons.notna()
    refuse_if_any(path, _problems(frame[bad], reasons[bad]))
    rows = zip(*(frame[c].tolist() for c in _TEXT), lon.tolist(), lat.tolist())
    records = with_h3((code, category, name or None, street or None, area, x, y)
                      for code, category, name, street, area, x, y in rows)
    logger.info("read %s address(es) from %s", len(records), path)
    return records


def _csv_frame(path: Path) -> tuple[pd.DataFrame, bool]:
    """The rows of a CSV address file, with their row and first line, and whether any cell has a line break."""
    try:
        data = path.read_bytes()
        # A file with any LF ends records with LF or CRLF (the CR left on a row's last cell is stripped
        # with the spaces); only a file without LF ends them with CR. A lone CR elsewhere is content.
        terminator = "\n" if b"\n" in data else "\r"
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig",
                            lineterminator="\n" if terminator == "\n" else None, skip_blank_lines=False)
    except (OSError, ValueError) as exc:  # pandas parser, decoding and empty-file errors are ValueErrors
        raise ImportRefused(str(path), None, f"cannot read the address file as CSV: {exc}") from exc
    # Counting the file's line ends is cheap: a cell may only hold a break when there are more than rows.
    ends = len(frame) + (1 if data.endswith(terminator.encode()) else 0)
    more_lines = data.count(terminator.encode()) > ends
    lines = _first_lines(frame, terminator) if more_lines else np.arange(2, len(frame) + 2)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in FILE_COLUMNS if c not in frame.columns]
    if missing:
        raise ImportRefused(str(path), 1, f"missing column(s) {', '.join(missing)}; "
                            f"the header must have {','.join(FILE_COLUMNS)}")
    frame = frame[list(FILE_COLUMNS)]
    frame["_row"] = np.arange(2, len(frame) + 2)
    frame["_line"] = lines
    for column in _TEXT:
        frame[column] = frame[column].str.strip()
    maybe_blank = frame["code"] == ""  # a cheap first cut: most files have no blank rows
    blank = frame[maybe_blank][list(FILE_COLUMNS)].apply(lambda c: c.str.strip() == "").all(axis=1)
    line_breaks = more_lines or (terminator == "\n" and re.search(rb"\r(?!\n)", data) is not None)
    return frame.drop(index=blank[blank].index), line_breaks


def _first_lines(frame: pd.DataFrame, terminator: str) -> np.ndarray:
    """The line of the text file each row starts on (header = 1), counting line breaks inside cells above it."""
    header = sum(str(c).count(terminator) for c in frame.columns)
    breaks = sum(frame[c].str.count(terminator).to_numpy() for c in frame.columns)
    return np.arange(2, len(frame) + 2) + header + np.cumsum(breaks) - breaks


def _problems(bad: pd.DataFrame, reasons: pd.Series) -> list[Problem]:
    """One problem a bad row; a CSV row that starts on another line of the text file says which."""
    lines = bad["_line"] if "_line" in bad else bad["_row"]
    return [Problem(int(row), reason if line == row else f"{reason} (line {line} of the file)")
            for row, line, reason in zip(bad["_row"], lines, reasons)]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


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
             known_areas: Collection[str] | None, *, line_breaks: bool) -> pd.Series:
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
    for column in _REQUIRED if line_breaks else ():
        flag(frame[column].str.contains(r"[\r\n]"), lambda b, column=column: (
            f"line break in {column} {v!r}; a code is one line" for v in b[column]))
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
