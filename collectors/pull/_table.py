"""Reading a dropped spreadsheet (CSV or .xlsx) into numbered rows of named cells.

Header names are trimmed and lower-cased. Rows are numbered as a spreadsheet
shows them: the header is row 1, the first data row is row 2. Blank rows are
skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["TableRow", "read_table", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = (".csv", ".xlsx")

TableRow = tuple[int, dict[str, Any]]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows(header: list[Any], body: Iterator[tuple[int, list[Any]]]) -> tuple[list[str], list[TableRow]]:
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    rows: list[TableRow] = []
    for number, cells in body:
        if all(_blank(c) for c in cells):
            continue
        rows.append((number, {name: cells[i] if i < len(cells) else None for i, name in enumerate(names) if name}))
    return names, rows


def _read_csv(path: Path) -> tuple[list[str], list[TableRow]]:
    text = path.read_bytes().decode("utf-8-sig")  # Excel writes a BOM
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = list(reader)
    if not lines:
        return [], []
    return _rows(lines[0], ((n, line) for n, line in enumerate(lines[1:], start=2)))


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[TableRow]]:
    import openpyxl  # imported here: only file-drop sources need it

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ValueError(f"has no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        lines = [list(r) for r in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not lines:
        return [], []
    return _rows(lines[0], ((n, line) for n, line in enumerate(lines[1:], start=2)))


def read_table(path: Path, *, sheet: str | None = None) -> tuple[list[str], list[TableRow]]:
    """Header names and numbered data rows of a CSV or .xlsx file; ValueError says why it can't be read."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _read_csv(path)
        if suffix == ".xlsx":
            return _read_xlsx(path, sheet)
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text; save the CSV as 'CSV UTF-8' or send .xlsx") from None
    except ValueError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ValueError(f"cannot be read as {suffix} ({type(exc).__name__}: {exc})") from None
    raise ValueError(f"has an unsupported type {suffix!r}; send .csv or .xlsx")
