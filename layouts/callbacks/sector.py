"""Sector page callbacks: rows of the indicator grid, diacritics-free quick search."""

from __future__ import annotations

import re
import unicodedata

from dash import Input, Output, State, callback, html
from unidecode import unidecode

from ioc.formatting import format_change, format_datetime, format_number
from ioc.i18n import pick, t
from ioc.storage.kpis import STATUSES, IndicatorStatus
from layouts import data
from layouts.access import scope
from layouts.components.kpi_tile import change_class
from layouts.prefs import current_lang
from layouts.rendered import rendered

__all__ = ["column_defs", "indicator_row", "indicator_rows", "update_sector", "sector_view", "update_filter", "fold"]

_RANK = {"critical": 0, "warning": 1, "stale": 2, "good": 3}
# Combining diacritical marks (U+0300–U+036F): with đ/Đ read as d/D, all Vietnamese needs.
_DIACRITICS = re.compile("[\u0300-\u036f]+")


def fold(text: str) -> str:
    """Lower case without diacritics: 'Hồ sơ đúng hạn' → 'ho so dung han'.

    Vietnamese letters decompose (NFD) into ASCII plus combining marks, which are dropped (in C);
    only what is left outside ASCII goes through unidecode's per-character Python loop. Same
    answers as unidecode alone.
    """
    stripped = _DIACRITICS.sub("", unicodedata.normalize("NFD", text or "")).replace("đ", "d").replace("Đ", "D")
    return (stripped if stripped.isascii() else unidecode(stripped)).lower()


def column_defs(lang: str) -> list[dict]:
    """Grid columns: status, code, name (link), value, unit, trend, updated, owner department."""
    status_rules = {f"status-cell status-cell-{s}": f"params.data.status === '{s}'" for s in STATUSES}
    return [
        {"field": "status_text", "headerName": t("grid.status", lang), "cellClassRules": status_rules,
         "width": 150, "minWidth": 130,
         "comparator": {"function": "(a, b, na, nb) => na.data.status_rank - nb.data.status_rank"}},
        {"field": "code", "headerName": t("grid.code", lang), "width": 210, "minWidth": 170,
         "tooltipField": "code"},
        {"field": "name", "headerName": t("grid.name", lang), "cellRenderer": "markdown", "flex": 3, "minWidth": 260,
         "linkTarget": "_self"},
        {"field": "value", "headerName": t("grid.value", lang), "type": "rightAligned", "filter": "agNumberColumnFilter",
         "valueFormatter": {"function": "params.data.value_text"}, "width": 140, "cellClass": "num-cell"},
        {"field": "unit", "headerName": t("grid.unit", lang), "width": 110},
        {"field": "change_pct", "headerName": t("grid.trend", lang), "type": "rightAligned",
         "valueFormatter": {"function": "params.data.trend_text"}, "width": 130,
         "cellClassRules": {"change-better": "params.data.trend === 'change-better'",
                            "change-worse": "params.data.trend === 'change-worse'"}},
        {"field": "updated", "headerName": t("grid.updated", lang), "width": 170,
         "valueFormatter": {"function": "params.data.updated_text"}},
        {"field": "department", "headerName": t("grid.department", lang), "flex": 2, "minWidth": 200},
        {"field": "search", "hide": True},
    ]


def indicator_row(item: IndicatorStatus, lang: str) -> dict:
    """One grid row: status, name link, formatted value and trend, owner, folded search text."""
    name = pick(lang, item.name_vi, item.name_en)
    department = pick(lang, item.department_vi, item.department_en)
    arrow = "▲ " if (item.change or 0) > 0 else "▼ " if (item.change or 0) < 0 else ""
    trend = format_change(item.change_pct, lang, percent=True) if item.change_pct is not None else \
        format_change(item.change, lang, decimals=item.decimals)
    return {
        "code": item.code,
        "status": item.status,
        "status_rank": _RANK[item.status],
        "status_text": t(f"status.{item.status}", lang),
        "name": f"[{name}](/indicator/{item.code})",
        "value": item.value,
        "value_text": format_number(item.value, lang, decimals=item.decimals),
        "unit": item.unit,
        "change_pct": item.change_pct,
        "trend": change_class(item.change, item.direction),
        "trend_text": f"{arrow}{trend}" if item.change is not None else "—",
        "updated": item.ts.isoformat() if item.ts else "",
        "updated_text": format_datetime(item.ts, lang) if item.ts else "—",
        "department": department,
        "search": fold(f"{item.code} {item.name_vi} {item.name_en} {item.department_vi} {item.unit}"),
    }


def indicator_rows(items: list[IndicatorStatus], lang: str) -> list[dict]:
    """One grid row per indicator, worst status first."""
    return [indicator_row(item, lang) for item in sorted(items, key=lambda i: (_RANK[i.status], i.code))]


@callback(
    Output("sector-grid-table", "rowData"),
    Output("sector-title", "children"),
    Output("sector-counts", "children"),
    Input("sector-code", "data"),
    Input("tick", "n_intervals"),
)
def update_sector(sector_code: str | None, _tick: int | None) -> tuple[list[dict], str, list]:
    """Rows, title and status counts of the sector."""
    return sector_view(sector_code if isinstance(sector_code, str) else "", current_lang(), scope())


@rendered()
def sector_view(sector_code: str, lang: str, viewer_scope: tuple[str, ...] | None) -> tuple[list[dict], str, list]:
    """The grid rows, title and counts of a sector as a viewer of ``viewer_scope`` sees it, built."""
    names = data.sector_names().get(sector_code)
    if names is None:
        return [], t("sector.unknown", lang, code=sector_code), []
    if viewer_scope is not None and sector_code not in viewer_scope:
        return [], t("access.sector_denied", lang), []
    items = data.sector_statuses(sector_code, viewer_scope)
    counts = [html.Span([html.Span(className=f"dot dot-{s}"), t(f"status.{s}", lang), ": ",
                         html.B(format_number(sum(i.status == s for i in items), lang))], className="sector-count")
              for s in STATUSES]
    return indicator_rows(items, lang), pick(lang, *names), counts


@callback(Output("sector-grid-table", "dashGridOptions"), Input("sector-filter", "value"),
          State("sector-grid-table", "dashGridOptions"))
def update_filter(text: str | None, options: dict | None) -> dict:
    """Quick filter on the folded text, so 'ho so' finds 'Hồ sơ'."""
    if not isinstance(options, dict):
        options = {}  # none yet, or forged
    return {**options, "quickFilterText": fold(text if isinstance(text, str) else "")}
