"""The 766 components (groups and published sub-components) with their maxima and indicators.

Nothing is hard-coded here: groups and maxima come from the catalog's
``score766_groups.csv`` (a row with a ``parent_code`` is a published part of a
group, such as online payment /10 inside online services /22), and the weekly
points of each group are the observations of the catalog indicator
``<family><GROUP>`` (``CCHC766.DIEM_CKMB``) that the catalog expands from its ``score766_group``
dimension. The family is found as the one whose members cover every group and
whose target equals the group's maximum points.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from ioc.catalog import Catalog, load_catalog
from ioc.errors import DataFileError

__all__ = ["Component", "top_level", "components_from_catalog", "default_components"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Component:
    """A 766 group (or a published part of one) with its maximum and the indicator holding its points."""

    code: str
    name_vi: str
    name_en: str
    max_points: float
    indicator_code: str
    parent_code: str | None = None

    def label(self, lang: str = "vi") -> str:
        """The component's name in ``lang`` (Vietnamese by default)."""
        return self.name_en if lang == "en" and self.name_en else self.name_vi


def top_level(components: Sequence[Component]) -> list[Component]:
    """The groups whose points add up to the total (parts of a group are left out)."""
    return [c for c in components if c.parent_code is None]


def _families(catalog: Catalog) -> list[str]:
    """Code stems ``S`` whose indicator ``S<GROUP>`` exists for every group, best match first.

    A stem ends with the separator (``CCHC766.DIEM.`` or ``CCHC766.DIEM_``); the
    best stems have targets equal to the groups' maxima and are not percentages.
    """
    groups = catalog.score766_groups
    if not groups:
        return []
    first = groups[0].code
    stems = [ind.code[: -len(first)] for ind in catalog.indicators
             if ind.code.endswith(first) and ind.code[: -len(first)][-1:] in (".", "_")]
    complete = [s for s in stems if all(f"{s}{g.code}" in catalog.by_code for g in groups)]

    def exact(stem: str) -> bool:
        return all(catalog.by_code[f"{stem}{g.code}"].target == g.max_points for g in groups)

    return sorted(complete, key=lambda s: (not exact(s), catalog.by_code[f"{s}{first}"].unit == "%"))


def components_from_catalog(catalog: Catalog, *, family: str | None = None) -> tuple[Component, ...]:
    """The 766 components of a catalog, in file order (raises DataFileError when unusable).

    ``family`` is the code stem with its separator (``"CCHC766.DIEM_"``); by default it is found.
    """
    if not catalog.score766_groups:
        raise DataFileError("score766_groups.csv", None, "the catalog defines no 766 groups; add score766_groups.csv")
    if family is None:
        families = _families(catalog)
        if not families:
            raise DataFileError(
                "indicators.csv", None,
                "no indicator family is crossed with every 766 group (codes <FAMILY>.<GROUP> or <FAMILY>_<GROUP>); "
                "add a family with dims=score766_group and run `ioc catalog expand`",
            )
        family = families[0]
    components = []
    for group in catalog.score766_groups:
        code = f"{family}{group.code}"
        if code not in catalog.by_code:
            raise DataFileError("indicators.csv", None, f"766 indicator {code} missing for group {group.code}")
        components.append(Component(group.code, group.name_vi, group.name_en, group.max_points, code, group.parent_code))
    logger.debug("766 components from family %s: %s", family, [c.code for c in components])
    return tuple(components)


@cache
def default_components() -> tuple[Component, ...]:
    """The components of the packaged catalog (read once per process: static data)."""
    return components_from_catalog(load_catalog())
