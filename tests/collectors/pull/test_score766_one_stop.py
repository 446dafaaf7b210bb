"""The 766 weekly scores and one-stop dossier statistics adapters, over a real local HTTP server."""

from __future__ import annotations

from datetime import datetime

import pytest

from collectors.pull._mapping import MAPPINGS_DIR, load_field_mapping
from collectors.pull.base import LOCAL_TZ
from collectors.pull.config import SourceConfig
from collectors.pull.one_stop import COUNT_FIELDS, RATE_FIELDS
from collectors.pull.score766 import SCORE_FIELDS
from collectors.scheduler import PullScheduler
from ioc.catalog import load_catalog
from ioc.errors import DataFileError
from tests.collectors.pull._support import seed_reference_data

SCORE_MAP = load_field_mapping(MAPPINGS_DIR / "score766.csv", fields=SCORE_FIELDS)
ONE_STOP_MAP = load_field_mapping(MAPPINGS_DIR / "one_stop.csv", fields=COUNT_FIELDS + RATE_FIELDS)
SCORE_FAMILIES = load_field_mapping(MAPPINGS_DIR / "score766.csv", fields=SCORE_FIELDS, column="department_family")
FAMILIES = load_field_mapping(MAPPINGS_DIR / "one_stop.csv", fields=COUNT_FIELDS + RATE_FIELDS, column="department_family")


@pytest.fixture
def mapped_db(empty_db):
    """The fixture catalog plus every indicator the shipped mappings name."""
    members = {f"{family}.STTTT" for family in [*FAMILIES.values(), *SCORE_FAMILIES.values()]}
    codes = sorted(set(SCORE_MAP.values()) | set(ONE_STOP_MAP.values()) | members)
    seed_reference_data(empty_db, [(c, c, c, "điểm", "weekly", "higher_better") for c in codes])
    return empty_db


def _values(db) -> dict[tuple[str, str, str | None], tuple[datetime, float]]:
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT s.indicator_code, s.area_code, s.metric, o.ts, o.value FROM observation o"
            " JOIN series s ON s.id = o.series_id"
        ).fetchall()
    return {(i, a, m): (ts, v) for i, a, m, ts, v in rows}


def _run(db, kind: str, url: str, **options: object):
    scheduler = PullScheduler(db, workers=2)
    scheduler.add_source(SourceConfig(name=kind.replace("_", "-"), kind=kind, interval=3600, timeout=2, retries=0,
                                      options={"url": url, **options}))
    try:
        return scheduler.run_source(kind.replace("_", "-"))
    finally:
        scheduler.shutdown(wait=False)


def test_weekly_766_scores_are_stored_at_monday_of_the_week(mapped_db, http_server):
    body = {"week": "2026-W46", "units": [
        {"area": "724", "name": "Dĩ An", "total": 77.84, "rank": 1,
         "groups": {"publicity": 17.3, "progress": 19.6, "online_payment": 8.4, "digitisation": 13.5,
                    "satisfaction": 18}},
        {"area": "25942", "total": "81,65", "rank": 1, "week": "2026-W46"},
        {"area": "999", "total": 50},
        {"department": "STTTT", "total": 80.1, "rank": 3},
        {"department": "SXYZ", "total": 60},
    ]}
    report = _run(mapped_db, "score766", http_server.answer("/766", (200, body)), province_area="74")
    assert report.ok and report.rows == 10
    assert report.rejected == ("unit 3 (999): unknown area '999'", "unit 5 (SXYZ): unknown department 'SXYZ'")
    values = _values(mapped_db)
    monday = datetime(2026, 11, 9, tzinfo=LOCAL_TZ)
    assert values[(SCORE_MAP["total"], "724", None)] == (monday, 77.84)
    assert values[(SCORE_MAP["progress"], "724", None)][1] == 19.6
    assert values[(SCORE_MAP["total"], "25942", None)][1] == 81.65
    # A department's score goes to its member of the per-department family, in the province.
    assert values[(f"{SCORE_FAMILIES['total']}.STTTT", "74", None)] == (monday, 80.1)


def test_766_body_without_units_fails_the_run(mapped_db, http_server):
    report = _run(mapped_db, "score766", http_server.answer("/766", (200, {"week": "2026-W46"})))
    assert not report.ok and "units" in report.error


def test_one_stop_counts_and_derived_rates(mapped_db, http_server):
    body = {"date": "2026-11-29", "units": [
        {"level": "district", "code": "724", "received": 120, "resolved": 110, "on_time": 104, "overdue": 6,
         "online": 85},
        {"level": "department", "code": "STTTT", "received": 40, "resolved": 0, "online": 40},
        {"level": "commune", "code": "25942", "received": -1},
    ]}
    report = _run(mapped_db, "one_stop", http_server.answer("/mc", (200, body)), province_area="74")
    assert report.ok
    assert len(report.rejected) == 1 and "negative" in report.rejected[0]
    values = _values(mapped_db)
    day = datetime(2026, 11, 29, tzinfo=LOCAL_TZ)
    assert values[(ONE_STOP_MAP["received"], "724", None)] == (day, 120)
    assert values[(ONE_STOP_MAP["on_time_rate"], "724", None)][1] == pytest.approx(94.5455, abs=1e-3)
    assert values[(ONE_STOP_MAP["online_rate"], "724", None)][1] == pytest.approx(70.8333, abs=1e-3)
    # A department's figures sit under the province with the department as metric; no rate when resolved = 0.
    assert values[(ONE_STOP_MAP["online_rate"], "74", "department:STTTT")][1] == 100.0
    assert (ONE_STOP_MAP["on_time_rate"], "74", "department:STTTT") not in values
    # ... and also under the catalog's per-department indicator of the same family.
    assert values[(f"{FAMILIES['received']}.STTTT", "74", None)] == (day, 40)
    assert values[(f"{FAMILIES['online_rate']}.STTTT", "74", None)][1] == 100.0


def test_shipped_mappings_name_real_catalog_indicators():
    catalog = load_catalog()
    missing = sorted(c for c in [*SCORE_MAP.values(), *ONE_STOP_MAP.values()] if c not in catalog.by_code)
    assert missing == []
    for family in FAMILIES.values():
        members = [d.code for d in catalog.departments if f"{family}.{d.code}" in catalog.by_code]
        assert members, f"no department member of {family} in the catalog"
    assert catalog.indicator(SCORE_MAP["total"]).frequency == "weekly"
    assert catalog.indicator(ONE_STOP_MAP["received"]).frequency == "daily"


def test_one_stop_department_without_province_area_is_refused(mapped_db, http_server):
    body = {"date": "2026-11-29", "units": [{"level": "department", "code": "STTTT", "received": 4}]}
    report = _run(mapped_db, "one_stop", http_server.answer("/mc", (200, body)))
    assert report.ok and report.rows == 0 and "province_area" in report.rejected[0]


def test_mapping_file_errors_name_file_and_row(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("field,indicator_code\ntotal,A.B\nbogus,C.D\n", encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_field_mapping(path, fields=SCORE_FIELDS)
    assert err.value.row == 3 and "bogus" in err.value.reason and str(path) in str(err.value)
