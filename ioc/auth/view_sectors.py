"""Which sectors a non-indicator view belongs to: ``ioc/data/view_sectors.csv`` (view, sector_code).

Pages that list indicators are scoped by the indicators' own sectors; views of other
figures (the 766 ranking, dossier statistics) are scoped through this small file, so
no callback hard-codes a sector code.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path

from ioc.errors import DataFileError

__all__ = ["load_view_sectors", "view_sectors", "may_read_view"]


def load_view_sectors(path: Path | None = None) -> dict[str, frozenset[str]]:
    """View name → the sectors whose figures it shows; '#' lines are comments."""
    path = path or Path(str(resources.files("ioc") / "data" / "view_sectors.csv"))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(str(path), None, f"cannot read the view sectors: {exc}") from exc
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line and not line.startswith("#")]
    if not numbered or numbered[0][1].strip() != "view,sector_code":
        raise DataFileError(str(path), numbered[0][0] if numbered else 1, "header must be 'view,sector_code'")
    found: dict[str, set[str]] = {}
    for line_number, line in numbered[1:]:
        row = next(csv.reader([line]))
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise DataFileError(str(path), line_number, f"expected 'view,sector_code', got {line!r}")
        found.setdefault(row[0].strip(), set()).add(row[1].strip())
    return {view: frozenset(codes) for view, codes in found.items()}


@cache
def view_sectors() -> dict[str, frozenset[str]]:
    """The packaged mapping (read once per process)."""
    return load_view_sectors()


def may_read_view(view: str, allowed: tuple[str, ...] | list[str] | None) -> bool:
    """Whether a viewer restricted to ``allowed`` sectors (None = all) may see ``view``."""
    if allowed is None:
        return True
    return bool(view_sectors().get(view, frozenset()) & set(allowed))
