"""Device metric rules: which metrics each device kind reports, in which unit, within which range.

The rules come from the device-metric catalog (``ioc/data/catalog/device_metrics.csv``
through :func:`ioc.catalog.load_device_metrics`); the MQTT validator checks every
reading against them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MetricRule", "MetricRules", "load_metric_rules"]


@dataclass(frozen=True, slots=True)
class MetricRule:
    """What a device kind may report for one metric."""

    device_kind: str
    metric: str
    unit: str
    min: float = -math.inf
    max: float = math.inf


class MetricRules:
    """Rules indexed by (device kind, metric)."""

    def __init__(self, rules: Iterable[MetricRule]) -> None:
        self._rules: dict[tuple[str, str], MetricRule] = {(r.device_kind, r.metric): r for r in rules}

    def get(self, device_kind: str, metric: str) -> MetricRule | None:
        """The rule for one metric of one kind, or None when that kind does not report it."""
        return self._rules.get((device_kind, metric))

    def metrics(self, device_kind: str) -> list[str]:
        """Metric names a kind reports, sorted."""
        return sorted(m for k, m in self._rules if k == device_kind)

    def __len__(self) -> int:
        return len(self._rules)


def load_metric_rules(path: Path | str | None = None) -> MetricRules:
    """Rules from the device-metric catalog (or from ``path``: a catalog folder or a CSV of that shape)."""
    from ioc.catalog import load_device_metrics

    metrics = load_device_metrics(path)
    return MetricRules(
        MetricRule(
            m.device_kind,
            m.metric,
            m.unit,
            -math.inf if m.min is None else float(m.min),
            math.inf if m.max is None else float(m.max),
        )
        for m in metrics.values()
    )
