"""Lenient parsing of the values departments send: times, periods and numbers.

Each function raises ``ValueError`` with a short reason that the caller puts
next to the file, row and column it came from.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, tzinfo

from collectors.pull.base import LOCAL_TZ

__all__ = ["parse_timestamp", "parse_number", "parse_week"]

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")


def _at_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def parse_week(text: str, *, tz: tzinfo = LOCAL_TZ) -> datetime:
    """Monday 00:00 local of an ISO week written ``2026-W47``."""
    match = _WEEK.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week like 2026-W47")
    year, week = int(match[1]), int(match[2])
    try:
        return _at_midnight(date.fromisocalendar(year, week, 1), tz)
    except ValueError:
        raise ValueError(f"{text!r}: week {week} does not exist in {year}") from None


def _parse_period(text: str, tz: tzinfo) -> datetime | None:
    """Start of a period written as a month, quarter, ISO week or year; None if not a period."""
    if m := _MONTH.match(text):
        return _at_midnight(date(int(m[1]), int(m[2]), 1), tz)
    if m := _QUARTER.match(text):
        return _at_midnight(date(int(m[1]), 3 * int(m[2]) - 2, 1), tz)
    if _WEEK.match(text):
        return parse_week(text, tz=tz)
    if m := _YEAR.match(text):
        return _at_midnight(date(int(m[1]), 1, 1), tz)
    return None


def parse_timestamp(value: object, *, tz: tzinfo = LOCAL_TZ) -> datetime:
    """A timezone-aware instant from an ISO time, a dd/mm/yyyy date, a period or a spreadsheet cell.

    Times without a zone are local time (``tz``). Periods (``2026-11``,
    ``2026-Q3``, ``2026-W47``, ``2026``) mean their first instant.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return _at_midnight(value, tz)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{value!r} is not a date or time")
    text = value.strip()
    try:
        if m := _DMY.match(text):
            day, month, year = int(m[1]), int(m[2]), int(m[3])
            hour, minute, second = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
            return datetime(year, month, day, hour, minute, second, tzinfo=tz)
        if (start := _parse_period(text, tz)) is not None:
            return start
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date (use 2026-11-24, 24/11/2026 or 2026-11-24T08:00:00+07:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def parse_number(value: object) -> float:
    """A finite float from a number or a text such as ``84,2``, ``1.234,5``, ``286947`` or ``90%``."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().replace("\u00a0", "").replace(" ", "").removesuffix("%")
        if "," in text and "." in text:
            # Vietnamese 1.234,5 or English 1,234.5: the last separator is the decimal one.
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"{value!r} is not a number")
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number

