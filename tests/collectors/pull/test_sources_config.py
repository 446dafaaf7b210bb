"""The sources file: the shipped example validates; mistakes are reported by source and field."""

from __future__ import annotations

from pathlib import Path

import pytest

import collectors.pull
from collectors.pull import build_source, load_sources_file, parse_sources
from collectors.pull.file_drop import FileDropSource
from ioc.config import load_settings
from ioc.errors import ConfigError

EXAMPLE = Path(collectors.pull.__file__).parent / "sources.example.toml"


def test_example_file_is_valid_and_builds_every_kind():
    config = load_sources_file(EXAMPLE)
    assert [s.kind for s in config.source] == ["http_json", "file_drop", "score766", "one_stop"]
    assert config.source[2].schedule_text == "cron 0 7 * * 1"
    assert config.alerts.rate_of_change == {"TTHC.HS_TIEPNHAN": 0.5}
    assert isinstance(build_source(config.source[1]), FileDropSource)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"name": "a", "kind": "http_json", "options": {"url": "http://x"}}, "exactly one of interval"),
        ({"name": "a", "kind": "http_json", "interval": 5, "cron": "* * * * *", "options": {"url": "x"}},
         "exactly one of interval"),
        ({"name": "a", "kind": "http_json", "cron": "every day", "options": {"url": "x"}}, "not a crontab line"),
        ({"name": "a", "kind": "http_json", "interval": 5, "options": {}}, "options.url: Field required"),
        ({"name": "a", "kind": "ftp", "interval": 5}, "unknown kind 'ftp'"),
        ({"name": "a", "kind": "file_drop", "interval": 5, "options": {"folder": "/x"}, "retry": 3},
         "source #1 (a).retry: Extra inputs are not permitted"),
    ],
)
def test_mistakes_name_the_source_and_field(source, message):
    with pytest.raises(ConfigError) as err:
        parse_sources({"source": [source]})
    assert message in str(err.value)


def test_duplicate_names_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="repeated: a"):
        parse_sources({"source": [{"name": "a", "kind": "file_drop", "interval": 1, "options": {"folder": "/x"}}] * 2})
    bad = tmp_path / "s.toml"
    bad.write_text("[[source]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_sources_file(bad)


def test_settings_field_reads_environment(monkeypatch):
    monkeypatch.setenv("IOC_SOURCES_FILE", str(EXAMPLE))
    monkeypatch.setenv("IOC_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    settings = load_settings()
    assert settings.sources_file == EXAMPLE and settings.alert_webhook_url == "http://127.0.0.1:9/hook"
