"""Settings: environment, TOML file, and clear errors for malformed values."""

from __future__ import annotations

import pytest

from ioc.config import load_settings
from ioc.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in list(__import__("os").environ):
        if name.startswith("IOC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("IOC_DATABASE_URL", "mysql://root@localhost/ioc", "IOC_DATABASE_URL"),
        ("IOC_MQTT_URL", "http://127.0.0.1:1883", "mqtt:// or mqtts://"),
        ("IOC_MQTT_URL", "mqtt://:1883", "has no host"),
        ("IOC_MQTT_URL", "mqtt://broker:notaport", "invalid port"),
        ("IOC_REDIS_URL", "127.0.0.1:6379", "IOC_REDIS_URL"),
        ("IOC_PORT", "eighty", "IOC_PORT"),
        ("IOC_LANGUAGE", "fr", "IOC_LANGUAGE"),
        ("IOC_MQTT_TOPIC_PREFIX", "ioc/#", "wildcards"),
    ],
)
def test_malformed_setting_names_the_variable(monkeypatch, field, value, expected):
    monkeypatch.setenv(field, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert expected in str(err.value)
    assert value in str(err.value) or field in str(err.value)


def test_empty_urls_mean_embedded_defaults():
    settings = load_settings()
    assert settings.database_url is None and settings.mqtt_url is None and settings.mqtt is None
    assert settings.language == "vi" and settings.port == 8050


def test_environment_overrides_toml_file(monkeypatch, tmp_path):
    (tmp_path / "ioc.toml").write_text(
        'database_url = "postgresql://postgres@db.example:5432/ioc"\nport = 9000\nmqtt_url = "mqtts://broker.example"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("IOC_PORT", "9100")
    settings = load_settings()
    assert settings.database_url == "postgresql://postgres@db.example:5432/ioc"
    assert settings.port == 9100
    assert settings.mqtt.tls and settings.mqtt.port == 8883 and settings.mqtt.host == "broker.example"


def test_config_file_location_from_environment(monkeypatch, tmp_path):
    path = tmp_path / "elsewhere.toml"
    path.write_text('language = "en"\n', encoding="utf-8")
    monkeypatch.setenv("IOC_CONFIG_FILE", str(path))
    assert load_settings().language == "en"


def test_unknown_key_in_toml_is_refused(tmp_path):
    (tmp_path / "ioc.toml").write_text('databse_url = "postgresql://x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="databse_url"):
        load_settings()


def test_topic_helper_uses_prefix():
    settings = load_settings(mqtt_topic_prefix="/city/ioc/v1/")
    assert settings.topic("devices", "cam-0001", "telemetry") == "city/ioc/v1/devices/cam-0001/telemetry"
