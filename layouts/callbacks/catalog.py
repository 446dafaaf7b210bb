"""Catalog page callbacks: search the catalog, list the matches with their status."""

from __future__ import annotations

from dash import Input, Output, callback, clientside_callback

from ioc.formatting import format_number
from ioc.i18n import pick, t
from layouts import data
from layouts.access import scope
from layouts.callbacks.sector import column_defs, indicator_row
from layouts.prefs import current_lang
from layouts.rendered import rendered

__all__ = ["catalog_columns", "search_rows", "results_view", "update_results"]

_LIMIT = 300


def catalog_columns(lang: str) -> list[dict]:
    """The sector grid's columns plus the sector name."""
    columns = column_defs(lang)
    columns.insert(3, {"field": "sector", "headerName": t("grid.sector", lang), "flex": 1, "minWidth": 160})
    return [c for c in columns if c["field"] not in ("updated",)]


def search_rows(text: str, lang: str, viewer_scope: tuple[str, ...] | None) -> list[dict]:
    """Grid rows of the indicators matching ``text`` (of the viewer's scope), in the search's rank order."""
    codes = tuple(data.search(text.strip(), _LIMIT, viewer_scope)) if text.strip() else ()
    sectors = {code: pick(lang, *names) for code, names in data.sector_names().items()}
    statuses = {item.code: item for item in data.indicators(codes, viewer_scope)}
    rows = []
    for code in codes:
        if code in statuses:
            row = indicator_row(statuses[code], lang)
            row["sector"] = sectors.get(statuses[code].sector_code, "")
            rows.append(row)
    return rows


@callback(Output("catalog-grid", "rowData"), Output("catalog-count", "children"), Input("catalog-query", "value"))
def update_results(text: str | None) -> tuple[list[dict], str]:
    """Rows for the query and a count of them."""
    lang = current_lang()
    if not isinstance(text, str) or not text.strip():
        return [], t("catalog.hint", lang)
    return results_view(text.strip(), lang, scope())


@rendered()
def results_view(text: str, lang: str, viewer_scope: tuple[str, ...] | None) -> tuple[list[dict], str]:
    """Rows and count of a search as a viewer of ``viewer_scope`` sees them, built."""
    rows = search_rows(text, lang, viewer_scope)
    return rows, t("catalog.count", lang, n=format_number(len(rows), lang))


clientside_callback(
    """
    function(q) {
        const url = new URL(window.location.href);
        if (q) { url.searchParams.set('q', q); } else { url.searchParams.delete('q'); }
        window.history.replaceState(window.history.state, '', url.pathname + url.search);
        return window.dash_clientside.no_update;
    }
    """,
    Output("catalog-query", "className"),
    Input("catalog-query", "value"),
)
