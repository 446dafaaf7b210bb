"""The packaged catalog: its size, its coverage of the domain and its device metrics."""

from __future__ import annotations

from collections import Counter

import pytest

from ioc.catalog import Catalog, default_catalog_dir, load_catalog, load_device_metrics

# The metric names the simulators publish, per device kind (see the catalog brief).
SIMULATOR_METRICS = {
    "camera": {"count_car", "count_motorbike", "count_bus", "count_truck", "count_bicycle", "vehicles_total",
               "avg_speed", "congestion_level", "occupancy"},
    "air": {"pm25", "pm10", "no2", "o3", "co", "so2", "aqi", "temperature", "humidity"},
    "water_level": {"water_level", "rainfall"},
    "water_quality": {"ph", "do", "cod", "bod5", "tss", "nh4", "conductivity", "water_temperature"},
    "noise": {"noise_db"},
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_size_matches_the_operations_center(catalog: Catalog) -> None:
    stats = catalog.stats()
    assert stats["indicators"] >= 1000
    assert stats["sectors"] >= 25
    assert stats["departments"] == 19
    assert all(count > 0 for count in catalog.counts_by_sector().values()), catalog.counts_by_sector()


def test_every_department_owns_indicators(catalog: Catalog) -> None:
    owners = Counter(ind.department_code for ind in catalog.indicators)
    assert {d.code for d in catalog.departments} == set(owners)


def test_names_are_unique_and_recognisable(catalog: Catalog) -> None:
    for names in ([i.name_vi for i in catalog.indicators], [i.name_en for i in catalog.indicators]):
        duplicates = [n for n, k in Counter(names).items() if k > 1]
        assert not duplicates, duplicates[:10]
    by_name = {i.name_vi: i for i in catalog.indicators}
    for name in ("Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "Chỉ số PM2.5 trung bình ngày",
                 "Số doanh nghiệp thành lập mới", "Lưu lượng xe qua nút giao"):
        assert name in by_name, name
    assert by_name["Lưu lượng xe qua nút giao"].device_metric == "vehicles_total"


def test_all_indicator_frequencies_and_sources_are_used(catalog: Catalog) -> None:
    assert set(catalog.stats()["by_frequency"]) == {"realtime", "hourly", "daily", "weekly", "monthly",
                                                    "quarterly", "yearly"}
    assert set(catalog.stats()["by_source"]) == {"mqtt", "pull", "upload", "derived"}


def test_score766_groups_and_criteria_have_weekly_indicators(catalog: Catalog) -> None:
    groups = {g.code: g for g in catalog.score766_groups}
    assert sum(g.max_points for g in groups.values() if g.parent_code is None) == 100
    assert {g: groups[g].max_points for g in ("CKMB", "TDGQ", "DVTT", "SHHS", "HL")} == \
        {"CKMB": 18, "TDGQ": 20, "DVTT": 22, "SHHS": 22, "HL": 18}
    assert groups["DVTT_TT"].max_points == 10
    codes = [f"CCHC766.DIEM_{g}" for g in groups] + [f"CCHC766.DIEM_{c.code}" for c in catalog.score766_criteria]
    codes += ["CCHC766.DIEM_TONG", "CCHC766.XEP_HANG"]
    for code in codes:
        ind = catalog.indicator(code)
        assert (ind.frequency, ind.unit, ind.levels) == ("weekly", "điểm" if "HANG" not in code else "hạng",
                                                          ("province", "district", "commune")), code
    assert catalog.indicator("CCHC766.DIEM_DVTT_TT").target == 10
    assert catalog.indicator("CCHC766.DIEM_DVTT_TT").warning == 7
    for crit in catalog.score766_criteria:
        assert crit.rate_indicator in catalog.by_code, crit.code


def test_mqtt_indicators_use_simulator_metrics(catalog: Catalog) -> None:
    metrics = load_device_metrics()
    assert {kind: {m for k, m in metrics if k == kind} for kind in SIMULATOR_METRICS} == SIMULATOR_METRICS
    fed = {(i.device_kind, i.device_metric) for i in catalog.indicators if i.source == "mqtt"}
    assert fed == set(metrics), set(metrics) - fed
    assert metrics[("camera", "congestion_level")].max == 1
    assert metrics[("air", "pm25")].unit == "µg/m³"


def test_load_device_metrics_accepts_a_csv_file(tmp_path) -> None:
    source = (default_catalog_dir() / "device_metrics.csv").read_text(encoding="utf-8")
    path = tmp_path / "rules.csv"
    path.write_text(source.replace("noise,noise_db,dBA", "noise,noise_db_a,dBA"), encoding="utf-8")
    assert ("noise", "noise_db_a") in load_device_metrics(path)
