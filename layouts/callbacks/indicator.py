"""Indicator page callbacks: area navigation (drill down and back), charts, URL, export."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from layouts.components.map_view import tile_url
from ioc.formatting import LOCAL_TZ, format_number
from ioc.i18n import pick, t
from ioc.storage.timeseries import RANGES
from layouts import data
from layouts.access import record_export, scope
from layouts.components.status import status_badge
from layouts.export import breakdown_table, series_table, to_csv_bytes, to_excel_bytes
from layouts.figures import empty_figure, map_figure, timeseries_figure, breakdown_figure
from layouts.prefs import current_lang, current_theme

__all__ = ["navigate_area", "choose_area", "update_head", "update_series", "update_breakdown", "export_view", "custom_bounds"]


def custom_bounds(start: str | None, end: str | None) -> tuple[datetime, datetime] | None:
    """Local-day bounds of a date-picker range (end day included), or None when incomplete."""
    if not start or not end:
        return None
    try:
        lo = datetime.combine(date.fromisoformat(start[:10]), time(), LOCAL_TZ)
        hi = datetime.combine(date.fromisoformat(end[:10]), time(), LOCAL_TZ) + timedelta(days=1)
    except ValueError:  # a hand-edited URL (?from=2026-13-01): show "choose dates" instead of failing
        return None
    return (lo, hi) if lo < hi else None


def _area_label(option: data.AreaOption, lang: str) -> str:
    return "\u2003" * option.depth + pick(lang, option.name_vi, option.name_en)


def _breakdown_parent(area_code: str) -> str | None:
    """The area whose children are ranked: the area itself, or its parent when it has none."""
    options = data.area_options()
    if any(o.parent_code == area_code for o in options):
        return area_code
    return next((o.parent_code for o in options if o.code == area_code), None)


@callback(
    Output("ind-area", "value"),
    Output("ind-area", "options"),
    Output("ind-compare", "options"),
    Input("ind-state", "data"),
    Input("ind-breakdown", "clickData"),
    Input("ind-map", "clickData"),
    Input("ind-back", "n_clicks"),
    State("ind-area", "value"),
)
def navigate_area(state: dict, bar_click: dict | None, map_click: dict | None, _back: int, current: str | None):
    """Start from the URL's area; a click on a bar or district drills in; Back goes up a level."""
    return choose_area(ctx.triggered_id, state, bar_click, map_click, current)


def choose_area(trigger: str | None, state: dict, bar_click: dict | None, map_click: dict | None,
                current: str | None) -> tuple:
    """The area to show (and, on first load, the picker options) after ``trigger``."""
    lang = current_lang()
    options = data.area_options()
    by_code = {o.code: o for o in options}
    if trigger in ("ind-breakdown", "ind-map"):
        click = bar_click if trigger == "ind-breakdown" else map_click
        code = (click or {}).get("points", [{}])[0].get("customdata", [None])[0]
        return (code if code in by_code else no_update), no_update, no_update
    if trigger == "ind-back":
        parent = by_code[current].parent_code if current in by_code else None
        return (parent or no_update), no_update, no_update
    labels = [{"label": _area_label(o, lang), "value": o.code} for o in options]
    wanted = (state or {}).get("area")
    root = options[0].code if options else None
    return (wanted if wanted in by_code else root), labels, labels


@callback(Output("ind-head", "children"), Input("ind-state", "data"), Input("tick", "n_intervals"))
def update_head(state: dict, _tick: int | None) -> list:
    """Breadcrumb, name, status, latest value, target and owner of the indicator."""
    lang = current_lang()
    code, viewer_scope = state.get("code"), scope()
    item = data.indicator_status(code, viewer_scope) if code else None
    if item is None and code and viewer_scope is not None and data.indicator_status(code) is not None:
        return [html.Div([html.H1(t("access.indicator_denied", "vi"), className="page-title"),
                          html.P(t("access.indicator_denied", "en"), className="muted")],
                         className="access-denied", id="ind-denied")]
    if item is None:
        return [html.H1(t("ind.unknown", lang, code=state.get("code") or ""), className="page-title")]
    sector = data.sector_names().get(item.sector_code)
    crumbs = [dcc.Link(t("nav.overview", lang), href="/", className="crumb"), html.Span("›", className="crumb-sep")]
    if sector:
        crumbs += [dcc.Link(pick(lang, *sector), href=f"/sector/{item.sector_code}",
                            className="crumb", id="ind-sector-link"), html.Span("›", className="crumb-sep")]
    target = [html.Span(t("kpi.target", lang, value=format_number(item.target, lang, decimals=item.decimals)),
                        className="muted")] if item.target is not None else []
    return [
        html.Div([*crumbs, html.Span(item.code, className="crumb-code")], className="title-row"),
        html.Div(
            [html.H1(pick(lang, item.name_vi, item.name_en), className="page-title"),
             status_badge(item.status, lang),
             html.Span([html.Span(format_number(item.value, lang, decimals=item.decimals), className="head-value"),
                        html.Span(item.unit, className="kpi-unit")], className="head-figure"),
             *target,
             html.Span(pick(lang, item.department_vi, item.department_en), className="muted head-owner")],
            className="head-line",
        ),
    ]


@callback(
    Output("ind-series", "figure"),
    Input("ind-state", "data"),
    Input("ind-area", "value"),
    Input("ind-range", "value"),
    Input("ind-dates", "start_date"),
    Input("ind-dates", "end_date"),
    Input("ind-compare", "value"),
)
def update_series(state: dict, area: str | None, range_key: str, start: str | None, end: str | None,
                  compare: list[str] | None):
    """The selected area's series (plus compared areas) with target and threshold lines."""
    lang, theme = current_lang(), current_theme()
    item = data.indicator_status(state["code"], scope()) if state.get("code") else None
    if item is None or not area:
        return empty_figure(t("chart.no_data", lang), theme=theme)
    points = _points(item.code, area, range_key, start, end, compare)
    if points is None:
        return empty_figure(t("ind.pick_dates", lang), theme=theme)
    names = {o.code: pick(lang, o.name_vi, o.name_en) for o in data.area_options()}
    labelled = {names.get(code, code): pts for code, pts in points.items()}
    return timeseries_figure(labelled, lang=lang, theme=theme, unit=item.unit, decimals=item.decimals,
                             target=item.target, warning=item.warning, critical=item.critical)


def _points(code: str, area: str, range_key: str, start: str | None, end: str | None, compare: list[str] | None):
    known = {o.code for o in data.area_options()}
    # Codes come from the URL: anything that is not a known area is dropped before it reaches SQL.
    areas = tuple(dict.fromkeys(c for c in (area, *(compare or [])) if isinstance(c, str) and c in known))
    if not areas:
        return {}
    if range_key not in RANGES and range_key != "custom":
        range_key = "30d"
    if range_key == "custom":
        bounds = custom_bounds(start, end)
        if bounds is None:
            return None
        return data.series(code, areas, "custom", *bounds)
    return data.series(code, areas, range_key)


@callback(
    Output("ind-breakdown", "figure"),
    Output("ind-map", "figure"),
    Output("ind-path", "children"),
    Output("ind-back", "disabled"),
    Input("ind-state", "data"),
    Input("ind-area", "value"),
)
def update_breakdown(state: dict, area: str | None):
    """Ranked bars and map of the children of the selected area (or of its parent for a leaf)."""
    lang, theme = current_lang(), current_theme()
    item = data.indicator_status(state["code"], scope()) if state.get("code") else None
    parent = _breakdown_parent(area) if area else None
    if item is None or parent is None:
        blank = empty_figure(t("chart.no_data", lang), theme=theme)
        return blank, blank, [], True
    values = data.breakdown(item.code, parent)
    style = {"lang": lang, "theme": theme, "unit": item.unit, "decimals": item.decimals, "direction": item.direction}
    bars = breakdown_figure(values, warning=item.warning, critical=item.critical, **style)
    shape = map_figure(data.area_geojson(parent), values, width_px=1000, height_px=340, warning=item.warning,
                       critical=item.critical, target=item.target, tile_url=tile_url(), **style)
    path = data.area_path(area)
    crumbs = []
    for n, step in enumerate(path):
        crumbs.append(html.Span(pick(lang, step.name_vi, step.name_en),
                                className="path-step" + (" path-current" if step.code == area else "")))
        if n < len(path) - 1:
            crumbs.append(html.Span("›", className="crumb-sep"))
    return bars, shape, crumbs, len(path) <= 1


@callback(
    Output("ind-download", "data"),
    Input("ind-export-csv", "n_clicks"),
    Input("ind-export-xlsx", "n_clicks"),
    State("ind-state", "data"),
    State("ind-area", "value"),
    State("ind-range", "value"),
    State("ind-dates", "start_date"),
    State("ind-dates", "end_date"),
    State("ind-compare", "value"),
    prevent_initial_call=True,
)
def export_view(_csv: int, _xlsx: int, state: dict, area: str, range_key: str, start: str | None,
                end: str | None, compare: list[str] | None):
    """The series shown (and, in Excel, the breakdown) as a file named after the view."""
    lang = current_lang()
    code = (state or {}).get("code")
    if not code or data.indicator_status(code, scope()) is None:
        return no_update  # unknown, or of a sector the viewer was not granted
    points = _points(code, area, range_key, start, end, compare) if area else None
    if points is None:
        return no_update
    kind = "csv" if ctx.triggered_id == "ind-export-csv" else "xlsx"
    if not record_export(f"indicator:{code}", format=kind, area=area, range=range_key, compare=compare or []):
        return no_update
    names = {o.code: pick(lang, o.name_vi, o.name_en) for o in data.area_options()}
    table = series_table(points, names, lang)
    stem = f"{code}_{area}_{range_key}"
    if ctx.triggered_id == "ind-export-csv":
        return dcc.send_bytes(to_csv_bytes(table), f"{stem}.csv")
    parent = _breakdown_parent(area)
    sheets = {t("export.sheet_series", lang): table}
    if parent:
        sheets[t("export.sheet_breakdown", lang)] = breakdown_table(data.breakdown(code, parent), lang)
    return dcc.send_bytes(to_excel_bytes(sheets), f"{stem}.xlsx")


# The URL mirrors the view (replaceState: no reload, no history spam); the permalink shows it.
clientside_callback(
    """
    function(state, area, range, start, end, compare) {
        if (!state || !state.code) { return [window.dash_clientside.no_update, {display: 'none'}]; }
        const params = new URLSearchParams();
        if (area) { params.set('area', area); }
        params.set('range', range || '30d');
        if (range === 'custom') {
            if (start) { params.set('from', start.slice(0, 10)); }
            if (end) { params.set('to', end.slice(0, 10)); }
        }
        if (compare && compare.length) { params.set('compare', compare.join(',')); }
        const path = '/indicator/' + encodeURIComponent(state.code) + '?' + params.toString();
        if (window.location.pathname + window.location.search !== path) {
            window.history.replaceState(window.history.state, '', path);
        }
        return [path, {display: range === 'custom' ? 'block' : 'none'}];
    }
    """,
    Output("ind-permalink", "href"),
    Output("ind-dates-box", "style"),
    Input("ind-state", "data"),
    Input("ind-area", "value"),
    Input("ind-range", "value"),
    Input("ind-dates", "start_date"),
    Input("ind-dates", "end_date"),
    Input("ind-compare", "value"),
)
