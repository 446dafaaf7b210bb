"""Field → indicator-code mappings of the 766 and one-stop adapters (CSV data files).

Each mapping file has the columns ``field,indicator_code,description`` (the
one-stop file also ``department_family``). A field left without a code is not
stored. The files live in ``collectors/pull/mappings/``
and can be replaced per source with the ``mapping`` option.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from pathlib import Path

from ioc.errors import DataFileError

__all__ = ["load_field_mapping", "MAPPINGS_DIR"]

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"


def load_field_mapping(
    path: Path, *, fields: Collection[str], column: str = "indicator_code", optional: bool = False
) -> dict[str, str]:
    """Field → code of one column of a mapping file; :class:`DataFileError` with row and reason on a problem.

    With ``optional``, a file without the column maps nothing instead of being refused.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataFileError(str(path), None, f"cannot read the mapping file ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    if optional and reader.fieldnames is not None and column not in reader.fieldnames:
        return {}
    if reader.fieldnames is None or not {"field", column} <= set(reader.fieldnames):
        raise DataFileError(str(path), 1, f"the header must have the columns field,{column}")
    mapping: dict[str, str] = {}
    for row_number, row in enumerate(reader, start=2):
        field = (row.get("field") or "").strip()
        code = (row.get(column) or "").strip()
        if field not in fields:
            raise DataFileError(str(path), row_number, f"unknown field {field!r}; known: {', '.join(sorted(fields))}")
        if field in mapping:
            raise DataFileError(str(path), row_number, f"field {field!r} is mapped twice")
        if code:
            mapping[field] = code
    return mapping
