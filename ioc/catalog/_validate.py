"""Cross-row rules of the catalog: references, thresholds against the target, ratios, devices, 766 weights."""

from __future__ import annotations

import re
from pathlib import Path

from ioc.catalog._csv import ErrorList
from ioc.catalog.models import DeviceMetric, Indicator, Score766Criterion, Score766Group

__all__ = ["check_indicators", "check_thresholds", "check_score766"]

# "Indicator 0042", "Chỉ số 12": a placeholder name no leader would recognise.
_GENERIC_NAME = re.compile(r"^\s*(indicator|chỉ số|chi so|chỉ tiêu|kpi)\s*[#_-]?\s*\d+\s*$", re.IGNORECASE)


def check_thresholds(ind: Indicator) -> list[str]:
    """Reasons why the warning / critical thresholds sit on the wrong side (empty when fine)."""
    warn, crit, target = ind.warning, ind.critical, ind.target
    if ind.direction == "neutral":
        if warn is not None or crit is not None:
            return ["a neutral indicator has no bad side: set direction to higher_better or lower_better, "
                    "or drop warning/critical"]
        return []
    higher = ind.direction == "higher_better"
    worse, word = ((lambda a, b: a < b), "below") if higher else ((lambda a, b: a > b), "above")
    reasons = []
    if warn is not None and target is not None and not worse(warn, target):
        reasons.append(f"warning {warn:g} must be {word} the target {target:g} ({ind.direction})")
    if crit is not None and target is not None and not worse(crit, target):
        reasons.append(f"critical {crit:g} must be {word} the target {target:g} ({ind.direction})")
    if warn is not None and crit is not None and not worse(crit, warn):
        reasons.append(f"critical {crit:g} must be {word} warning {warn:g} ({ind.direction})")
    return reasons


def _check_ratio(ind: Indicator, by_code: dict[str, Indicator]) -> list[str]:
    parts = (ind.numerator_code, ind.denominator_code)
    is_ratio = "ratio" in (ind.agg_time, ind.agg_area)
    if not is_ratio:
        return ["numerator/denominator are only for ratio indicators (agg_time = agg_area = ratio)"] \
            if any(parts) else []
    if ind.agg_time != "ratio" or ind.agg_area != "ratio":
        return ["a ratio is a ratio over time and over areas: set both agg_time and agg_area to ratio"]
    if not all(parts):
        return ["a ratio indicator needs numerator_code and denominator_code"]
    reasons = []
    for role, code in zip(("numerator", "denominator"), parts, strict=True):
        other = by_code.get(code or "")
        if other is None:
            reasons.append(f"{role} {code!r} is not an indicator of the catalog")
        elif other.code == ind.code:
            reasons.append(f"{role} {code!r} is the indicator itself")
        elif missing := [lv for lv in ind.levels if lv not in other.levels]:
            reasons.append(f"{role} {code!r} is not reported at {', '.join(missing)}, where this ratio is")
    return reasons


def _check_device(ind: Indicator, metrics: dict[tuple[str, str], DeviceMetric]) -> list[str]:
    if ind.source != "mqtt":
        return ["device_kind/device_metric are only for source mqtt"] if ind.device_kind or ind.device_metric else []
    metric = metrics.get((ind.device_kind or "", ind.device_metric or ""))
    if metric is None:
        return [f"device metric {ind.device_kind}/{ind.device_metric} is not in device_metrics.csv "
                "(an mqtt indicator names the device_kind and device_metric that feed it)"]
    if metric.unit != ind.unit:
        return [f"unit {ind.unit!r} differs from the unit {metric.unit!r} devices publish "
                f"{ind.device_kind}/{ind.device_metric} in"]
    return []


def _check_references(ind: Indicator, sectors: set[str], departments: set[str], units: set[str],
                      levels: set[str]) -> list[str]:
    reasons = []
    if ind.sector_code not in sectors:
        reasons.append(f"unknown sector {ind.sector_code!r}; sectors.csv lists the known ones")
    if ind.department_code not in departments:
        reasons.append(f"unknown department {ind.department_code!r}; departments.csv lists the known ones")
    if ind.unit not in units:
        reasons.append(f"unknown unit {ind.unit!r}; add it to units.csv or use a listed one")
    if unknown := [lv for lv in ind.levels if lv not in levels]:
        reasons.append(f"unknown level(s) {', '.join(unknown)}; levels.csv lists the known ones")
    for name in (ind.name_vi, ind.name_en):
        if "{" in name or "}" in name:
            reasons.append(f"name {name!r} still holds a placeholder")
        elif _GENERIC_NAME.match(name):
            reasons.append(f"name {name!r} says nothing: name the figure as a leader would")
        elif name[0].islower():
            reasons.append(f"name {name!r} starts in lower case")
    return reasons


def check_indicators(path: Path, indicators: list[tuple[int, Indicator]], errors: ErrorList, *,
                     sectors: set[str], departments: set[str], units: set[str], levels: set[str],
                     metrics: dict[tuple[str, str], DeviceMetric]) -> None:
    """Add to ``errors`` every indicator row that breaks a catalog rule."""
    by_code = {ind.code: ind for _, ind in indicators}
    for line, ind in indicators:
        reasons = _check_references(ind, sectors, departments, units, levels)
        reasons += check_thresholds(ind)
        reasons += _check_ratio(ind, by_code)
        reasons += _check_device(ind, metrics)
        for reason in reasons:
            errors.add(path, line, f"{ind.code}: {reason}")


def check_score766(groups_path: Path, groups: list[tuple[int, Score766Group]], criteria_path: Path,
                   criteria: list[tuple[int, Score766Criterion]], errors: ErrorList, indicators: set[str]) -> None:
    """The 766 weights add up: groups to 100, components to their group, criteria to their group."""
    for line, crit in criteria:
        if crit.rate_indicator is not None and crit.rate_indicator not in indicators:
            errors.add(criteria_path, line, f"{crit.code}: rate_indicator {crit.rate_indicator!r} "
                                            "is not an indicator of the catalog")
    if not groups:
        return
    by_code = {g.code: g for _, g in groups}
    children: dict[str, float] = {}
    for line, group in groups:
        if group.parent_code is not None:
            if group.parent_code not in by_code:
                errors.add(groups_path, line, f"{group.code}: unknown parent group {group.parent_code!r}")
                continue
            children[group.parent_code] = children.get(group.parent_code, 0.0) + group.max_points
    top = sum(g.max_points for _, g in groups if g.parent_code is None)
    if abs(top - 100) > 1e-6:
        errors.add(groups_path, None, f"top-level groups add up to {top:g} points, not 100")
    for line, group in groups:
        if group.code in children and abs(children[group.code] - group.max_points) > 1e-6:
            errors.add(groups_path, line, f"{group.code}: its components add up to {children[group.code]:g}, "
                                          f"not its {group.max_points:g} points")
    per_group: dict[str, float] = {}
    for line, crit in criteria:
        group = by_code.get(crit.group_code)
        if group is None:
            errors.add(criteria_path, line, f"{crit.code}: unknown group {crit.group_code!r}")
        elif group.code in children:
            errors.add(criteria_path, line, f"{crit.code}: group {group.code} is split into components; "
                                            "attach the criterion to one of them")
        else:
            per_group[group.code] = per_group.get(group.code, 0.0) + crit.max_points
    for line, group in groups:
        if group.code not in children and abs(per_group.get(group.code, 0.0) - group.max_points) > 1e-6:
            errors.add(groups_path, line, f"{group.code}: its criteria add up to "
                                          f"{per_group.get(group.code, 0.0):g}, not {group.max_points:g} points")
