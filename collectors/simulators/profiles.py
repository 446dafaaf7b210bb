"""Calibration of simulated values: ``ioc/data/simulation/profiles.csv``.

One row per device metric (``target = device``, ``key = kind.metric``) or per
group of indicators (``target = indicator``, ``key`` = a glob over indicator
codes, first matching row wins, so specific rows go before general ones).
Columns:

- ``shape``: the generator (see :mod:`collectors.simulators.signals` and
  :mod:`collectors.simulators.indicators`);
- ``base``: the typical level (a commune's, for indicators that add up);
- ``spread``: relative variation between devices or areas (log-normal sigma);
- ``noise``: relative variation between consecutive values;
- ``trend``: relative change over a year (``0.05`` = 5 % better at the end);
- ``min`` / ``max``: clip range; ``params``: ``name=value;...`` shape options;
- ``district_factors``: ``code=factor;...`` multipliers of ``base`` per district
  (or per commune: a commune's factor multiplies its district's).

Indicator keys: a glob over codes (``TTHC.TL_DUNGHAN*``), ``unit:GLOB`` (by unit)
or ``metric:NAME`` (indicators fed by that device metric).
"""

from __future__ import annotations

import csv
import fnmatch
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ioc.errors import DataFileError

__all__ = ["Profile", "Profiles", "load_profiles", "default_profiles_path"]

_COLUMNS = ("target", "key", "shape", "base", "spread", "noise", "trend", "min", "max", "params", "district_factors")
_TARGETS = ("device", "indicator")


def default_profiles_path() -> Path:
    """The shipped calibration file."""
    return Path(str(resources.files("ioc") / "data" / "simulation" / "profiles.csv"))


@dataclass(frozen=True, slots=True)
class Profile:
    """How one device metric or one group of indicators is simulated."""

    target: str
    key: str
    shape: str
    base: float
    spread: float = 0.0
    noise: float = 0.0
    trend: float = 0.0
    min: float | None = None
    max: float | None = None
    params: dict[str, float | str] = field(default_factory=dict)
    district_factors: dict[str, float] = field(default_factory=dict)

    def param(self, name: str, default: float) -> float:
        """A numeric shape option, or ``default`` when the row does not set it."""
        value = self.params.get(name, default)
        return value if isinstance(value, float) else default

    def text(self, name: str, default: str = "") -> str:
        """A text shape option (e.g. an indicator code), or ``default``."""
        value = self.params.get(name, default)
        return value if isinstance(value, str) else default

    def factor(self, *codes: str | None) -> float:
        """The product of the multipliers listed for the given areas (a district, a commune ...)."""
        out = 1.0
        for code in codes:
            out *= self.district_factors.get(code or "", 1.0)
        return out


@dataclass(frozen=True)
class Profiles:
    """All calibration rows: device metrics by ``(kind, metric)``, indicator rules in file order."""

    devices: dict[tuple[str, str], Profile]
    indicator_rules: tuple[Profile, ...]

    def device_metrics(self, kind: str) -> list[str]:
        """Metrics simulated for a device kind, in file order."""
        return [metric for (k, metric) in self.devices if k == kind]

    def for_indicator(self, code: str, *, unit: str = "", metric: str | None = None) -> Profile | None:
        """The first indicator rule that matches: ``metric:NAME`` (device metric), ``unit:GLOB`` or a code glob."""
        for rule in self.indicator_rules:
            kind, _, pattern = rule.key.rpartition(":")
            subject = {"": code, "unit": unit, "metric": metric or ""}.get(kind)
            if subject and fnmatch.fnmatchcase(subject, pattern):
                return rule
        return None


def _pairs(path: Path, row_no: int, column: str, text: str, *, texts: bool = False) -> dict:
    out: dict[str, float | str] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise DataFileError(path, row_no, f"{column}: {item!r} is not name=value")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            if not texts:
                raise DataFileError(path, row_no, f"{column}: {item!r} is not name=number") from None
            out[name.strip()] = value.strip()
    return out


def _number(path: Path, row_no: int, row: dict[str, str], column: str, default: float | None) -> float | None:
    text = (row.get(column) or "").strip()
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        raise DataFileError(path, row_no, f"{column} must be a number (got {text!r})") from None


def _profile(path: Path, row_no: int, row: dict[str, str]) -> Profile:
    if row["target"] not in _TARGETS:
        raise DataFileError(path, row_no, f"target must be device or indicator (got {row['target']!r})")
    if not row["key"] or not row["shape"]:
        raise DataFileError(path, row_no, "key and shape are required")
    if row["target"] == "device" and row["key"].count(".") != 1:
        raise DataFileError(path, row_no, f"device key must be kind.metric (got {row['key']!r})")
    low, high = _number(path, row_no, row, "min", None), _number(path, row_no, row, "max", None)
    if low is not None and high is not None and low >= high:
        raise DataFileError(path, row_no, f"min {low:g} must be below max {high:g}")
    return Profile(
        target=row["target"], key=row["key"], shape=row["shape"],
        base=_number(path, row_no, row, "base", None) if row.get("base") else 0.0,
        spread=_number(path, row_no, row, "spread", 0.0), noise=_number(path, row_no, row, "noise", 0.0),
        trend=_number(path, row_no, row, "trend", 0.0), min=low, max=high,
        params=_pairs(path, row_no, "params", row.get("params") or "", texts=True),
        district_factors=_pairs(path, row_no, "district_factors", row.get("district_factors") or ""),
    )


def load_profiles(path: Path | None = None) -> Profiles:
    """Read and validate the calibration file."""
    path = path or default_profiles_path()
    devices: dict[tuple[str, str], Profile] = {}
    rules: list[Profile] = []
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DataFileError(path, 1, f"missing column(s) {', '.join(missing)}")
            for row_no, row in enumerate(reader, start=2):
                profile = _profile(path, row_no, row)
                if profile.target == "device":
                    kind, metric = profile.key.split(".")
                    if (kind, metric) in devices:
                        raise DataFileError(path, row_no, f"device metric {profile.key} listed twice")
                    devices[(kind, metric)] = profile
                else:
                    rules.append(profile)
    except FileNotFoundError:
        raise DataFileError(path, None, "calibration file not found") from None
    return Profiles(devices, tuple(rules))
