"""``ioc catalog stats|validate|load|expand`` through the real command line app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ioc.catalog import load_catalog
from ioc.cli import app
from ioc.storage.catalog import catalog_counts
from ioc.storage.db import Database

from ._files import INDICATORS, write_catalog

runner = CliRunner()
NO_DB = {"IOC_DATABASE_URL": ""}


def test_stats_json_of_the_files() -> None:
    result = runner.invoke(app, ["catalog", "stats", "--json"], env=NO_DB)
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["indicators"] >= 1000 and stats["sectors"] >= 25 and stats["departments"] == 19
    assert sum(stats["by_sector"].values()) == stats["indicators"]
    assert "database" not in stats


def test_load_then_stats_shows_the_database(empty_db: Database) -> None:
    env = {"IOC_DATABASE_URL": empty_db.url}
    loaded = runner.invoke(app, ["catalog", "load"], env=env)
    assert loaded.exit_code == 0, loaded.output
    expected = len(load_catalog().indicators)
    assert f"loaded {expected} indicators" in loaded.stdout
    with empty_db.connection() as conn:
        assert catalog_counts(conn)["indicators"] == expected
    stats = runner.invoke(app, ["catalog", "stats", "--json"], env=env)
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["database"] == {"indicators": expected, "sectors": 33, "departments": 19}


def test_validate_reports_file_row_and_reason(tmp_path: Path) -> None:
    good = write_catalog(tmp_path / "good")
    ok = runner.invoke(app, ["catalog", "validate", str(good)], env=NO_DB)
    assert ok.exit_code == 0 and "ok: 4 indicators" in ok.stdout
    bad = write_catalog(tmp_path / "bad", INDICATORS + [INDICATORS[0]])
    refused = runner.invoke(app, ["catalog", "validate", str(bad)], env=NO_DB)
    assert refused.exit_code == 2
    assert "indicators.csv, row 6: duplicate code TTHC.HS_TIEPNHAN" in refused.stderr


def test_expand_check_detects_a_stale_file(tmp_path: Path) -> None:
    folder = write_catalog(tmp_path / "c")
    (folder / "dimensions.csv").write_text("dimension,code,name_vi,name_en\n", encoding="utf-8")
    (folder / "families.csv").write_text(
        "family,dims,sector_code,department_code,name_vi,name_en,unit,frequency,agg_time,agg_area,numerator_code,"
        "denominator_code,direction,warning,critical,target,levels,source,device_kind,device_metric,decimals,"
        "description_vi,description_en\n"
        "TTHC.HS_TIEPNHAN,,TTHC,VPUBND,Số hồ sơ TTHC tiếp nhận,Dossiers received,hồ sơ,daily,sum,sum,,,neutral,,,,"
        "province,pull,,,0,,\n", encoding="utf-8")
    stale = runner.invoke(app, ["catalog", "expand", "--path", str(folder), "--check"], env=NO_DB)
    assert stale.exit_code == 2 and "out of date" in stale.stderr
    wrote = runner.invoke(app, ["catalog", "expand", "--path", str(folder)], env=NO_DB)
    assert wrote.exit_code == 0 and "wrote 1 indicators" in wrote.stdout
    fresh = runner.invoke(app, ["catalog", "expand", "--path", str(folder), "--check"], env=NO_DB)
    assert fresh.exit_code == 0, fresh.output


def test_list_filters_by_sector_and_words() -> None:
    result = runner.invoke(app, ["catalog", "list", "--sector", "GT", "--search", "luu luong o to"], env=NO_DB)
    assert result.exit_code == 0, result.output
    codes = [line.split()[0] for line in result.stdout.splitlines()]
    assert codes == ["GT.LL_XE.OTO", "GT.LL_XE_NGAY.OTO"]
    assert "2 indicator(s)" in result.stderr
