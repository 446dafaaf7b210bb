"""``ioc aggregate``: catching up device-fed area indicators after an outage, on the real demo catalog and fleet."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from collectors.simulators.seed import load_demo
from ioc.cli import app
from ioc.model import Reading, SeriesKey
from ioc.storage.observations import write_readings


@pytest.fixture
def env(empty_db, tmp_path):
    load_demo(empty_db)
    return {"IOC_DATABASE_URL": empty_db.url, "IOC_CONFIG_FILE": str(tmp_path / "none.toml"),
            "IOC_DATA_DIR": str(tmp_path / "data"), "IOC_AGGREGATE_HOURS": "3"}


def _traffic_values(db) -> int:
    with db.connection() as conn:
        return conn.execute("SELECT count(*) FROM observation o JOIN series s ON s.id = o.series_id"
                            " WHERE s.indicator_code = 'GT.LL'").fetchone()[0]


def test_aggregate_catches_up_a_window_older_than_the_job_recomputes(env, empty_db):
    hour = (datetime.now(timezone.utc) - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    with empty_db.connection() as conn:
        write_readings(conn, [Reading(SeriesKey.for_device("cam-0001", "vehicles_total"), hour + timedelta(minutes=m), 10.0)
                              for m in range(0, 60, 10)])
    runner = CliRunner()

    result = runner.invoke(app, ["aggregate"], env=env)  # the job's own window: 3 hours, not two days back
    assert result.exit_code == 0, result.output
    assert result.output.startswith("3 hour(s)") and _traffic_values(empty_db) == 0

    since = (hour - timedelta(hours=1)).isoformat()
    result = runner.invoke(app, ["aggregate", "--since", since], env=env)
    assert result.exit_code == 0, result.output
    assert _traffic_values(empty_db) == 3  # the camera's commune, district and province
    changed = int(re.search(r"(\d+) new or changed", result.output).group(1))
    assert changed >= 3  # hourly values of three areas, and the daily indicators of that day

    again = runner.invoke(app, ["aggregate", "--since", since], env=env)
    assert again.exit_code == 0 and " 0 new or changed" in again.output  # unchanged readings write nothing


@pytest.mark.parametrize("since, message", [("hôm qua", "is not an ISO 8601"), ("2999-01-01", "is not in the past"),
                                            ("2020-01-01", "at most 400 days")])
def test_aggregate_refuses_a_bad_window_with_a_clear_message(env, since, message):
    result = CliRunner().invoke(app, ["aggregate", "--since", since], env=env)
    assert result.exit_code == 2 and message in result.output, result.output
