"""Where a value stands against an indicator's thresholds, honouring its direction.

One definition shared by the pages (status colours) and the alert rules, so a tile
and an alert never disagree about the same value.
"""

from __future__ import annotations

__all__ = ["threshold_severity"]


def threshold_severity(value: float, *, direction: str, warning: float | None, critical: float | None) -> str | None:
    """``critical``, ``warning`` or None for a value against an indicator's thresholds.

    ``higher_better``: at or below ``critical`` is critical, below ``warning`` is warning.
    ``lower_better``: at or above ``critical`` is critical, above ``warning`` is warning.
    Missing thresholds, or a neutral direction, never breach.
    """
    if direction == "higher_better":
        if critical is not None and value <= critical:
            return "critical"
        if warning is not None and value < warning:
            return "warning"
    elif direction == "lower_better":
        if critical is not None and value >= critical:
            return "critical"
        if warning is not None and value > warning:
            return "warning"
    return None
