"""Pull source ``file_drop``: a folder where departments drop CSV or Excel spreadsheets.

Columns (header row, any order, case-insensitive; other columns are ignored):
``indicator_code``, ``area_code``, ``ts`` or ``period``, ``value``. A file is
validated whole before anything is written: an unknown indicator or area, a bad
number, a bad date or a duplicate row refuses the *whole* file, which is moved
to ``<folder>/rejected/`` with ``<file>.reason.txt`` beside it giving file,
row, column and reason of each problem. A good file is written in one
transaction, then moved to ``<folder>/done/``.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from collectors.pull._parse import parse_number, parse_timestamp
from collectors.pull._table import SUPPORTED_SUFFIXES, read_table
from collectors.pull.base import LOCAL_TZ, PullBatch, PullContext, PullResult
from ioc.model import Reading, SeriesKey

__all__ = ["FileDropOptions", "FileDropSource", "FileProblem", "validate_file", "REQUIRED_COLUMNS"]

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("indicator_code", "area_code", "value")
_TIME_COLUMNS = ("ts", "period")
_MAX_PROBLEMS = 200


class FileDropOptions(BaseModel):
    """Options of a ``file_drop`` source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    folder: Path = Field(description="folder watched for dropped files; done/ and rejected/ are made inside")
    sheet: str | None = Field(None, description="worksheet of .xlsx files to read; default the first")
    settle_seconds: float = Field(5.0, ge=0, description="ignore files changed more recently (still being copied)")


@dataclass(frozen=True)
class FileProblem:
    """Why a file is refused: where (row, column) and what is wrong."""

    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = [f"row {self.row}" if self.row is not None else "", f"column {self.column}" if self.column else ""]
        prefix = ", ".join(w for w in where if w)
        return f"{prefix}: {self.reason}" if prefix else self.reason


def _check_header(names: list[str]) -> list[FileProblem]:
    problems = [FileProblem(1, col, "required column is missing") for col in REQUIRED_COLUMNS if col not in names]
    if not any(col in names for col in _TIME_COLUMNS):
        problems.append(FileProblem(1, "ts", "a 'ts' or 'period' column is required"))
    return problems


def validate_file(path: Path, ctx: PullContext, *, sheet: str | None = None) -> tuple[list[Reading], list[FileProblem]]:
    """All readings of a file and every problem found; the file is usable only when there are none."""
    try:
        names, rows = read_table(path, sheet=sheet)
    except ValueError as exc:
        return [], [FileProblem(None, None, f"the file {exc}")]
    if problems := _check_header(names):
        return [], problems
    if not rows:
        return [], [FileProblem(None, None, "the file has no data rows")]
    time_column = "ts" if "ts" in names else "period"
    readings: list[Reading] = []
    seen: dict[tuple[str, str, datetime], int] = {}
    for number, cells in rows:
        row_problems, reading = _check_row(number, cells, time_column, ctx)
        problems.extend(row_problems)
        if reading is not None:
            identity = (reading.key.indicator_code, reading.key.area_code, reading.ts)
            if identity in seen:
                problems.append(FileProblem(number, time_column, f"duplicates row {seen[identity]} (same indicator, area and time)"))
            seen.setdefault(identity, number)
            readings.append(reading)
        if len(problems) >= _MAX_PROBLEMS:
            problems.append(FileProblem(None, None, f"stopped after {_MAX_PROBLEMS} problems"))
            break
    return readings, problems


def _check_row(number: int, cells: dict, time_column: str, ctx: PullContext) -> tuple[list[FileProblem], Reading | None]:
    problems: list[FileProblem] = []
    indicator = str(cells.get("indicator_code") or "").strip()
    area = str(cells.get("area_code") or "").strip()
    if indicator not in ctx.indicators:
        problems.append(FileProblem(number, "indicator_code", f"unknown indicator {indicator!r}"))
    if area not in ctx.areas:
        problems.append(FileProblem(number, "area_code", f"unknown area {area!r}"))
    ts = value = None
    try:
        ts = parse_timestamp(cells.get(time_column))
    except ValueError as exc:
        problems.append(FileProblem(number, time_column, str(exc)))
    try:
        value = parse_number(cells.get("value"))
    except ValueError as exc:
        problems.append(FileProblem(number, "value", str(exc)))
    if problems or ts is None or value is None:
        return problems, None
    return [], Reading(SeriesKey.for_indicator(indicator, area), ts, value)


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    if not target.exists():
        return target
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%dT%H%M%S%f")
    return folder / f"{Path(name).stem}.{stamp}{Path(name).suffix}"


def _reason_text(path: Path, problems: list[FileProblem]) -> str:
    lines = [
        f"File / Tệp: {path.name}",
        f"Refused at / Từ chối lúc: {datetime.now(LOCAL_TZ):%d/%m/%Y %H:%M:%S}",
        "Nothing of this file was written. Fix the problems below and drop the file again.",
        "Không dữ liệu nào của tệp này được ghi. Hãy sửa các lỗi dưới đây rồi gửi lại tệp.",
        "",
    ]
    lines += [f"{path.name}, {p}" for p in problems]
    return "\n".join(lines) + "\n"


class FileDropSource:
    """Takes every settled file in the folder: good files are written, bad ones moved aside."""

    kind = "file_drop"

    def __init__(self, name: str, options: FileDropOptions, *, timeout: float) -> None:
        self.name = name
        self.options = options
        self.timeout = timeout
        self.done_dir = options.folder / "done"
        self.rejected_dir = options.folder / "rejected"

    def _pending(self) -> list[Path]:
        now = time.time()
        files = []
        for path in sorted(self.options.folder.iterdir()):
            if not path.is_file() or path.name.startswith((".", "~$")) or path.suffix.lower() in (".tmp", ".part"):
                continue
            if now - path.stat().st_mtime < self.options.settle_seconds:
                continue
            files.append(path)
        return files

    def refuse(self, path: Path, problems: list[FileProblem]) -> Path:
        """Move a bad file to rejected/ with its reasons beside it; return its new path."""
        self.rejected_dir.mkdir(parents=True, exist_ok=True)
        target = _free_name(self.rejected_dir, path.name)
        shutil.move(path, target)
        target.with_name(target.name + ".reason.txt").write_text(_reason_text(path, problems), encoding="utf-8")
        logger.warning("source %s: refused %s (%d problem(s)), first: %s", self.name, path.name, len(problems), problems[0])
        return target

    def _accept(self, path: Path) -> None:
        self.done_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(path, _free_name(self.done_dir, path.name))

    def gather(self, ctx: PullContext) -> PullResult:
        """Validate every settled file; good ones become batches, bad ones are refused now."""
        try:
            self.options.folder.mkdir(parents=True, exist_ok=True)
            pending = self._pending()
        except OSError as exc:
            return PullResult.failure(f"drop folder {self.options.folder}: {exc}")
        batches: list[PullBatch] = []
        rejected: list[str] = []
        for path in pending:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                problems = [FileProblem(None, None, f"unsupported file type {path.suffix!r}; send .csv or .xlsx")]
                readings: list[Reading] = []
            else:
                readings, problems = validate_file(path, ctx, sheet=self.options.sheet)
            if problems:
                moved = self.refuse(path, problems)
                more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
                rejected.append(f"{path.name}, {problems[0]}{more}; see rejected/{moved.name}.reason.txt")
                continue
            batches.append(
                PullBatch(tuple(readings), label=path.name, on_written=lambda _rows, p=path: self._accept(p))
            )
        return PullResult(batches=tuple(batches), rejected=tuple(rejected), notes={"files": len(batches)})
