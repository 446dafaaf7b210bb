"""``ioc sources`` and ``ioc alerts`` against a real database and broker."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ioc.alerts import AlertEngine
from ioc.cli import app
from tests.ioc.alerts._support import T0, Clock, put, seed_alert_data


@pytest.fixture
def env(empty_db, mqtt_url, topic_prefix, tmp_path):
    """Environment of a CLI run: this test's database, the broker, a sources file with a drop folder."""
    seed_alert_data(empty_db)
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "pm25.csv").write_text("indicator_code,area_code,ts,value\nTEST.PM25,724,2026-11-24T08:00:00+07:00,12\n",
                                     encoding="utf-8")
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "drop"\nkind = "file_drop"\ninterval = 60\nretries = 0\n'
                       f'[source.options]\nfolder = "{folder}"\nsettle_seconds = 0\n', encoding="utf-8")
    return {"IOC_DATABASE_URL": empty_db.url, "IOC_SOURCES_FILE": str(sources), "IOC_MQTT_URL": mqtt_url,
            "IOC_MQTT_TOPIC_PREFIX": topic_prefix, "IOC_LANGUAGE": "vi", "IOC_CONFIG_FILE": str(tmp_path / "none.toml"),
            "IOC_DATA_DIR": str(tmp_path / "data")}


def test_sources_run_and_list(env):
    runner = CliRunner()
    result = runner.invoke(app, ["sources", "run", "drop"], env=env)
    assert result.exit_code == 0, result.output
    assert "drop: 1 new row(s)" in result.output
    result = runner.invoke(app, ["sources", "list"], env=env)
    assert result.exit_code == 0 and "drop" in result.output and " ok " in result.output and "rows 1" in result.output
    result = runner.invoke(app, ["sources", "run", "nope"], env=env)
    assert result.exit_code == 2 and "no source named 'nope'" in result.output


def test_alerts_list_ack_history(env, empty_db):
    put(empty_db, "TEST.PM25", T0, 60)
    [opened] = AlertEngine(empty_db, clock=Clock()).evaluate_series()
    runner = CliRunner()
    result = runner.invoke(app, ["alerts", "list"], env=env)
    assert result.exit_code == 0 and f"#{opened.alert.id}" in result.output
    assert "Bụi PM2.5 tại Dĩ An tăng lên 60 µg/m³ (ngưỡng cảnh báo 50 µg/m³)" in result.output
    result = runner.invoke(app, ["alerts", "ack", str(opened.alert.id), "--by", "Lê Văn Cường", "--note", "kiểm tra trạm"],
                           env=env)
    assert result.exit_code == 0 and "acknowledged" in result.output, result.output
    result = runner.invoke(app, ["alerts", "history", str(opened.alert.id)], env=env)
    assert "acknowledged" in result.output and "Lê Văn Cường" in result.output and "kiểm tra trạm" in result.output
    result = runner.invoke(app, ["alerts", "ack", "999999", "--by", "x"], env=env)
    assert result.exit_code == 2 and "alert 999999 is unknown" in result.output
