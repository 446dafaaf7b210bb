"""``ioc bench load`` passes every option it shows to ``benchmarks/load_test.py``, which accepts them as given."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from typer.testing import CliRunner

from ioc.cli import app
from ioc.cli.bench import load_args

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "load_test.py"


def _load_test_parser():
    spec = importlib.util.spec_from_file_location("load_test_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_parser()


def test_every_option_reaches_the_load_test_with_its_value():
    given = {"users": 7, "seconds": 33, "warmup": 4, "rate": 1234.0, "workers": 3, "threads": 2, "collectors": 2,
             "web_nice": 0, "login_parallel": 5, "mqtt_url": "mqtt://127.0.0.1:1883"}
    parsed = vars(_load_test_parser().parse_args(load_args(**given)))
    assert {key: parsed[key] for key in given} == given


def test_without_a_broker_url_the_load_test_starts_its_own():
    args = load_args(users=50, seconds=60, warmup=10, rate=5000.0, workers=4, threads=4, collectors=1,
                     web_nice=10, login_parallel=2, mqtt_url="")
    parsed = _load_test_parser().parse_args(args)
    assert parsed.mqtt_url is None and "--mqtt-url" not in args
    assert (parsed.web_nice, parsed.login_parallel, parsed.warmup) == (10, 2, 10)


def test_the_command_lists_the_load_test_options():
    result = CliRunner().invoke(app, ["bench", "load", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    for option in ("--web-nice", "--login-parallel", "--mqtt-url", "--warmup", "--collectors"):
        assert option in result.output
