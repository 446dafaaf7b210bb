"""Vietnamese and English number and date formats."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from ioc.formatting import format_change, format_date, format_datetime, format_number, format_percent, parse_number


def test_vietnamese_numbers_use_decimal_comma_and_dot_thousands() -> None:
    assert format_number(77.84, "vi", decimals=2) == "77,84"
    assert format_number(286947, "vi") == "286.947"
    assert format_number(1234567.891, "vi", decimals=1) == "1.234.567,9"


def test_english_numbers() -> None:
    assert format_number(77.84, "en", decimals=2) == "77.84"
    assert format_number(286947, "en") == "286,947"


def test_missing_values_show_a_dash() -> None:
    assert format_number(None, "vi") == "—"
    assert format_number(float("nan"), "vi") == "—"
    assert format_percent(None) == "—"


def test_percent_and_signed_change() -> None:
    assert format_percent(58.7, "vi") == "58,7%"
    assert format_change(1.5, "vi") == "+1,5"
    assert format_change(-0.25, "vi", decimals=2, percent=True) == "−0,25%"
    assert format_change(0, "en") == "±0.0"


def test_dates_in_local_time() -> None:
    assert format_date(date(2026, 11, 24), "vi") == "24/11/2026"
    assert format_date(date(2026, 11, 24), "en") == "24 Nov 2026"
    # 20:30 UTC is 03:30 the next day in Bình Dương (UTC+7).
    moment = datetime(2026, 11, 23, 20, 30, tzinfo=timezone.utc)
    assert format_datetime(moment, "vi") == "03:30 24/11/2026"
    assert format_datetime(moment, "en") == "03:30, 24 Nov 2026"


def test_parse_number_round_trips() -> None:
    assert parse_number("1.234,5", "vi") == 1234.5
    assert parse_number("1,234.5", "en") == 1234.5
    with pytest.raises(ValueError, match="not a number"):
        parse_number("abc", "vi")
