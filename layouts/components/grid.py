"""Shared AG Grid settings: the grid's own texts in the viewer's language."""

from __future__ import annotations

from ioc.i18n import t

__all__ = ["grid_locale"]


def grid_locale(lang: str, no_rows_key: str) -> dict[str, str]:
    """AG Grid ``localeText``: the empty-grid message and the filter menu in ``lang``."""
    keys = ("contains", "equals", "notEqual", "lessThan", "greaterThan", "filterOoo", "searchOoo", "andCondition",
            "orCondition", "applyFilter", "resetFilter", "clearFilter", "notContains", "startsWith", "endsWith",
            "blank", "notBlank", "inRange", "lessThanOrEqual", "greaterThanOrEqual")
    locale = {key: t(f"grid.ag.{key}", lang) for key in keys} if lang == "vi" else {}
    locale["noRowsToShow"] = t(no_rows_key, lang)
    return locale
