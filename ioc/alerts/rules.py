"""Alert rules as pure functions: thresholds with direction and hysteresis, rate of change,
staleness, device offline and incident events. No database, no clock: easy to test.

Threshold semantics match :func:`ioc.storage.kpis.classify`: for ``higher_better``
a value at or below ``critical`` is critical and below ``warning`` is a warning;
for ``lower_better`` at or above ``critical`` is critical and above ``warning``
is a warning; ``neutral`` indicators never alert on thresholds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from ioc.formatting import format_datetime, format_number
from ioc.thresholds import threshold_severity

__all__ = [
    "SEVERITY_ORDER",
    "threshold_severity",
    "severity_with_hysteresis",
    "is_cleared",
    "relative_change",
    "is_offline",
    "incident_severity",
    "threshold_message",
    "rate_message",
    "stale_message",
    "offline_message",
    "incident_message",
]

_RANK = {None: 0, "warning": 1, "critical": 2}
#: Order of alert severities, least severe first.
SEVERITY_ORDER = {"info": 0, "warning": 1, "critical": 2}
_STEP_DOWN = {"critical": "warning", "warning": None}

INCIDENT_NAMES = {
    "accident": ("tai nạn giao thông", "traffic accident"),
    "wrong_way": ("xe đi ngược chiều", "wrong-way vehicle"),
    "stalled_vehicle": ("xe dừng đỗ bất thường", "stalled vehicle"),
    "crowd": ("tụ tập đông người", "crowd"),
    "fire": ("cháy", "fire"),
    "flood": ("ngập nước", "flooding"),
}


def is_cleared(value: float, threshold: float, band: float, direction: str) -> bool:
    """Whether a value is back on the good side of a threshold by at least ``band``."""
    if direction == "higher_better":
        return value >= threshold + band
    if direction == "lower_better":
        return value <= threshold - band
    return True


def severity_with_hysteresis(
    value: float,
    *,
    direction: str,
    warning: float | None,
    critical: float | None,
    current: str | None,
    band: Callable[[float], float],
) -> str | None:
    """The severity an alert should have now, given the severity it has (``current``).

    Worsening takes effect at once; improving steps an alert down only when the
    value is back past the threshold of its present level by ``band(threshold)``,
    so a value hovering at a threshold neither flaps nor reopens.
    """
    raw = threshold_severity(value, direction=direction, warning=warning, critical=critical)
    level = current
    while _RANK[raw] < _RANK[level]:
        threshold = critical if level == "critical" else warning
        if threshold is not None and not is_cleared(value, threshold, band(threshold), direction):
            break
        level = _STEP_DOWN[level]
    return raw if _RANK[raw] >= _RANK[level] else level


def relative_change(value: float, previous: float | None) -> float | None:
    """Change from the previous value as a fraction of it (0.25 = +25 %); None without a base."""
    if previous is None or previous == 0:
        return None
    return (value - previous) / abs(previous)


def is_offline(last_seen: datetime | None, *, now: datetime, minutes: float) -> bool:
    """A device heard from before but not within the last ``minutes``."""
    return last_seen is not None and now - last_seen > timedelta(minutes=minutes)


def incident_severity(event_severity: str) -> str:
    """Alert severity of an incident event: its own when warning/critical, else warning."""
    return event_severity if event_severity in ("warning", "critical") else "warning"


def _amount(value: float, unit: str, lang: str, decimals: int) -> str:
    shown = format_number(value, lang, decimals=0 if float(value).is_integer() else decimals)
    if not unit:
        return shown
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}"


def _subject(name: str, area: str | None, metric: str | None, lang: str) -> str:
    where = f" {'tại' if lang == 'vi' else 'in'} {area}" if area else ""
    detail = f" ({metric.removeprefix('department:')})" if metric else ""
    return f"{name}{where}{detail}"


def threshold_message(
    *, name: tuple[str, str], area: tuple[str | None, str | None], metric: str | None, unit: str, decimals: int,
    direction: str, value: float, severity: str, threshold: float,
) -> tuple[str, str]:
    """(vi, en): "Tỷ lệ hồ sơ đúng hạn tại Dĩ An giảm xuống 84,2% (ngưỡng cảnh báo 90%)"."""
    verb_vi, verb_en = {"higher_better": ("giảm xuống", "fell to"), "lower_better": ("tăng lên", "rose to")}.get(
        direction, ("ở mức", "is at"))
    level_vi, level_en = ("ngưỡng nghiêm trọng", "critical threshold") if severity == "critical" else (
        "ngưỡng cảnh báo", "warning threshold")
    vi = (f"{_subject(name[0], area[0], metric, 'vi')} {verb_vi} {_amount(value, unit, 'vi', decimals)}"
          f" ({level_vi} {_amount(threshold, unit, 'vi', decimals)})")
    en = (f"{_subject(name[1], area[1], metric, 'en')} {verb_en} {_amount(value, unit, 'en', decimals)}"
          f" ({level_en} {_amount(threshold, unit, 'en', decimals)})")
    return vi, en


def rate_message(
    *, name: tuple[str, str], area: tuple[str | None, str | None], metric: str | None, change: float, limit: float,
) -> tuple[str, str]:
    """(vi, en): "... thay đổi +35% so với lần trước (giới hạn 30%)"."""
    sign = "+" if change > 0 else "−"
    pct = {lang: format_number(abs(change) * 100, lang, decimals=1) for lang in ("vi", "en")}
    lim = {lang: format_number(limit * 100, lang, decimals=0) for lang in ("vi", "en")}
    vi = f"{_subject(name[0], area[0], metric, 'vi')} thay đổi {sign}{pct['vi']}% so với lần trước (giới hạn {lim['vi']}%)"
    en = f"{_subject(name[1], area[1], metric, 'en')} changed by {sign}{pct['en']}% since the previous value (limit {lim['en']}%)"
    return vi, en


def stale_message(
    *, name: tuple[str, str], area: tuple[str | None, str | None], metric: str | None, last_ts: datetime,
    periods: float,
) -> tuple[str, str]:
    """(vi, en): "... không có số liệu mới từ 24/11/2026 08:00 (quá 2 kỳ)"."""
    n = format_number(periods, "vi", decimals=0 if float(periods).is_integer() else 1)
    vi = f"{_subject(name[0], area[0], metric, 'vi')} không có số liệu mới từ {format_datetime(last_ts, 'vi')} (quá {n} kỳ báo cáo)"
    en = f"{_subject(name[1], area[1], metric, 'en')} has no new value since {format_datetime(last_ts, 'en')} (over {n} expected periods)"
    return vi, en


def offline_message(*, device_id: str, device_name: str, area: str | None,
                    last_seen: datetime | None) -> tuple[str, str]:
    """(vi, en): "Thiết bị Camera ngã tư ... mất kết nối từ ..."."""
    where_vi = f" tại {area}" if area else ""
    where_en = f" in {area}" if area else ""
    since_vi = f" từ {format_datetime(last_seen, 'vi')}" if last_seen else ""
    since_en = f" since {format_datetime(last_seen, 'en')}" if last_seen else ""
    vi = f"Thiết bị {device_name} ({device_id}){where_vi} mất kết nối{since_vi}"
    en = f"Device {device_name} ({device_id}){where_en} offline{since_en}"
    return vi, en


def incident_message(*, kind: str, device_name: str | None, area: str | None, ts: datetime) -> tuple[str, str]:
    """(vi, en): "Sự cố tai nạn giao thông tại camera ... lúc ..."."""
    kind_vi, kind_en = INCIDENT_NAMES.get(kind, (kind, kind.replace("_", " ")))
    by_vi = f" tại {device_name}" if device_name else ""
    by_en = f" at {device_name}" if device_name else ""
    area_vi = f" ({area})" if area else ""
    vi = f"Sự cố {kind_vi}{by_vi}{area_vi} lúc {format_datetime(ts, 'vi')}"
    en = f"Incident: {kind_en}{by_en}{area_vi} at {format_datetime(ts, 'en')}"
    return vi, en
