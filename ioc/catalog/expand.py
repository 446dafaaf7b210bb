"""Expand indicator families × dimensions into the indicator list (``indicators.csv``).

A family (one row of ``families.csv``) is a kind of figure, e.g. "Tỷ lệ hồ sơ
lĩnh vực {procedure_field} giải quyết đúng hạn". Its ``dims`` column names the
dimensions it is crossed with (``|``-separated); each member of a dimension gives
one indicator whose code is ``family.MEMBER`` (``familyMEMBER`` when the family
ends in ``_``) and whose names replace
``{dimension}`` by the member's Vietnamese / English name. ``{code}`` in the
numerator / denominator columns stands for the member code(s), so a ratio points at
its parts of the same member.

Members come from ``dimensions.csv``; three dimensions come from other catalog
files: ``department`` (departments.csv; the member becomes the owner),
``score766_group`` and ``score766_criterion`` (target = the maximum points).
A member's non-empty unit, direction, thresholds, target, device metric, owner,
decimals or levels override the family's (the device metric only in mqtt families).
A threshold written ``*0.7`` is 0.7 × the target.

Expansion is deterministic (file order), and its result is committed as
``indicators.csv`` so that every indicator is reviewable in a diff; a test checks
that the two never drift. Regenerate with ``ioc catalog expand``.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ioc.catalog._csv import ErrorList, Row, read_rows

__all__ = [
    "INDICATOR_COLUMNS",
    "FAMILY_COLUMNS",
    "DIMENSION_COLUMNS",
    "expand_families",
    "render_indicators",
    "write_indicators",
]

logger = logging.getLogger(__name__)

INDICATOR_COLUMNS = (
    "code", "name_vi", "name_en", "sector_code", "department_code", "unit", "frequency",
    "agg_time", "agg_area", "numerator_code", "denominator_code", "direction", "warning",
    "critical", "target", "levels", "source", "device_kind", "device_metric", "decimals",
    "description_vi", "description_en",
)
FAMILY_COLUMNS = ("family", "dims") + tuple(c for c in INDICATOR_COLUMNS if c != "code")
OVERRIDES = (
    "unit", "direction", "warning", "critical", "target", "device_metric", "department_code", "decimals", "levels",
)
DIMENSION_COLUMNS = ("dimension", "code", "name_vi", "name_en") + OVERRIDES

GENERATED_NOTE = ("# Generated from families.csv x dimensions.csv by `ioc catalog expand`: "
                  "edit those files, then regenerate this one.\n")

_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
_MEMBER_CODE = re.compile(r"^[A-Z0-9_]+$")
_MULTIPLIER = re.compile(r"^\*(\d+(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a dimension: its code, names and the attributes it overrides."""

    code: str
    name_vi: str
    name_en: str
    overrides: dict[str, str]


def _number(value: float) -> str:
    return f"{round(value, 4):g}"


def _csv_dimensions(folder: Path, errors: ErrorList) -> dict[str, list[Member]]:
    path = folder / "dimensions.csv"
    dims: dict[str, list[Member]] = {}
    seen: set[tuple[str, str]] = set()
    for row in read_rows(path, DIMENSION_COLUMNS[:4], errors):  # override columns are optional
        dim, code = row.get("dimension"), row.get("code")
        name_vi, name_en = row.get("name_vi"), row.get("name_en")
        if not (dim and code and name_vi and name_en):
            errors.add(path, row.line, "dimension, code, name_vi and name_en are all required")
            continue
        if not _MEMBER_CODE.match(code):
            errors.add(path, row.line, f"member code {code!r} must be upper-case letters, digits or _")
            continue
        if (dim, code) in seen:
            errors.add(path, row.line, f"duplicate member {code!r} of dimension {dim!r}")
            continue
        seen.add((dim, code))
        overrides = {name: value for name in OVERRIDES if (value := row.get(name)) is not None}
        dims.setdefault(dim, []).append(Member(code, name_vi, name_en, overrides))
    return dims


def _file_dimensions(folder: Path, errors: ErrorList) -> dict[str, list[Member]]:
    """The dimensions taken from departments.csv and the 766 weight files."""
    dims: dict[str, list[Member]] = {"department": [], "score766_group": [], "score766_criterion": []}
    for row in read_rows(folder / "departments.csv", ("code", "name_vi", "name_en"), errors):
        code = row.get("code") or ""
        dims["department"].append(Member(code, row.get("name_vi") or "", row.get("name_en") or "",
                                         {"department_code": code}))
    for kind, file in (("score766_group", "score766_groups.csv"), ("score766_criterion", "score766_criteria.csv")):
        for row in read_rows(folder / file, ("code", "name_vi", "name_en", "max_points"), errors):
            code = row.get("code") or ""
            dims[kind].append(Member(code, row.get("name_vi") or "", row.get("name_en") or "",
                                     {"target": row.get("max_points") or ""}))
    return dims


def _fill(template: str | None, names: dict[str, str]) -> str:
    if template is None:
        return ""
    return _PLACEHOLDER.sub(lambda m: names.get(m.group(1), m.group(0)), template)


def _combinations(dims: list[list[Member]]) -> list[list[Member]]:
    combos: list[list[Member]] = [[]]
    for members in dims:
        combos = [combo + [member] for combo in combos for member in members]
    return combos


def _check_family(path: Path, row: Row, dim_names: list[str], known: dict[str, list[Member]],
                  errors: ErrorList) -> bool:
    ok = True
    for dim in dim_names:
        if dim not in known or not known[dim]:
            errors.add(path, row.line, f"unknown dimension {dim!r}; add its members to dimensions.csv")
            ok = False
    for column in ("name_vi", "name_en"):
        used = set(_PLACEHOLDER.findall(row.get(column) or ""))
        if unknown := used - set(dim_names):
            errors.add(path, row.line, f"{column} uses {{{', '.join(sorted(unknown))}}} not listed in dims")
            ok = False
        if missing := set(dim_names) - used:
            errors.add(path, row.line, f"{column} must mention {{{', '.join(sorted(missing))}}} "
                                       "or every member would get the same name")
            ok = False
    for column in ("warning", "critical"):
        value = row.get(column)
        if value and value.startswith("*") and not _MULTIPLIER.match(value):
            errors.add(path, row.line, f"{column} {value!r}: write a multiple of the target as *0.7")
            ok = False
    return ok


def _indicator(row: Row, dim_names: list[str], combo: list[Member]) -> dict[str, str]:
    family = row.get("family") or ""
    code = ".".join([family] + [m.code for m in combo])
    if family.endswith("_") and combo:  # a stem ending in _ is glued to its member: CCHC766.DIEM_CKMB
        code = family + ".".join(m.code for m in combo)
    member_codes = ".".join(m.code for m in combo)
    names_vi = {d: m.name_vi for d, m in zip(dim_names, combo, strict=True)}
    names_en = {d: m.name_en for d, m in zip(dim_names, combo, strict=True)}
    out = {column: row.get(column) or "" for column in INDICATOR_COLUMNS}
    out["code"] = code
    for member in combo:
        out.update(member.overrides)
    if out["source"] != "mqtt":  # a member's device metric only concerns families fed by devices
        out["device_metric"] = row.get("device_metric") or ""
    for column in ("name_vi", "description_vi"):
        out[column] = _fill(row.get(column), names_vi)
    for column in ("name_en", "description_en"):
        out[column] = _fill(row.get(column), names_en)
    for column in ("numerator_code", "denominator_code"):
        out[column] = _fill(row.get(column), {"code": member_codes})
    for column in ("warning", "critical"):
        if (match := _MULTIPLIER.match(out[column])) and out["target"]:
            out[column] = _number(float(match.group(1)) * float(out["target"]))
    return out


def expand_families(folder: Path) -> list[dict[str, str]]:
    """Every indicator row the families and dimensions of ``folder`` define, in file order."""
    errors = ErrorList()
    known = _file_dimensions(folder, errors) | _csv_dimensions(folder, errors)
    path = folder / "families.csv"
    rows: list[dict[str, str]] = []
    for row in read_rows(path, FAMILY_COLUMNS, errors):
        if not row.get("family"):
            errors.add(path, row.line, "family (the code stem) is required")
            continue
        dim_names = [d.strip() for d in (row.get("dims") or "").split("|") if d.strip()]
        if not _check_family(path, row, dim_names, known, errors):
            continue
        for combo in _combinations([known[d] for d in dim_names]):
            rows.append(_indicator(row, dim_names, combo))
    errors.raise_if_any(f"expanding the indicator families of {folder}")
    logger.debug("expanded %s families into %s indicators", folder, len(rows))
    return rows


def render_indicators(rows: list[dict[str, str]]) -> str:
    """The CSV text of ``indicators.csv`` (header first, LF line ends)."""
    buffer = io.StringIO()
    buffer.write(GENERATED_NOTE)
    writer = csv.DictWriter(buffer, fieldnames=INDICATOR_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_indicators(folder: Path) -> tuple[Path, int]:
    """Regenerate ``folder/indicators.csv`` from the families; return its path and row count."""
    rows = expand_families(folder)
    target = folder / "indicators.csv"
    target.write_text(render_indicators(rows), encoding="utf-8")
    logger.info("wrote %s indicators to %s", len(rows), target)
    return target, len(rows)
