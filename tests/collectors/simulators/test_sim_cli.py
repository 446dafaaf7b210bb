"""The command line: `ioc simulate history` and `ioc devices load` against a real database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ioc.cli import app
from ioc.storage.db import Database


def _rows_written(output: str) -> int:
    return int(output.split(" rows written")[0].split()[-1].replace(",", ""))


@pytest.mark.slow
def test_history_and_devices_load_commands(empty_db: Database, monkeypatch):
    monkeypatch.setenv("IOC_DATABASE_URL", empty_db.url)
    runner = CliRunner()
    loaded = runner.invoke(app, ["devices", "load"])
    assert loaded.exit_code == 0, loaded.output
    assert "595 devices registered" in loaded.output
    first = runner.invoke(app, ["simulate", "history", "--days", "1", "--no-devices"])
    assert first.exit_code == 0, first.output
    assert "rows written for" in first.output and "0 rows written" not in first.output
    again = runner.invoke(app, ["simulate", "history", "--days", "1", "--no-devices"])
    assert again.exit_code == 0, again.output
    # nothing again (at most the hour that may have begun between the two runs)
    assert _rows_written(again.output) < _rows_written(first.output) / 10
    with empty_db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM device").fetchone()[0] == 595
        assert conn.execute("SELECT count(DISTINCT series_id) FROM observation").fetchone()[0] > 5000
        assert conn.execute("SELECT count(*) FROM series WHERE device_id IS NOT NULL").fetchone()[0] == 0
