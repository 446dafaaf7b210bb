"""Public administration ``/hanh-chinh-cong``: the Bộ chỉ số 766 scorecard and dossier statistics.

Tab "766": the week's ranking of the districts (or of the communes), and for a
chosen unit its components against their maxima, class, rank history, streak,
the components losing it most points and its gap to the next rank; the button
"Xuất thông báo tuần" downloads the district's weekly notice (HTML, or PDF).
Tab "Hồ sơ": dossiers per department, district or commune over a period.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from ioc.i18n import t
from ioc.procedures import PERIODS
from layouts.callbacks import public_admin as _callbacks  # noqa: F401  (registers callbacks)
from layouts.components.panel import panel
from layouts.prefs import current_lang

dash.register_page(__name__, path="/hanh-chinh-cong", name="public_admin", title="IOC — Hành chính công")

_GRAPH = {"displayModeBar": False, "responsive": True}


def _score_tab(lang: str, unit: str | None, level: str) -> html.Div:
    controls = html.Div([
        html.Label([t("admin.week", lang), dcc.Dropdown(id="admin-week", clearable=False, className="admin-picker")]),
        html.Label([t("admin.level", lang), dcc.RadioItems(
            id="admin-level", value=level, inline=True, className="admin-radio",
            options=[{"label": t("admin.level_district", lang), "value": "district"},
                     {"label": t("admin.level_commune", lang), "value": "commune"}])]),
        html.Label([t("admin.parent", lang), dcc.Dropdown(id="admin-parent", className="admin-picker",
                                                          placeholder=t("admin.all_districts", lang))]),
        html.Div([html.Button(t("admin.export_notice", lang), id="admin-notice-html", n_clicks=0, className="btn btn-primary"),
                  html.Button("PDF", id="admin-notice-pdf", n_clicks=0, className="btn")],
                 className="admin-buttons"),
        html.Div(id="admin-export-note", className="muted admin-note"),
    ], className="admin-controls")
    detail = html.Div([
        dcc.Dropdown(id="admin-unit", value=unit, className="admin-picker admin-unit-picker",
                     placeholder=t("admin.pick_unit", lang)),
        html.Div(id="admin-unit-summary", className="admin-summary"),
        html.Div([
            dcc.Graph(id="admin-components", config=_GRAPH, className="admin-graph", style={"height": "320px"}),
            html.Div(id="admin-losses", className="admin-losses"),
        ], className="admin-detail-row"),
        html.H3(t("admin.rank_history", lang), className="admin-h3"),
        dcc.Graph(id="admin-history", config=_GRAPH, className="admin-graph", style={"height": "260px"}),
    ])
    return html.Div([
        controls,
        html.Div([
            panel(t("admin.ranking", lang), html.Div(id="admin-ranking", className="admin-table-wrap"),
                  class_name="admin-ranking-panel"),
            panel(t("admin.unit_detail", lang), detail, class_name="admin-detail-panel"),
        ], className="admin-main"),
    ], className="admin-tab")


def _dossier_tab(lang: str) -> html.Div:
    controls = html.Div([
        html.Label([t("admin.group_by", lang), dcc.RadioItems(
            id="dossier-by", value="district", inline=True, className="admin-radio",
            options=[{"label": t(f"admin.by_{b}", lang), "value": b} for b in ("department", "district", "commune")])]),
        html.Label([t("admin.period", lang), dcc.Dropdown(
            id="dossier-period", value="30d", clearable=False, className="admin-picker",
            options=[{"label": t(f"admin.period_{p}", lang), "value": p} for p in PERIODS])]),
        html.Div(id="dossier-asof", className="muted admin-note"),
    ], className="admin-controls")
    return html.Div([
        controls,
        panel(t("admin.dossier_table", lang), html.Div(id="dossier-table", className="admin-table-wrap")),
        panel(t("admin.dossier_rates", lang), dcc.Graph(id="dossier-figure", config=_GRAPH, className="admin-graph", style={"height": "380px"})),
    ], className="admin-tab")


def layout(tab: str | None = None, unit: str | None = None, level: str | None = None, **_query: str) -> html.Div:
    """Two tabs: the 766 scorecard (default) and dossier statistics."""
    lang = current_lang()
    level = level if level in ("district", "commune") else "district"
    return html.Div([
        dcc.Tabs(id="admin-tabs", value=tab if tab in ("766", "dossiers") else "766", className="admin-tabs", children=[
            dcc.Tab(label=t("admin.tab_766", lang), value="766", children=_score_tab(lang, unit, level)),
            dcc.Tab(label=t("admin.tab_dossiers", lang), value="dossiers", children=_dossier_tab(lang)),
        ]),
        dcc.Download(id="admin-notice-download"),
    ], className="admin-page")
