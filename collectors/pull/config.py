"""The sources file (``IOC_SOURCES_FILE``): scheduled pull sources, maintenance and alert settings.

A strict TOML schema: an unknown key, a missing option or a bad schedule stops
startup with a message naming the file, the source and the field. Example:
``collectors/pull/sources.example.toml``; reference: ``docs/sources.md``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from collectors.pull.base import LOCAL_TZ
from collectors.pull.registry import KINDS
from ioc.alerts.policy import AlertPolicy
from ioc.errors import ConfigError

__all__ = ["SourceConfig", "MaintenanceConfig", "SourcesFile", "load_sources_file", "parse_sources"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")


class SourceConfig(BaseModel):
    """One scheduled pull source: what, when, and how hard to try."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="unique id, lower case: letters, digits, _ . -")
    kind: str = Field(description="one of: " + ", ".join(KINDS))
    interval: float | None = Field(None, gt=0, description="run every N seconds")
    cron: str | None = Field(None, description="crontab line in Vietnam time, e.g. '0 7 * * 1'")
    timeout: float = Field(30.0, gt=0, description="give up a run after N seconds")
    retries: int = Field(2, ge=0, le=10, description="extra attempts after a failed run")
    backoff: float = Field(2.0, ge=0, description="seconds before the first retry; doubled each time")
    backoff_max: float = Field(300.0, ge=0, description="longest wait between retries")
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict, description="kind-specific options")

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"{value!r} must be lower case letters, digits, _ . - (at most 63)")
        return value

    @field_validator("kind")
    @classmethod
    def _check_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown kind {value!r}; use one of {', '.join(KINDS)}")
        return value

    @field_validator("cron")
    @classmethod
    def _check_cron(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                CronTrigger.from_crontab(value, timezone=LOCAL_TZ)
            except ValueError as exc:
                raise ValueError(f"{value!r} is not a crontab line ({exc})") from None
        return value

    @model_validator(mode="after")
    def _check_schedule_and_options(self) -> "SourceConfig":
        if (self.interval is None) == (self.cron is None):
            raise ValueError("give exactly one of interval (seconds) or cron")
        try:
            KINDS[self.kind].options.model_validate(self.options)
        except ValidationError as exc:
            problems = "; ".join(
                f"options.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ValueError(f"{self.kind} {problems}") from None
        return self

    @property
    def schedule_text(self) -> str:
        """The schedule as shown in status: ``every 300 s`` or ``cron 0 7 * * 1``."""
        return f"every {self.interval:g} s" if self.interval is not None else f"cron {self.cron}"

    def validated_options(self) -> BaseModel:
        """The options parsed by the kind's schema."""
        return KINDS[self.kind].options.model_validate(self.options)


class MaintenanceConfig(BaseModel):
    """Schedules of the maintenance jobs (seconds, or a crontab line for retention)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rollup_interval: float = Field(3600, gt=0, description="rebuild recent rollups every N seconds")
    rollup_hours: float = Field(3, gt=0, description="how many past hours the rollup upkeep rebuilds")
    retention_cron: str = Field("30 2 * * *", description="when old raw observations are deleted")
    staleness_interval: float = Field(300, gt=0, description="mark stale series every N seconds")
    alerts_interval: float = Field(60, gt=0, description="evaluate alert rules every N seconds")


class SourcesFile(BaseModel):
    """The whole sources file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: tuple[SourceConfig, ...] = ()
    maintenance: MaintenanceConfig = MaintenanceConfig()
    alerts: AlertPolicy = AlertPolicy()

    @model_validator(mode="after")
    def _unique_names(self) -> "SourcesFile":
        names = [s.name for s in self.source]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"source names must be unique; repeated: {', '.join(dupes)}")
        return self


def _describe(errors: list[dict[str, Any]], data: dict[str, Any]) -> list[str]:
    lines = []
    for err in errors:
        loc = list(err["loc"])
        where = ".".join(str(p) for p in loc) or "file"
        if len(loc) >= 2 and loc[0] == "source" and isinstance(loc[1], int):
            sources = data.get("source") or []
            name = sources[loc[1]].get("name") if loc[1] < len(sources) and isinstance(sources[loc[1]], dict) else None
            where = f"source #{loc[1] + 1} ({name or 'no name'})" + ("." + ".".join(str(p) for p in loc[2:]) if loc[2:] else "")
        lines.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    return lines


def parse_sources(data: dict[str, Any], *, origin: str = "sources") -> SourcesFile:
    """Validate already-parsed TOML data; raise :class:`ConfigError` listing every problem."""
    try:
        return SourcesFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{origin} is invalid:\n  " + "\n  ".join(_describe(exc.errors(), data))) from None


def load_sources_file(path: Path) -> SourcesFile:
    """Read and validate the sources file named by ``IOC_SOURCES_FILE``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"IOC_SOURCES_FILE {path}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"IOC_SOURCES_FILE {path}: not valid TOML ({exc})") from None
    return parse_sources(data, origin=f"IOC_SOURCES_FILE {path}")
