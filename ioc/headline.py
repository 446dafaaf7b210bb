"""The list of headline KPIs shown to leaders: ``ioc/data/headline_kpis.csv`` (one code a line)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path

from ioc.errors import DataFileError

__all__ = ["load_headline_codes", "headline_codes"]


def load_headline_codes(path: Path | None = None) -> tuple[str, ...]:
    """Indicator codes in display order; '#' lines are comments. Duplicates are an error."""
    path = path or Path(str(resources.files("ioc") / "data" / "headline_kpis.csv"))
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    except OSError as exc:
        raise DataFileError(str(path), None, f"cannot read the headline KPI list: {exc}") from exc
    reader = csv.DictReader(lines)
    if reader.fieldnames != ["code"]:
        raise DataFileError(str(path), 1, f"header must be 'code' (got {reader.fieldnames})")
    codes: list[str] = []
    for row_number, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip()
        if not code:
            raise DataFileError(str(path), row_number, "empty code")
        if code in codes:
            raise DataFileError(str(path), row_number, f"duplicate code {code!r}")
        codes.append(code)
    return tuple(codes)


@cache
def headline_codes() -> tuple[str, ...]:
    """The packaged headline list (read once per process)."""
    return load_headline_codes()
