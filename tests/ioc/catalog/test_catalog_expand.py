"""Families × dimensions expand deterministically, and the committed indicators.csv is their expansion."""

from __future__ import annotations

from pathlib import Path

import pytest

from ioc.catalog import default_catalog_dir, load_catalog
from ioc.catalog.expand import FAMILY_COLUMNS, expand_families, render_indicators, write_indicators
from ioc.errors import DataFileError

from ._files import FILES, problems, write_catalog

DIMENSIONS = """dimension,code,name_vi,name_en,unit,direction,warning,critical,target,device_metric,department_code,decimals,levels
pollutant,PM25,PM2.5,PM2.5,,,50,150,25,pm25,,,
pollutant,PM10,PM10,PM10,,,150,350,50,pm10,,,
period,GIO,giờ,hourly,,,,,,,,,
period,NGAY,ngày,daily,,,,,,,,,
"""


def _family(**values: str) -> str:
    row = {c: "" for c in FAMILY_COLUMNS}
    row.update(values)
    return ",".join(row[c] for c in FAMILY_COLUMNS)


def _write(folder: Path, *families: str) -> Path:
    metrics = FILES["device_metrics.csv"] + "air,pm10,µg/m³,Bụi PM10,PM10,0,2000\n"
    criteria = FILES["score766_criteria.csv"].replace("TTHC.TL_DUNGHAN", "")  # the indicators get replaced
    write_catalog(folder, device_metrics_csv=metrics, score766_criteria_csv=criteria)
    (folder / "dimensions.csv").write_text(DIMENSIONS, encoding="utf-8")
    (folder / "families.csv").write_text(",".join(FAMILY_COLUMNS) + "\n" + "\n".join(families) + "\n",
                                         encoding="utf-8")
    return folder


BASE = dict(sector_code="MT", department_code="STNMT", unit="µg/m³", frequency="hourly", agg_time="mean",
            agg_area="mean", direction="lower_better", levels="province|district", source="mqtt",
            device_kind="air", decimals="1")


def test_committed_indicators_equal_the_expansion() -> None:
    folder = default_catalog_dir()
    committed = (folder / "indicators.csv").read_text(encoding="utf-8")
    assert committed == render_indicators(expand_families(folder)), \
        "indicators.csv is stale: run `ioc catalog expand` and commit the result"


def test_cross_product_names_codes_and_member_overrides(tmp_path: Path) -> None:
    folder = _write(tmp_path / "c", _family(family="MT.KK", dims="pollutant|period",
                                            name_vi="Nồng độ {pollutant} trung bình {period}",
                                            name_en="{period} mean {pollutant}", **BASE))
    rows = expand_families(folder)
    assert [r["code"] for r in rows] == ["MT.KK.PM25.GIO", "MT.KK.PM25.NGAY", "MT.KK.PM10.GIO", "MT.KK.PM10.NGAY"]
    assert rows[1]["name_vi"] == "Nồng độ PM2.5 trung bình ngày"
    assert rows[2]["name_en"] == "hourly mean PM10"
    assert (rows[2]["device_metric"], rows[2]["warning"], rows[2]["target"]) == ("pm10", "150", "50")


def test_ratio_parts_follow_the_member_and_thresholds_scale_with_the_target(tmp_path: Path) -> None:
    parts = dict(BASE, source="upload", device_kind="", frequency="daily", agg_time="sum", agg_area="sum",
                 direction="neutral", unit="hồ sơ")
    ratio = dict(BASE, source="derived", device_kind="", frequency="daily", agg_time="ratio", agg_area="ratio",
                 direction="higher_better", unit="%", target="", warning="*0.9", critical="*0.5")
    folder = _write(
        tmp_path / "c",
        _family(family="X.A", dims="period", name_vi="A {period}", name_en="A {period}", **parts),
        _family(family="X.B", dims="period", name_vi="B {period}", name_en="B {period}", **parts),
        _family(family="X.R_", dims="period", name_vi="Tỷ lệ {period}", name_en="Rate {period}",
                numerator_code="X.A.{code}", denominator_code="X.B.{code}", **dict(ratio, target="80")),
    )
    rows = {r["code"]: r for r in expand_families(folder)}
    assert rows["X.R_NGAY"]["numerator_code"] == "X.A.NGAY"
    assert rows["X.R_NGAY"]["denominator_code"] == "X.B.NGAY"
    assert (rows["X.R_GIO"]["warning"], rows["X.R_GIO"]["critical"]) == ("72", "40")
    assert rows["X.A.GIO"]["device_metric"] == ""


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (dict(dims="vehicle", name_vi="Xe {vehicle}", name_en="Cars {vehicle}"), "unknown dimension 'vehicle'"),
        (dict(dims="pollutant", name_vi="Nồng độ bụi", name_en="Dust {pollutant}"), "name_vi must mention {pollutant}"),
        (dict(dims="", name_vi="Nồng độ {pollutant}", name_en="Dust"), "name_vi uses {pollutant} not listed in dims"),
    ],
)
def test_family_errors_name_the_row(tmp_path: Path, values: dict[str, str], reason: str) -> None:
    good = _family(family="MT.OK", dims="pollutant", name_vi="Bụi {pollutant}", name_en="Dust {pollutant}", **BASE)
    bad = _family(family="MT.BAD", **values, **BASE)
    folder = _write(tmp_path / "c", good, bad)
    with pytest.raises(DataFileError) as info:
        expand_families(folder)
    found = problems(info.value)
    assert ("families.csv", 3) in [(f, r) for f, r, _ in found], found
    assert any(reason in why for _, _, why in found), found


def test_written_indicators_load(tmp_path: Path) -> None:
    folder = _write(tmp_path / "c", _family(family="MT.KK", dims="pollutant", name_vi="Nồng độ {pollutant} giờ",
                                            name_en="Hourly {pollutant}", **BASE))
    path, count = write_indicators(folder)
    assert (path.name, count) == ("indicators.csv", 2)
    catalog = load_catalog(folder)
    assert catalog.indicator("MT.KK.PM25").critical == 150
