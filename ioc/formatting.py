"""Numbers, percentages, dates and times written the way each UI language reads them.

Vietnamese uses a decimal comma and a dot for thousands (77,84; 286.947) and
day/month/year dates (24/11/2026); English uses 77.84; 286,947; 24 Nov 2026.
Times are shown in the province's time zone (UTC+7, no daylight saving).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

__all__ = [
    "LOCAL_TZ",
    "format_number",
    "format_percent",
    "format_change",
    "format_date",
    "format_datetime",
    "format_time",
    "parse_number",
]

LOCAL_TZ = timezone(timedelta(hours=7), "ICT")
_MISSING = "—"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _separators(lang: str) -> tuple[str, str]:
    """(thousands, decimal) separators of a language."""
    return (".", ",") if lang == "vi" else (",", ".")


def format_number(value: float | int | None, lang: str = "vi", *, decimals: int = 0) -> str:
    """``286947`` → ``286.947`` (vi) / ``286,947`` (en); ``None`` or NaN → an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _MISSING
    thousands, decimal = _separators(lang)
    text = f"{value:,.{max(decimals, 0)}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def format_percent(value: float | None, lang: str = "vi", *, decimals: int = 1) -> str:
    """A percentage already expressed in percent: ``58.7`` → ``58,7%``."""
    if value is None:
        return _MISSING
    return f"{format_number(value, lang, decimals=decimals)}%"


def format_change(value: float | None, lang: str = "vi", *, decimals: int = 1, percent: bool = False) -> str:
    """A signed change: ``+1,5`` / ``−0,3%`` (true minus sign), or an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _MISSING
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    body = format_number(abs(value), lang, decimals=decimals)
    return f"{sign}{body}{'%' if percent else ''}"


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_TZ)


def format_date(day: date | datetime | None, lang: str = "vi") -> str:
    """``24/11/2026`` (vi) / ``24 Nov 2026`` (en); datetimes are shown in local time."""
    if day is None:
        return _MISSING
    if isinstance(day, datetime):
        day = _local(day).date()
    if lang == "vi":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def format_time(moment: datetime | None) -> str:
    """Local clock time ``08:15`` (both languages use 24-hour time here)."""
    if moment is None:
        return _MISSING
    return _local(moment).strftime("%H:%M")


def format_datetime(moment: datetime | None, lang: str = "vi") -> str:
    """``08:15 24/11/2026`` (vi) / ``08:15, 24 Nov 2026`` (en), in local time."""
    if moment is None:
        return _MISSING
    separator = " " if lang == "vi" else ", "
    return f"{format_time(moment)}{separator}{format_date(moment, lang)}"


def parse_number(text: str, lang: str = "vi") -> float:
    """Inverse of :func:`format_number` for user input: ``'1.234,5'`` → ``1234.5`` (vi)."""
    thousands, decimal = _separators(lang)
    cleaned = text.strip().replace("\u2212", "-").replace(thousands, "").replace(decimal, ".")
    try:
        return float(cleaned)
    except ValueError:
        raise ValueError(f"not a number in {lang}: {text!r} (write e.g. {format_number(1234.5, lang, decimals=1)})") from None
