"""Every validation rule of the catalog reports its file, row and reason; all problems are collected."""

from __future__ import annotations

from pathlib import Path

import pytest

from ioc.catalog import load_catalog
from ioc.errors import DataFileError

from ._files import FILES, INDICATORS, problems, write_catalog


def _load_problems(folder: Path) -> list[tuple[str, int | None, str]]:
    with pytest.raises(DataFileError) as info:
        load_catalog(folder)
    return problems(info.value)


def _with_row(tmp_path: Path, row: str) -> list[tuple[str, int | None, str]]:
    """Problems of the small catalog plus one extra indicator row (it lands on line 6)."""
    return _load_problems(write_catalog(tmp_path / "c", INDICATORS + [row]))


def _only(found: list[tuple[str, int | None, str]], file: str, row: int | None, *words: str) -> None:
    assert len(found) == 1, found
    name, line, reason = found[0]
    assert (name, line) == (file, row), found
    for word in words:
        assert word in reason, reason


def test_the_small_catalog_is_valid(mini_catalog: Path) -> None:
    catalog = load_catalog(mini_catalog)
    assert [i.code for i in catalog.indicators] == ["TTHC.HS_TIEPNHAN", "TTHC.HS_DUNGHAN", "TTHC.TL_DUNGHAN", "MT.PM25"]
    assert catalog.indicator("MT.PM25").levels == ("province", "district")
    assert catalog.indicator("TTHC.TL_DUNGHAN").search_text == "ty le ho so tthc giai quyet dung han on time dossier rate tthc tl dunghan"


def test_duplicate_code_is_refused_with_its_row(tmp_path: Path) -> None:
    found = _with_row(tmp_path, INDICATORS[0].replace("Số hồ sơ TTHC tiếp nhận", "Số hồ sơ khác"))
    _only(found, "indicators.csv", 6, "duplicate code TTHC.HS_TIEPNHAN", "first on row 2")


@pytest.mark.parametrize(
    ("column_value", "replacement", "reason"),
    [
        (",TTHC,VPUBND,", ",XYZ,VPUBND,", "unknown sector 'XYZ'"),
        (",TTHC,VPUBND,", ",TTHC,SO_KHONG_CO,", "unknown department 'SO_KHONG_CO'"),
        (",hồ sơ,daily,", ",bao tải,daily,", "unknown unit 'bao tải'"),
        ("province|district|commune", "province|ward", "unknown level(s) ward"),
        (",daily,", ",fortnightly,", "frequency"),
    ],
)
def test_unknown_references_are_refused(tmp_path: Path, column_value: str, replacement: str, reason: str) -> None:
    row = INDICATORS[0].replace("TTHC.HS_TIEPNHAN", "TTHC.HS_MOI").replace(column_value, replacement, 1)
    _only(_with_row(tmp_path, row), "indicators.csv", 6, reason)


def test_threshold_above_target_of_a_higher_is_better_indicator(tmp_path: Path) -> None:
    row = INDICATORS[2].replace("TTHC.TL_DUNGHAN", "TTHC.TL_MOI").replace(",95,90,98,", ",99,90,98,")
    _only(_with_row(tmp_path, row), "indicators.csv", 6, "warning 99 must be below the target 98")


def test_threshold_below_target_of_a_lower_is_better_indicator(tmp_path: Path) -> None:
    row = INDICATORS[3].replace("MT.PM25", "MT.PM25_B").replace(",50,150,25,", ",50,20,25,")
    found = _with_row(tmp_path, row)
    reasons = [r for _, line, r in found if line == 6]
    assert any("critical 20 must be above the target 25" in r for r in reasons), found
    assert any("critical 20 must be above warning 50" in r for r in reasons), found


def test_neutral_indicator_with_thresholds_is_refused(tmp_path: Path) -> None:
    row = INDICATORS[0].replace("TTHC.HS_TIEPNHAN", "TTHC.HS_MOI").replace(",neutral,,,,", ",neutral,10,20,,")
    _only(_with_row(tmp_path, row), "indicators.csv", 6, "neutral indicator has no bad side")


def test_ratio_pointing_at_a_missing_indicator(tmp_path: Path) -> None:
    row = INDICATORS[2].replace("TTHC.TL_DUNGHAN", "TTHC.TL_MOI").replace(",TTHC.HS_TIEPNHAN,", ",TTHC.HS_KHONGCO,")
    _only(_with_row(tmp_path, row), "indicators.csv", 6, "denominator 'TTHC.HS_KHONGCO' is not an indicator")


def test_ratio_without_its_parts_and_parts_without_ratio(tmp_path: Path) -> None:
    no_parts = INDICATORS[2].replace("TTHC.TL_DUNGHAN", "TTHC.TL_A").replace("TTHC.HS_DUNGHAN,TTHC.HS_TIEPNHAN", ",")
    parts_no_ratio = INDICATORS[0].replace("TTHC.HS_TIEPNHAN,Số", "TTHC.HS_B,Số").replace(
        ",sum,sum,,,", ",sum,sum,TTHC.HS_DUNGHAN,TTHC.HS_TIEPNHAN,")
    found = _load_problems(write_catalog(tmp_path / "c", INDICATORS + [no_parts, parts_no_ratio]))
    assert ("indicators.csv", 6) in [(f, r) for f, r, _ in found]
    assert any(r == 6 and "needs numerator_code and denominator_code" in reason for _, r, reason in found), found
    assert any(r == 7 and "only for ratio indicators" in reason for _, r, reason in found), found


def test_ratio_reported_where_its_parts_are_not(tmp_path: Path) -> None:
    parts = [INDICATORS[0].replace("province|district|commune", "province"), *INDICATORS[1:]]
    found = _load_problems(write_catalog(tmp_path / "c", parts))
    _only(found, "indicators.csv", 4, "denominator 'TTHC.HS_TIEPNHAN' is not reported at district, commune")


def test_mqtt_indicator_needs_a_known_device_metric(tmp_path: Path) -> None:
    row = INDICATORS[3].replace("MT.PM25", "MT.PM1").replace(",air,pm25,", ",air,pm1,")
    _only(_with_row(tmp_path, row), "indicators.csv", 6, "device metric air/pm1 is not in device_metrics.csv")


def test_placeholder_and_generic_names_are_refused(tmp_path: Path) -> None:
    generic = INDICATORS[0].replace("TTHC.HS_TIEPNHAN,Số hồ sơ TTHC tiếp nhận,Dossiers received",
                                    "TTHC.X1,Indicator 0042,Indicator 0042")
    found = _with_row(tmp_path, generic)
    assert found and all(line == 6 and "says nothing" in reason for _, line, reason in found), found


def test_every_problem_of_every_file_is_reported_together(tmp_path: Path) -> None:
    bad_sectors = FILES["sectors.csv"] + "TTHC,Trùng,Duplicate,admin_reform,3\n"
    bad_units = FILES["units.csv"] + "xe,xe\n"
    rows = INDICATORS + [
        INDICATORS[0].replace("TTHC.HS_TIEPNHAN", "TTHC.A").replace(",VPUBND,", ",SO_X,"),
        INDICATORS[0].replace("TTHC.HS_TIEPNHAN", "TTHC.B").replace(",hồ sơ,", ",cái,"),
    ]
    folder = write_catalog(tmp_path / "c", rows, sectors_csv=bad_sectors, units_csv=bad_units)
    with pytest.raises(DataFileError) as info:
        load_catalog(folder)
    found = problems(info.value)
    assert ("sectors.csv", 4) in [(f, r) for f, r, _ in found]
    assert ("units.csv", 6) in [(f, r) for f, r, _ in found]
    assert any(r == 6 and "SO_X" in reason for f, r, reason in found if f == "indicators.csv")
    assert any(r == 7 and "'cái'" in reason for f, r, reason in found if f == "indicators.csv")
    message = str(info.value)
    assert "4 problem(s)" in message and "indicators.csv, row 7" in message


def test_comment_lines_keep_the_file_line_numbers(tmp_path: Path) -> None:
    text = "# a comment\n# another\n" + FILES["departments.csv"] + "VPUBND,Trùng,Duplicate,\n"
    found = _load_problems(write_catalog(tmp_path / "c", departments_csv=text))
    _only(found, "departments.csv", 6, "duplicate code VPUBND")


def test_766_weights_must_add_up(tmp_path: Path) -> None:
    groups = FILES["score766_groups.csv"].replace("B,Nhóm B,Group B,40,", "B,Nhóm B,Group B,30,")
    found = _load_problems(write_catalog(tmp_path / "c", score766_groups_csv=groups))
    reasons = [(r, reason) for f, r, reason in found if f == "score766_groups.csv"]
    assert (None, "top-level groups add up to 90 points, not 100") in reasons, found
    assert any(r == 4 and "criteria add up to 40, not 30" in reason for r, reason in reasons), found


def test_766_criterion_rate_indicator_must_exist(tmp_path: Path) -> None:
    criteria = FILES["score766_criteria.csv"].replace("TTHC.TL_DUNGHAN", "TTHC.TL_KHONGCO")
    found = _load_problems(write_catalog(tmp_path / "c", score766_criteria_csv=criteria))
    _only(found, "score766_criteria.csv", 2, "rate_indicator 'TTHC.TL_KHONGCO'")


def test_missing_file_and_missing_column(tmp_path: Path) -> None:
    folder = write_catalog(tmp_path / "c", levels_csv="code,name_vi\nprovince,Cấp tỉnh\n")
    (folder / "units.csv").unlink()
    found = _load_problems(folder)
    assert ("levels.csv", 1, "header lacks column(s) name_en") in found
    assert ("units.csv", None, "file not found; the catalog folder needs it") in found
