"""The pure alert rules: direction, hysteresis, rate of change, offline, messages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ioc.alerts import rules
from ioc.alerts.policy import AlertPolicy

BAND = AlertPolicy().band  # 2 % of the threshold


def _walk(values, *, direction, warning, critical):
    """Severity after each value, feeding each result back as the current state."""
    current, seen = None, []
    for value in values:
        current = rules.severity_with_hysteresis(value, direction=direction, warning=warning, critical=critical,
                                                 current=current, band=lambda t: BAND("X", t))
        seen.append(current)
    return seen


@pytest.mark.parametrize(
    ("direction", "value", "expected"),
    [
        ("higher_better", 95, None), ("higher_better", 89.9, "warning"), ("higher_better", 80, "critical"),
        ("lower_better", 40, None), ("lower_better", 50.1, "warning"), ("lower_better", 75, "critical"),
        ("neutral", 1000, None),
    ],
)
def test_threshold_severity_respects_direction(direction, value, expected):
    warning, critical = (90, 80) if direction == "higher_better" else (50, 75)
    assert rules.threshold_severity(value, direction=direction, warning=warning, critical=critical) == expected


def test_value_hovering_at_threshold_does_not_flap():
    # Band at 90 is 1.8: the alert clears only at 91.8 or more.
    seen = _walk([89.9, 90.1, 89.8, 90.4, 91.0, 89.95, 91.7, 91.8, 90.5, 89.9],
                 direction="higher_better", warning=90, critical=80)
    assert seen == ["warning"] * 7 + [None, None, "warning"]


def test_escalation_is_immediate_and_de_escalation_needs_the_band():
    seen = _walk([85, 79, 80.5, 81.5, 81.7, 95], direction="higher_better", warning=90, critical=80)
    assert seen == ["warning", "critical", "critical", "critical", "warning", None]


def test_lower_better_hysteresis():
    # warning 50 (band 1), critical 75 (band 1.5)
    seen = _walk([50.5, 49.5, 48.9, 76, 74, 73.4, 10], direction="lower_better", warning=50, critical=75)
    assert seen == ["warning", "warning", None, "critical", "critical", "warning", None]


def test_absolute_band_overrides_fraction():
    policy = AlertPolicy(hysteresis_abs={"A": 5})
    assert policy.band("A", 90) == 5 and policy.band("B", 90) == pytest.approx(1.8)


def test_rate_of_change_and_offline():
    assert rules.relative_change(180, 100) == pytest.approx(0.8)
    assert rules.relative_change(5, 0) is None and rules.relative_change(5, None) is None
    now = datetime(2026, 11, 24, tzinfo=timezone.utc)
    assert rules.is_offline(now - timedelta(minutes=16), now=now, minutes=15)
    assert not rules.is_offline(now - timedelta(minutes=14), now=now, minutes=15)
    assert not rules.is_offline(None, now=now, minutes=15)


def test_threshold_message_reads_naturally_in_both_languages():
    vi, en = rules.threshold_message(name=("Tỷ lệ hồ sơ đúng hạn", "On-time dossier rate"), area=("Dĩ An", "Di An"),
                                     metric=None, unit="%", decimals=1, direction="higher_better", value=84.2,
                                     severity="warning", threshold=90)
    assert vi == "Tỷ lệ hồ sơ đúng hạn tại Dĩ An giảm xuống 84,2% (ngưỡng cảnh báo 90%)"
    assert en == "On-time dossier rate in Di An fell to 84.2% (warning threshold 90%)"
    vi, _ = rules.threshold_message(name=("Bụi PM2.5", "PM2.5"), area=(None, None), metric=None, unit="µg/m³",
                                    decimals=1, direction="lower_better", value=80.25, severity="critical",
                                    threshold=75)
    assert vi == "Bụi PM2.5 tăng lên 80,2 µg/m³ (ngưỡng nghiêm trọng 75 µg/m³)"
