"""Hand-computed checks of the 766 arithmetic: sub-indicators, totals, classification."""

from __future__ import annotations

import pytest

from ioc.errors import DataFileError
from ioc.score766.scoring import classify, criterion_score, group_total, load_bands, round_points, unit_total


@pytest.mark.parametrize(
    ("rate", "maximum", "full_at", "expected"),
    [
        (58.7, 10, 80, 7.3375),  # Dĩ An: 58,7 % of procedures online, full marks at 80 %
        (80, 10, 80, 10),  # exactly at the threshold
        (95, 10, 80, 10),  # above: capped at the maximum
        (40, 6, 50, 4.8),  # dossiers received online, full marks at 50 %
        (0, 6, 50, 0),
        (100, 18, 100, 18),  # proportional scoring
    ],
)
def test_criterion_score(rate, maximum, full_at, expected):
    assert criterion_score(rate, maximum, full_at) == pytest.approx(expected)


@pytest.mark.parametrize(("rate", "full_at"), [(-1, 80), (50, 0), (float("nan"), 80)])
def test_criterion_score_refuses_bad_input(rate, full_at):
    with pytest.raises(ValueError):
        criterion_score(rate, 10, full_at)


def test_group_total_is_capped_at_its_maximum():
    assert group_total([4.5, 4.5, 4.5, 4.5]) == pytest.approx(18)
    assert group_total([10, 10, 3], 22) == 22
    assert group_total([7.3375, 4.8], 22) == pytest.approx(12.1375)


def test_round_points_is_half_up():
    assert round_points(77.835) == 77.84
    assert round_points(81.645) == 81.65
    assert round_points(0.0) == 0.0
    assert round_points(17.3 + 19.6) == 36.9


def test_di_an_example_week_adds_up():
    # DOMAIN.md, week of 13 Nov: 17,3/18 + 19,6/20 + 8,4/10 (online payment) + 13,5/22 (digitisation)
    # are published; 77,84 in total. The rest (online services without payment /12 and
    # satisfaction /18) must then make 77,84 − 58,8 = 19,04, which fits under 12 + 18 = 30.
    published = {"publicity": 17.3, "progress": 19.6, "online_payment": 8.4, "digitisation": 13.5}
    assert unit_total(published) == 58.8
    remainder = round_points(77.84 - unit_total(published))
    assert remainder == 19.04 and remainder <= 12 + 18
    # Satisfaction 100 % → full 18 points; online services (without payment) 1,04 closes the total.
    full = {**published, "online": 1.04, "satisfaction": 18.0}
    assert unit_total(full) == 77.84
    assert classify(unit_total(full), load_bands()).code == "kha"


def test_unit_total_missing_groups():
    assert unit_total({}) is None
    assert unit_total({"a": None, "b": None}) is None
    assert unit_total({"a": 10.0, "b": None}) == 10.0


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (100, "tot"), (81.65, "tot"), (80, "tot"),
        (79.99, "kha"), (77.84, "kha"), (70, "kha"),
        (69.99, "trung_binh"), (50, "trung_binh"),
        (49.99, "yeu"), (0, "yeu"),
    ],
)
def test_classification_edges(total, band):
    assert classify(total, load_bands()).code == band


def test_classify_without_total():
    assert classify(None, load_bands()) is None


def test_bands_file_errors_name_the_row(tmp_path):
    path = tmp_path / "bands.csv"
    path.write_text("code,name_vi,name_en,min_total\ntot,Tốt,Good,80\nkha,Khá,Fair,abc\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_bands(path)
    assert info.value.row == 3 and "abc" in info.value.reason
    path.write_text("code,name_vi,name_en,min_total\ntot,Tốt,Good,80\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="min_total 0"):
        load_bands(path)
