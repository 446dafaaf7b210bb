"""Sector page: every indicator of one sector in a searchable, sortable grid."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import dcc, html

from ioc.i18n import t
from layouts.callbacks import sector as _callbacks  # noqa: F401  (registers callbacks)
from layouts.callbacks.sector import column_defs
from layouts.components.grid import grid_locale
from layouts.prefs import current_lang, current_theme

dash.register_page(__name__, path_template="/sector/<sector_code>", name="sector", title="IOC — Lĩnh vực")


def layout(sector_code: str | None = None, q: str | None = None, **_query: str) -> html.Div:
    """Title and counts, a search box, and the grid (filled by a callback)."""
    lang, theme = current_lang(), current_theme()
    return html.Div(
        [
            dcc.Store(id="sector-code", data=sector_code),
            html.Div(
                [
                    html.Div([dcc.Link(t("nav.overview", lang), href="/", className="crumb"),
                              html.Span("›", className="crumb-sep"),
                              html.H1(id="sector-title", className="page-title")], className="title-row"),
                    html.Div(id="sector-counts", className="sector-counts big"),
                    dcc.Input(id="sector-filter", type="search", value=q or "", debounce=0.3,
                              placeholder=t("sector.search", lang), className="search-input"),
                ],
                className="page-head",
            ),
            dag.AgGrid(
                id="sector-grid-table",
                columnDefs=column_defs(lang),
                rowData=[],
                defaultColDef={"sortable": True, "resizable": True, "filter": True},
                dashGridOptions={"includeHiddenColumnsInQuickFilter": True, "animateRows": False,
                                 "rowHeight": 40, "headerHeight": 40,
                                 "localeText": grid_locale(lang, "sector.no_rows")},
                columnSize="responsiveSizeToFit",
                className=f"ag-theme-quartz{'-dark' if theme == 'dark' else ''} ioc-grid",
                style={"height": "calc(100vh - 190px)", "width": "100%"},
            ),
        ],
        className="sector-page",
    )
