"""One typed settings object for the whole operations center.

Every setting is an ``IOC_<FIELD>`` environment variable, mapped one-to-one to a
field of :class:`Settings`, or a key of an optional TOML file named by
``IOC_CONFIG_FILE`` (default ``ioc.toml`` in the working directory when it
exists). Resolution order: explicit argument → environment → TOML file → default.

``database_url`` and ``mqtt_url`` left empty mean "embedded": ``ioc up`` then
starts an embedded PostgreSQL and an in-process MQTT broker.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ioc.errors import ConfigError

__all__ = ["Settings", "load_settings", "MqttEndpoint"]

_DB_SCHEMES = {"postgresql", "postgres"}
_MQTT_SCHEMES = {"mqtt": 1883, "tcp": 1883, "mqtts": 8883, "ssl": 8883}
_REDIS_SCHEMES = {"redis", "rediss", "unix"}


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("ioc", appauthor=False))


def _config_file() -> Path:
    return Path(os.environ.get("IOC_CONFIG_FILE", "ioc.toml"))


class MqttEndpoint:
    """Host, port and TLS flag parsed from ``mqtt_url``."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.tls = parts.scheme in ("mqtts", "ssl")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or _MQTT_SCHEMES[parts.scheme]
        self.username = parts.username
        self.password = parts.password

    def __repr__(self) -> str:
        return f"MqttEndpoint({self.host}:{self.port}, tls={self.tls})"


class Settings(BaseSettings):
    """All settings of ioc; see the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="IOC_", extra="forbid", validate_default=True)

    # Storage
    database_url: str | None = Field(None, description="PostgreSQL URL; empty = embedded PostgreSQL")
    db_pool_max: int = Field(10, ge=1, le=200, description="connections per process")
    retention_days: int = Field(400, ge=1, description="raw observations kept this many days")

    # MQTT
    mqtt_url: str | None = Field(None, description="mqtt:// or mqtts:// URL; empty = in-process broker")
    mqtt_username: str | None = None
    mqtt_password: str | None = None
    mqtt_tls_ca: Path | None = Field(None, description="CA file for mqtts")
    mqtt_tls_cert: Path | None = Field(None, description="client certificate for mqtts")
    mqtt_tls_key: Path | None = Field(None, description="client key for mqtts")
    mqtt_topic_prefix: str = Field("ioc/v1", description="root of every topic ioc uses")
    mqtt_client_id: str = Field("ioc-collector", description="persistent-session client id")
    mqtt_shared_group: str | None = Field(None, description="$share group for several collectors")

    # Cache and web
    redis_url: str | None = Field(None, description="Redis for the shared cache; empty = filesystem cache")
    cache_prefix: str = Field("ioc", description="key prefix in Redis, so deployments sharing a Redis stay apart")
    cache_warm_seconds: float = Field(10.0, ge=0, description="build the dashboard's first views at start and renew "
                                      "them this often (below the 15 s data cache); 0 = never")
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)
    language: Literal["vi", "en"] = "vi"
    theme: Literal["dark", "light"] = "dark"
    map_tile_url: str | None = Field(None, description="XYZ tile URL or style URL; empty = offline base map")
    secret_key: str | None = Field(None, description="Flask session secret; generated and kept in data_dir if empty")
    cookie_secure: bool | None = Field(None, description="Secure flag of the session cookie; empty = on unless host is loopback")

    # Runtime
    data_dir: Path = Field(default_factory=_default_data_dir)
    simulate: bool = Field(True, description="run device and indicator simulators in `ioc up`")
    simulate_interval: float = Field(60.0, gt=0, description="simulated seconds between two readings of a device")
    simulate_speed: float = Field(1.0, gt=0, description="simulator compression: 10 = ten times more often")
    simulate_malformed_rate: float = Field(0.005, ge=0, le=1, description="share of simulated messages sent broken")
    simulate_incident_rate: float = Field(0.03, ge=0, description="simulated incidents per camera per hour")
    simulate_outage_rate: float = Field(0.01, ge=0, description="simulated outages per device per hour")
    log_level: str = "INFO"

    # Scheduled pull sources and alerts (see docs/sources.md)
    sources_file: Path | None = Field(None, description="TOML file declaring the scheduled pull sources")
    alert_webhook_url: str | None = Field(None, description="URL that receives every alert state change as a JSON POST")

    # Device readings → hourly and daily area indicators (collectors/aggregation.py)
    aggregate_interval: float = Field(3600, gt=0, description="seconds between two runs of the aggregation job")
    aggregate_hours: int = Field(3, ge=1, le=24 * 7, description="complete past hours each run recomputes")
    aggregate_realtime_interval: float = Field(60, gt=0, description="seconds between two runs of the realtime aggregation")

    # Batching writer
    writer_batch_size: int = Field(5000, ge=1)
    writer_flush_interval: float = Field(0.5, gt=0)
    writer_buffer_limit: int = Field(200_000, ge=1)
    writer_workers: int = Field(2, ge=1, le=16, description="batches written side by side, each on its own connection")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml, file_secret_settings)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        scheme = urlsplit(value).scheme
        if scheme not in _DB_SCHEMES:
            raise ValueError(
                f"must start with postgresql:// (got {scheme or 'no scheme'!r}), "
                "e.g. postgresql://postgres@127.0.0.1:5432/ioc"
            )
        return value

    @field_validator("mqtt_url")
    @classmethod
    def _check_mqtt_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in _MQTT_SCHEMES:
            raise ValueError(f"must start with mqtt:// or mqtts:// (got {value!r}), e.g. mqtt://127.0.0.1:1883")
        if not parts.hostname:
            raise ValueError(f"has no host (got {value!r}), e.g. mqtt://127.0.0.1:1883")
        try:
            parts.port
        except ValueError:
            raise ValueError(f"has an invalid port (got {value!r})") from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if urlsplit(value).scheme not in _REDIS_SCHEMES:
            raise ValueError(f"must start with redis:// (got {value!r}), e.g. redis://127.0.0.1:6379/0")
        return value

    @field_validator("mqtt_topic_prefix")
    @classmethod
    def _check_prefix(cls, value: str) -> str:
        value = value.strip("/")
        if not value or any(c in value for c in "#+"):
            raise ValueError(f"must be a plain topic path without wildcards (got {value!r})")
        return value

    @property
    def mqtt(self) -> MqttEndpoint | None:
        """The parsed MQTT endpoint, or None when the in-process broker is used."""
        return MqttEndpoint(self.mqtt_url) if self.mqtt_url else None

    def topic(self, *parts: str) -> str:
        """A topic under the configured prefix: ``topic('devices', 'cam-1', 'telemetry')``."""
        return "/".join((self.mqtt_topic_prefix, *parts))


def load_settings(**overrides: object) -> Settings:
    """Build :class:`Settings`, turning validation errors into one readable :class:`ConfigError`."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"setting IOC_{field.upper()} ({field}): {msg}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None
