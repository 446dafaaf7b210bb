"""Catalog search across every indicator, with or without Vietnamese diacritics."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import dcc, html

from ioc.i18n import t
from layouts.callbacks import catalog as _callbacks  # noqa: F401  (registers callbacks)
from layouts.callbacks.catalog import catalog_columns
from layouts.components.grid import grid_locale
from layouts.prefs import current_lang, current_theme

dash.register_page(__name__, path="/catalog", name="catalog", title="IOC — Danh mục chỉ số")


def layout(q: str | None = None, **_query: str) -> html.Div:
    """A search box and the matching indicators."""
    lang, theme = current_lang(), current_theme()
    return html.Div(
        [
            html.Div(
                [
                    html.Div([dcc.Link(t("nav.overview", lang), href="/", className="crumb"),
                              html.Span("›", className="crumb-sep"),
                              html.H1(t("catalog.title", lang), className="page-title")], className="title-row"),
                    dcc.Input(id="catalog-query", type="search", value=q or "", debounce=0.3, autoFocus=True,
                              placeholder=t("catalog.search", lang), className="search-input search-wide"),
                    html.Span(id="catalog-count", className="muted"),
                ],
                className="page-head",
            ),
            dag.AgGrid(
                id="catalog-grid",
                columnDefs=catalog_columns(lang),
                rowData=[],
                defaultColDef={"sortable": True, "resizable": True},
                dashGridOptions={"rowHeight": 40, "headerHeight": 40, "animateRows": False,
                                 "localeText": grid_locale(lang, "catalog.no_rows")},
                columnSize="responsiveSizeToFit",
                className=f"ag-theme-quartz{'-dark' if theme == 'dark' else ''} ioc-grid",
                style={"height": "calc(100vh - 190px)", "width": "100%"},
            ),
        ],
        className="catalog-page",
    )
