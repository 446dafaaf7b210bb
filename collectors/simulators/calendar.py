"""Reporting periods in Vietnam time: when an hourly, daily, weekly ... value is stamped.

A value is stamped at the start of its period in local time (UTC+7): the hour,
00:00 of the day, Monday 00:00 of the week, 00:00 of the 1st of the month,
quarter or year. Functions take and return UTC epoch seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from collectors.simulators.patterns import UTC_OFFSET_HOURS

__all__ = ["PERIOD_DAYS", "period_starts", "period_start"]

#: Length of each frequency's period in days (flows per period scale with it).
PERIOD_DAYS = {"realtime": 1 / 24, "hourly": 1 / 24, "daily": 1.0, "weekly": 7.0,
               "monthly": 30.44, "quarterly": 91.31, "yearly": 365.24}

_LOCAL = timezone(timedelta(hours=UTC_OFFSET_HOURS))
_OFFSET = UTC_OFFSET_HOURS * 3600
_MONDAY = 4  # 1970-01-05, day 4 after the epoch, was a Monday
_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def _fixed_start(frequency: str, epoch: float) -> float:
    local = epoch + _OFFSET
    if frequency in ("realtime", "hourly"):
        return local // 3600 * 3600 - _OFFSET
    day = local // 86400
    if frequency == "weekly":
        day -= (day - _MONDAY) % 7
    return day * 86400 - _OFFSET


def _month_start(frequency: str, epoch: float) -> datetime:
    local = datetime.fromtimestamp(epoch, _LOCAL)
    step = _MONTHS[frequency]
    month = (local.month - 1) // step * step + 1
    return local.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def period_start(frequency: str, epoch: float) -> float:
    """Start (UTC epoch seconds) of the period of ``frequency`` that holds ``epoch``."""
    if frequency in _MONTHS:
        return _month_start(frequency, epoch).timestamp()
    return _fixed_start(frequency, epoch)


def period_starts(frequency: str, since: float, until: float) -> np.ndarray:
    """Starts of the periods that begin in [since, until), ascending."""
    if frequency in _MONTHS:
        out, current = [], _month_start(frequency, since)
        step = _MONTHS[frequency]
        while current.timestamp() < until:
            if current.timestamp() >= since:
                out.append(current.timestamp())
            month = current.month - 1 + step
            current = current.replace(year=current.year + month // 12, month=month % 12 + 1)
        return np.array(out, dtype=np.float64)
    width = 3600 if frequency in ("realtime", "hourly") else 86400 * (7 if frequency == "weekly" else 1)
    first = _fixed_start(frequency, since)
    if first < since:
        first += width
    return np.arange(first, until, width, dtype=np.float64)
