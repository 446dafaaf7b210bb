"""Refusing an import file whole, naming every problem with its row and reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ioc.errors import ImportRefused

__all__ = ["Problem", "refuse_if_any"]

_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason to refuse a file: the 1-based row (header = row 1) or feature number."""

    row: int | None
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}" if self.row is not None else self.reason


def refuse_if_any(path: str | Path, problems: list[Problem], *, hint: str = "fix the file and run again") -> None:
    """Raise :class:`ImportRefused` for the first problem, listing the others, if there are any."""
    if not problems:
        return
    first, rest = problems[0], problems[1:]
    reason = first.reason
    if rest:
        shown = "; ".join(str(p) for p in rest[:_SHOWN])
        more = f" ... and {len(rest) - _SHOWN} more" if len(rest) > _SHOWN else ""
        reason += f" (and {len(rest)} more problem(s): {shown}{more})"
    reason += f"; nothing was imported, {hint}"
    raise ImportRefused(str(path), first.row, reason, problems=problems)
