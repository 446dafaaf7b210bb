"""Callbacks of the public-administration page: 766 ranking, unit detail, weekly notice, dossier table."""

from __future__ import annotations

import logging
from datetime import date

from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from ioc.formatting import format_change, format_date, format_datetime, format_number, format_percent
from ioc.i18n import pick, t
from ioc.procedures import BY, PERIODS, DossierRow
from ioc.score766.components import top_level
from ioc.score766.notice import find_chromium, streak_text
from ioc.score766.scorecard import Scorecard, UnitResult
from layouts import data_admin
from layouts.access import may_read_view, record_export
from layouts.figures import empty_figure
from layouts.figures_admin import components_figure, dossier_figure, rank_history_figure
from layouts.inputs import refused, text_or_none
from layouts.prefs import current_lang, current_theme

__all__ = ["week_options", "ranking", "pick_row", "unit_detail", "export_notice", "dossier_table"]

logger = logging.getLogger(__name__)


_LEVELS = ("district", "commune")


def _level(value: object, callback: str) -> str:
    """The ranking level the radio items offer; anything else (forged) is logged and read as district."""
    if value in _LEVELS:
        return value  # type: ignore[return-value]
    refused(callback, "admin-level.value", value, f"one of {', '.join(_LEVELS)}")
    return "district"


def _week(value: object, callback: str) -> str | None:
    """A week picker's value: an ISO date, or None when empty; anything else is logged and dropped."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    refused(callback, "admin-week.value", value, "an ISO date (YYYY-MM-DD)")
    return None


def _band(unit: UnitResult, lang: str) -> html.Span | str:
    if unit.band is None:
        return "—"
    return html.Span(unit.band.name_vi if lang == "vi" else unit.band.name_en, className=f"band-badge band-{unit.band.code}")


def _change(value: float | int | None, lang: str, decimals: int = 2) -> html.Span | str:
    if value is None:
        return "—"
    cls = "up" if value > 0 else "down" if value < 0 else ""
    return html.Span(format_change(value, lang, decimals=decimals), className=cls)


@callback(
    Output("admin-week", "options"), Output("admin-week", "value"),
    Output("admin-parent", "options"), Output("admin-parent", "disabled"),
    Input("admin-level", "value"), State("admin-week", "value"),
)
def week_options(level: str, current: str | None):
    """Weeks with results at the level (newest first) and the districts to filter communes by."""
    lang = current_lang()
    level, current = _level(level, "week_options"), _week(current, "week_options")
    if not may_read_view("score766"):
        return [], None, [], True
    weeks = data_admin.weeks(level)
    options = [{"label": t("wall.week_of", lang, day=format_date(w, lang)), "value": w.isoformat()} for w in weeks]
    values = [o["value"] for o in options]
    value = current if current in values else (values[0] if values else None)
    districts = data_admin.scorecard("district", value)
    parents = [{"label": pick(lang, u.name_vi, u.name_en), "value": u.code}
               for u in sorted(districts.units, key=lambda u: u.name_vi)] if districts else []
    return options, value, parents, level != "commune"


def _ranking_table(card: Scorecard, units: list[UnitResult], lang: str) -> html.Table:
    groups = top_level(card.components)
    head = html.Tr([html.Th(t("s766.rank", lang)), html.Th(t("s766.unit", lang)),
                    *[html.Th([c.label(lang), html.Br(), f"/{format_number(c.max_points, lang)}"]) for c in groups],
                    html.Th(t("s766.total", lang)), html.Th(t("s766.band", lang)), html.Th(t("s766.change", lang)),
                    html.Th(t("admin.streak", lang))])
    rows = []
    for u in units:
        rows.append(html.Tr([
            html.Td(f"{u.rank}/{card.ranked}" if u.rank else "—", className="num"),
            html.Td(pick(lang, u.name_vi, u.name_en), className="name"),
            *[html.Td(format_number(u.scores.get(c.code), lang, decimals=1), className="num") for c in groups],
            html.Td(html.Strong(format_number(u.total, lang, decimals=2)), className="num"),
            html.Td(_band(u, lang)),
            html.Td(_change(u.total_change, lang), className="num"),
            html.Td(streak_text(u, lang) if u.streak and u.streak.weeks > 1 else "", className="streak"),
        ], id={"type": "admin-row", "code": u.code}, n_clicks=0, className="clickable"))
    return html.Table([html.Thead(head), html.Tbody(rows)], className="admin-table", id="admin-ranking-table")


@callback(
    Output("admin-ranking", "children"), Output("admin-unit", "options"),
    Input("admin-week", "value"), Input("admin-level", "value"), Input("admin-parent", "value"),
)
def ranking(week: str | None, level: str, parent: str | None):
    """The ranking table of the week at the level (communes of one district when filtered)."""
    lang = current_lang()
    week, level, parent = _week(week, "ranking"), _level(level, "ranking"), text_or_none(parent)
    card = data_admin.scorecard(level, week) if week and may_read_view("score766") else None
    if card is None:
        return html.Div(t("admin.no_scores", lang), className="empty-note"), []
    units = card.children(parent) if level == "commune" and parent else card.units
    options = [{"label": pick(lang, u.name_vi, u.name_en), "value": u.code} for u in units]
    return _ranking_table(card, units, lang), options


@callback(
    Output("admin-unit", "value"),
    Input({"type": "admin-row", "code": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def pick_row(clicks: list[int]):
    """Clicking a ranking row shows that unit's detail."""
    if not ctx.triggered_id or not any(clicks or []):
        return no_update
    return ctx.triggered_id["code"]


def _summary(u: UnitResult, card: Scorecard, lang: str) -> list:
    gap = (t("s766.gap_short", lang, points=format_number(u.gap, lang, decimals=2)) if u.gap is not None
           else t("s766.gap_none", lang) if u.rank == 1 else "")
    return [
        html.Div([html.Span(pick(lang, u.name_vi, u.name_en), className="admin-unit-name"), _band(u, lang)],
                 className="admin-summary-head"),
        html.Div([html.Span(format_number(u.total, lang, decimals=2), className="admin-total"),
                  html.Span("/100", className="muted"),
                  html.Span(t("s766.rank_of", lang, rank=u.rank or "—", count=card.ranked), className="admin-rank"),
                  _change(u.total_change, lang)], className="admin-summary-line"),
        html.Div(streak_text(u, lang), className="admin-streak", id="admin-streak"),
        html.Div(gap, className="admin-gap", id="admin-gap"),
    ]


def _losses(u: UnitResult, card: Scorecard, lang: str) -> list:
    by_code = {c.code: c for c in card.components}
    items = [html.Li([html.Span(by_code[code].label(lang)), html.Strong(f"−{format_number(lost, lang, decimals=2)}")])
             for code, lost in u.losses]
    return [html.H3(t("admin.losses", lang), className="admin-h3"),
            html.Ol(items, id="admin-losses-list") if items else html.Div(t("s766.focus_none", lang), className="ok-note")]


@callback(
    Output("admin-unit-summary", "children"), Output("admin-components", "figure"),
    Output("admin-losses", "children"), Output("admin-history", "figure"),
    Input("admin-unit", "value"), Input("admin-week", "value"), Input("admin-level", "value"),
)
def unit_detail(code: str | None, week: str | None, level: str):
    """The chosen unit (default: the leader): summary, components vs maxima, losses, rank history."""
    lang, theme = current_lang(), current_theme()
    code, week, level = text_or_none(code), _week(week, "unit_detail"), _level(level, "unit_detail")
    card = data_admin.scorecard(level, week) if week and may_read_view("score766") else None
    if card is None or not card.units:
        blank = empty_figure(t("admin.no_scores", lang), theme=theme)
        return html.Div(t("admin.no_scores", lang), className="empty-note"), blank, [], blank
    unit = card.unit(code) if code else None
    unit = unit or card.units[0]
    return (_summary(unit, card, lang), components_figure(unit, card.components, lang=lang, theme=theme),
            _losses(unit, card, lang), rank_history_figure(unit.history, card.ranked, lang=lang, theme=theme))


def _notice_district(code: str | None, level: str, week: str | None) -> str | None:
    card = data_admin.scorecard(level, week) if week else None
    if card is None or not card.units:
        return None
    unit = card.unit(code) if code else None
    unit = unit or card.units[0]
    return unit.parent_code if level == "commune" else unit.code


@callback(
    Output("admin-notice-download", "data"), Output("admin-export-note", "children"),
    Input("admin-notice-html", "n_clicks"), Input("admin-notice-pdf", "n_clicks"),
    State("admin-unit", "value"), State("admin-level", "value"), State("admin-week", "value"),
    prevent_initial_call=True,
)
def export_notice(_html: int, _pdf: int, code: str | None, level: str, week: str | None):
    """One click: the district's weekly 766 notice (HTML; PDF when Chromium is installed)."""
    lang = current_lang()
    code, level, week = text_or_none(code), _level(level, "export_notice"), _week(week, "export_notice")
    district = _notice_district(code, level, week) if may_read_view("score766") else None
    if district is None:
        return no_update, t("admin.no_scores", lang)
    name = f"thong-bao-766-{district}-{week}"
    kind = "pdf" if ctx.triggered_id == "admin-notice-pdf" else "html"
    if not record_export(f"notice766:{district}", week=week, level=level, format=kind):
        return no_update, t("access.export_denied", lang)
    try:
        if ctx.triggered_id == "admin-notice-pdf":
            pdf = data_admin.notice_pdf(district, week, lang) if find_chromium() else None
            if pdf is not None:
                return dcc.send_bytes(pdf, f"{name}.pdf"), t("admin.exported", lang, file=f"{name}.pdf")
            note = t("admin.pdf_unavailable", lang)
        else:
            note = ""
        html_text = data_admin.notice_html(district, week, lang)
    except LookupError as exc:
        logger.warning("766 notice for %s (%s) refused: %s", district, week, exc)
        return no_update, str(exc)
    return (dcc.send_string(html_text, f"{name}.html", type="text/html"),
            note or t("admin.exported", lang, file=f"{name}.html"))


def _pct(value: float | None, lang: str) -> str:
    return format_percent(value, lang, decimals=1)


def _dossier_row(row: DossierRow, lang: str, *, total: bool = False) -> html.Tr:
    cells = [html.Td(pick(lang, row.name_vi, row.name_en) or row.code, className="name"),
             *[html.Td(format_number(row[k], lang), className="num") for k in ("received", "resolved", "on_time", "overdue")],
             html.Td(_pct(row.on_time_rate, lang), className="num"), html.Td(_pct(row.online_share, lang), className="num"),
             *[html.Td(_pct(row[k], lang), className="num")
               for k in ("fully_online_share", "digitised_share", "cashless_share", "satisfaction")]]
    return html.Tr(cells, className="total-row" if total else "")


@callback(
    Output("dossier-table", "children"), Output("dossier-figure", "figure"), Output("dossier-asof", "children"),
    Input("dossier-by", "value"), Input("dossier-period", "value"),
)
def dossier_table(by: str, period: str):
    """Dossier statistics per department, district or commune over the chosen period."""
    lang, theme = current_lang(), current_theme()
    if not may_read_view("dossiers"):
        return (html.Div(t("admin.no_dossiers", lang), className="empty-note"),
                empty_figure(t("admin.no_dossiers", lang), theme=theme), "")
    if not isinstance(by, str) or by not in BY or not isinstance(period, str) or period not in PERIODS:
        # The radio items and the dropdown offer only these: anything else was emptied or forged.
        refused("dossier_table", "dossier-by.value / dossier-period.value", [by, period],
                f"one of {', '.join(BY)} / one of {', '.join(PERIODS)}")
        return (html.Div(t("admin.invalid_choice", lang), className="empty-note", id="dossier-invalid"),
                empty_figure(t("admin.invalid_choice", lang), theme=theme), "")
    stats = data_admin.dossier_stats(by, period)
    heads = ["unit", "received", "resolved", "on_time", "overdue", "on_time_rate", "online_share",
             "fully_online_share", "digitised_share", "cashless_share", "satisfaction"]
    table = html.Table([
        html.Thead(html.Tr([html.Th(t(f"admin.col.{h}", lang)) for h in heads])),
        html.Tbody([_dossier_row(r, lang) for r in stats.rows] + ([_dossier_row(stats.total, lang, total=True)]
                                                                    if stats.rows else [])),
    ], className="admin-table", id="dossier-stats-table")
    if not stats.rows:
        table = html.Div(t("admin.no_dossiers", lang), className="empty-note")
    asof = t("admin.as_of", lang, when=format_datetime(stats.as_of, lang)) if stats.as_of else ""
    return table, dossier_figure(stats, lang=lang, theme=theme), asof
