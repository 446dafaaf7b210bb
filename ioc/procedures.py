"""Dossier statistics (hồ sơ TTHC, DVC) per department, district or commune over a named period.

Which catalog indicator holds each figure is data: ``ioc/data/procedures/dossier_fields.csv``
(field, indicator_code, kind). ``count`` fields are summed over the period;
``share`` fields (%) are ratio indicators: when the catalog gives their
numerator and denominator, the share is recomputed from the two sums over the
period (sums are divided, rates never averaged); otherwise it is the latest
stored value at the period's end. The on-time rate and the online-submission
share likewise come from the summed counts (on_time ÷ resolved, online ÷ received).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

from ioc.errors import DataFileError
from ioc.formatting import LOCAL_TZ
from ioc.storage.db import Database
from ioc.storage.procedures import UnitFigures, latest_figures, period_sums, ratio_parts

__all__ = ["FIELDS", "PERIODS", "DossierRow", "DossierStats", "load_fields", "period_bounds", "dossier_stats",
           "assemble"]

logger = logging.getLogger(__name__)

COUNT_FIELDS = ("received", "resolved", "on_time", "overdue", "online")
SHARE_FIELDS = ("fully_online_share", "digitised_share", "cashless_share", "satisfaction")
FIELDS = COUNT_FIELDS + SHARE_FIELDS
PERIODS = ("7d", "30d", "month", "quarter", "year")
BY = ("department", "district", "commune")


@dataclass(frozen=True, slots=True)
class DossierRow:
    """One unit's dossier figures; rates are percentages (None when the divisor is 0 or unknown)."""

    code: str
    name_vi: str | None
    name_en: str | None
    values: dict[str, float | None] = field(default_factory=dict)

    def __getitem__(self, key: str) -> float | None:
        return self.values.get(key)

    @property
    def on_time_rate(self) -> float | None:
        """Dossiers resolved on time ÷ dossiers resolved × 100."""
        return _rate(self.values.get("on_time"), self.values.get("resolved"))

    @property
    def online_share(self) -> float | None:
        """Dossiers submitted online ÷ dossiers received × 100."""
        return _rate(self.values.get("online"), self.values.get("received"))


@dataclass(frozen=True, slots=True)
class DossierStats:
    """Dossier figures of every unit of one kind over [since, until), and a total row."""

    by: str
    period: str
    since: datetime
    until: datetime
    rows: list[DossierRow]
    total: DossierRow
    as_of: datetime | None


def _rate(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 2)


def _default_path() -> Path:
    return Path(str(resources.files("ioc") / "data" / "procedures" / "dossier_fields.csv"))


@cache
def load_fields(path: Path | None = None) -> dict[str, str]:
    """field → indicator code, validated: every field once, kinds as the code expects."""
    path = path or _default_path()
    mapping: dict[str, str] = {}
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DataFileError(str(path), None, f"cannot read the dossier field mapping: {exc}") from exc
    with handle:
        for number, row in enumerate(csv.DictReader(line for line in handle if not line.startswith("#")), start=2):
            name, code, kind = (row.get(k, "").strip() for k in ("field", "indicator_code", "kind"))
            if name not in FIELDS:
                raise DataFileError(str(path), number, f"unknown field {name!r}; use one of {', '.join(FIELDS)}")
            expected = "count" if name in COUNT_FIELDS else "share"
            if kind != expected:
                raise DataFileError(str(path), number, f"field {name} is a {expected}, not {kind!r}")
            if not code or name in mapping:
                raise DataFileError(str(path), number, f"field {name}: missing indicator code or listed twice")
            mapping[name] = code
    return mapping


def period_bounds(period: str, *, today: date | None = None) -> tuple[datetime, datetime]:
    """[start, end) of a named period ending with today (local time)."""
    today = today or datetime.now(LOCAL_TZ).date()
    end = datetime.combine(today + timedelta(days=1), time(0), LOCAL_TZ)
    if period == "7d":
        start = end - timedelta(days=7)
    elif period == "30d":
        start = end - timedelta(days=30)
    elif period == "month":
        start = datetime.combine(today.replace(day=1), time(0), LOCAL_TZ)
    elif period == "quarter":
        start = datetime.combine(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), time(0), LOCAL_TZ)
    elif period == "year":
        start = datetime.combine(date(today.year, 1, 1), time(0), LOCAL_TZ)
    else:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    return start, end


def _shares_from_parts(sums: list[UnitFigures], parts: dict[str, tuple[str, str]],
                       fields: dict[str, str]) -> list[UnitFigures]:
    """Per unit, each share recomputed as 100 × Σ numerator ÷ Σ denominator (when the divisor is > 0)."""
    out = []
    for unit in sums:
        values = {}
        for name in SHARE_FIELDS:
            code = fields.get(name)
            if code in parts:
                num, den = (unit.values.get(c) for c in parts[code])
                if num is not None and den:
                    values[code] = round(100.0 * num / den, 2)
        if values:
            out.append(UnitFigures(unit.code, unit.name_vi, unit.name_en, values, unit.as_of))
    return out


def assemble(by: str, period: str, since: datetime, until: datetime, sums: list[UnitFigures],
             latest: list[UnitFigures], fields: dict[str, str],
             parts: dict[str, tuple[str, str]] | None = None) -> DossierStats:
    """Rows per unit (sorted by dossiers received, most first) and the total row (pure).

    Shares from ``parts`` (numerator and denominator sums in ``sums``) win over
    the latest stored values.
    """
    rows: dict[str, DossierRow] = {}
    as_of: datetime | None = None
    derived = _shares_from_parts(sums, parts or {}, fields)
    for units, names in ((sums, COUNT_FIELDS), (latest, SHARE_FIELDS), (derived, SHARE_FIELDS)):
        for unit in units:
            row = rows.setdefault(unit.code, DossierRow(unit.code, unit.name_vi, unit.name_en, dict.fromkeys(FIELDS)))
            for name in names:
                if name in fields and fields[name] in unit.values:
                    row.values[name] = unit.values[fields[name]]
            if unit.as_of and (as_of is None or unit.as_of > as_of):
                as_of = unit.as_of
    ordered = sorted(rows.values(), key=lambda r: (-(r["received"] or 0), r.name_vi or r.code))
    totals: dict[str, float | None] = dict.fromkeys(FIELDS)
    for name in COUNT_FIELDS:
        known = [r[name] for r in ordered if r[name] is not None]
        totals[name] = sum(known) if known else None
    whole = _shares_from_parts([_sum_units(sums)], parts or {}, fields) if sums else []
    for name in SHARE_FIELDS:
        if whole and fields.get(name) in whole[0].values:
            totals[name] = whole[0].values[fields[name]]
    total = DossierRow("*", "Tổng cộng", "Total", totals)
    return DossierStats(by, period, since, until, ordered, total, as_of)


def _sum_units(units: list[UnitFigures]) -> UnitFigures:
    values: dict[str, float] = {}
    for unit in units:
        for code, value in unit.values.items():
            values[code] = values.get(code, 0.0) + value
    return UnitFigures("*", None, None, values)


def dossier_stats(db: Database, *, by: str, period: str, parent_code: str | None = None,
                  today: date | None = None) -> DossierStats:
    """Dossier statistics per ``department``, ``district`` or ``commune`` (under ``parent_code``)."""
    if by not in BY:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(BY)}")
    fields = load_fields()
    since, until = period_bounds(period, today=today)
    where = {"by_department": True} if by == "department" else {"level": by, "parent_code": parent_code}
    shares = [fields[f] for f in SHARE_FIELDS if f in fields]
    with db.connection() as conn:
        parts = ratio_parts(conn, shares)
        counts = [fields[f] for f in COUNT_FIELDS if f in fields] + [c for pair in parts.values() for c in pair]
        sums = period_sums(conn, codes=list(dict.fromkeys(counts)), since=since, until=until, **where)
        latest = latest_figures(conn, codes=shares, until=until, **where)
    return assemble(by, period, since, until, sums, latest, fields, parts)
