"""Reading the catalog's CSV files: comment lines, line numbers, required columns, error lists."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ioc.errors import DataFileError

__all__ = ["Row", "ErrorList", "read_rows", "clean"]


@dataclass(frozen=True, slots=True)
class Row:
    """One data row of a CSV file and the line it starts on (the header is line 1)."""

    line: int
    values: dict[str, str]

    def get(self, name: str) -> str | None:
        """The stripped value of a column, None when empty or absent."""
        return clean(self.values.get(name))


def clean(value: str | None) -> str | None:
    """Strip a cell; empty becomes None."""
    if value is None:
        return None
    value = value.strip()
    return value or None


@dataclass
class ErrorList:
    """Problems found while reading a set of files; raised together as one DataFileError."""

    errors: list[DataFileError] = field(default_factory=list)

    def add(self, path: Path | str, line: int | None, reason: str) -> None:
        """Record one problem at ``path``, ``line``."""
        self.errors.append(DataFileError(str(path), line, reason))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __iter__(self) -> Iterator[DataFileError]:
        return iter(self.errors)

    def raise_if_any(self, what: str) -> None:
        """Raise one DataFileError listing every problem (the first one's path and row)."""
        if not self.errors:
            return
        first = self.errors[0]
        lines = "\n".join(f"  {err}" for err in self.errors[:200])
        more = f"\n  ... and {len(self.errors) - 200} more" if len(self.errors) > 200 else ""
        error = DataFileError(
            first.path, first.row,
            f"{first.reason}\n{what}: {len(self.errors)} problem(s); fix each and load again:\n{lines}{more}",
        )
        error.problems = list(self.errors)  # type: ignore[attr-defined]
        raise error


def _cells(text: str) -> list[str]:
    """Cells of one CSV line (catalog cells never span lines)."""
    return next(csv.reader([text.rstrip("\r\n")]), [])


def read_rows(path: Path, required: tuple[str, ...], errors: ErrorList) -> list[Row]:
    """Data rows of ``path``; lines starting with ``#`` are comments. Missing columns are errors."""
    if not path.is_file():
        errors.add(path, None, "file not found; the catalog folder needs it")
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = [(no, text) for no, text in enumerate(fh, start=1)]
    data = [(no, text) for no, text in lines if text.strip() and not text.lstrip().startswith("#")]
    if not data:
        errors.add(path, None, "file is empty; it needs a header line")
        return []
    header = [h.strip() for h in _cells(data[0][1])]
    missing = [name for name in required if name not in header]
    if missing:
        errors.add(path, data[0][0], f"header lacks column(s) {', '.join(missing)}")
        return []
    rows = []
    for line, text in data[1:]:
        cells = _cells(text)
        if len(cells) != len(header):
            errors.add(path, line, f"has {len(cells)} cells, the header has {len(header)}")
            continue
        rows.append(Row(line, dict(zip(header, cells, strict=True))))
    return rows
