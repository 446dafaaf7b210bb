"""Indicator page callbacks: area navigation (drill down and back), charts, URL, export.

Every callback reads the page's ``ind-state`` store through :func:`view_state`: a value the
page did not write (emptied or forged) is logged and answered with a notice, never a 500.
The head, the series chart and the breakdown are built once per view, viewer scope, language
and theme and kept, built, in the shared cache (:func:`layouts.rendered.rendered`). The page's
layout (``layouts/pages/indicator.py``) carries their first state for the URL's view, so none
of the server callbacks runs when the page opens (``prevent_initial_call``): they answer the
viewer's changes (area, range, dates, comparison, a click) and the head's 30 s tick.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from ioc.cache import LONG
from ioc.formatting import LOCAL_TZ, format_number
from ioc.i18n import pick, t
from ioc.storage.timeseries import RANGES
from layouts import data
from layouts.access import record_export, scope
from layouts.components.map_view import tile_url
from layouts.components.status import status_badge
from layouts.export import breakdown_table, series_table, to_csv_bytes, to_excel_bytes
from layouts.figures import empty_figure, map_figure, timeseries_figure, breakdown_figure
from layouts.inputs import refused, text_or_none, texts
from layouts.prefs import current_lang, current_theme
from layouts.rendered import rendered

__all__ = ["navigate_area", "choose_area", "update_head", "update_series", "update_breakdown", "export_view",
           "custom_bounds", "view_state", "head_view", "series_view", "series_of", "breakdown_view", "area_labels",
           "start_area"]

logger = logging.getLogger(__name__)


def view_state(state: Any, callback: str) -> dict | None:
    """The ``ind-state`` store as the page writes it (a dict naming an indicator code), else None (logged)."""
    if isinstance(state, dict) and text_or_none(state.get("code")):
        return state
    refused(callback, "ind-state.data", state, "an object with an indicator code")
    return None


def _area(value: Any, callback: str) -> str | None:
    """An area picker's value: a code, or None when empty; a value of another type is logged."""
    if value is not None and not isinstance(value, str):
        refused(callback, "ind-area.value", value, "an area code")
    return text_or_none(value)


def custom_bounds(start: str | None, end: str | None) -> tuple[datetime, datetime] | None:
    """Local-day bounds of a date-picker range (end day included), or None when incomplete."""
    if not isinstance(start, str) or not isinstance(end, str) or not start or not end:
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
    prevent_initial_call=True,
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
        code = _clicked_area(bar_click if trigger == "ind-breakdown" else map_click)
        return (code if code in by_code else no_update), no_update, no_update
    if trigger == "ind-back":
        parent = by_code[current].parent_code if isinstance(current, str) and current in by_code else None
        return (parent or no_update), no_update, no_update
    labels = area_labels(lang)
    return start_area(state), labels, labels


@rendered(LONG)
def area_labels(lang: str) -> list[dict]:
    """The area pickers' options (every area, indented by depth), built."""
    return [{"label": _area_label(o, lang), "value": o.code} for o in data.area_options()]


def start_area(state: Any) -> str | None:
    """The area a view opens on: the URL's when it is a known area, else the root (None: no areas)."""
    options = data.area_options()
    wanted = text_or_none(state.get("area")) if isinstance(state, dict) else None
    if wanted is not None and any(o.code == wanted for o in options):
        return wanted
    return options[0].code if options else None


def _clicked_area(click: Any) -> str | None:
    """The area code a click on a bar or a district carries (``points[0].customdata[0]``), else None."""
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points else None
    custom = point.get("customdata") if isinstance(point, dict) else None
    code = custom[0] if isinstance(custom, list) and custom else None
    return code if isinstance(code, str) else None


@callback(Output("ind-head", "children"), Input("ind-state", "data"), Input("tick", "n_intervals"),
          prevent_initial_call=True)
def update_head(state: dict, _tick: int | None) -> list:
    """Breadcrumb, name, status, latest value, target and owner of the indicator."""
    lang = current_lang()
    state = view_state(state, "update_head")
    if state is None:
        return [html.H1(t("ind.invalid_state", lang), className="page-title", id="ind-invalid")]
    return head_view(state["code"], lang, scope())


@rendered()
def head_view(code: str, lang: str, viewer_scope: tuple[str, ...] | None) -> list:
    """The head of an indicator as a viewer of ``viewer_scope`` sees it, built."""
    item = data.indicator_status(code, viewer_scope)
    if item is None and viewer_scope is not None and data.indicator_status(code) is not None:
        return [html.Div([html.H1(t("access.indicator_denied", "vi"), className="page-title"),
                          html.P(t("access.indicator_denied", "en"), className="muted")],
                         className="access-denied", id="ind-denied")]
    if item is None:
        return [html.H1(t("ind.unknown", lang, code=code), className="page-title")]
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
    prevent_initial_call=True,
)
def update_series(state: dict, area: str | None, range_key: str, start: str | None, end: str | None,
                  compare: list[str] | None):
    """The selected area's series (plus compared areas) with target and threshold lines."""
    lang, theme = current_lang(), current_theme()
    state = view_state(state, "update_series")
    if state is None:
        return empty_figure(t("ind.invalid_state", lang), theme=theme)
    return series_of(state["code"], _area(area, "update_series"), range_key, start, end, compare, lang, theme,
                     scope())


def series_of(code: str, area: str | None, range_key: Any, start: Any, end: Any, compare: Any, lang: str,
              theme: str, viewer_scope: tuple[str, ...] | None):
    """The series chart of the view the inputs name (range checked, dates only for a custom range), built."""
    if not isinstance(range_key, str) or (range_key not in RANGES and range_key != "custom"):
        range_key = "30d"
    custom = range_key == "custom"
    return series_view(code, area, range_key, text_or_none(start) if custom else None,
                       text_or_none(end) if custom else None, tuple(texts(compare)), lang, theme, viewer_scope)


@rendered()
def series_view(code: str, area: str | None, range_key: str, start: str | None, end: str | None,
                compare: tuple[str, ...], lang: str, theme: str, viewer_scope: tuple[str, ...] | None):
    """The series chart of one view as a viewer of ``viewer_scope`` sees it, built."""
    item = data.indicator_status(code, viewer_scope)
    if item is None or area is None:
        return empty_figure(t("chart.no_data", lang), theme=theme)
    points = _points(item.code, area, range_key, start, end, compare)
    if points is None:
        return empty_figure(t("ind.pick_dates", lang), theme=theme)
    names = {o.code: pick(lang, o.name_vi, o.name_en) for o in data.area_options()}
    labelled = {names.get(code, code): pts for code, pts in points.items()}
    return timeseries_figure(labelled, lang=lang, theme=theme, unit=item.unit, decimals=item.decimals,
                             target=item.target, warning=item.warning, critical=item.critical)


def _points(code: str, area: str, range_key: Any, start: Any, end: Any, compare: Any):
    known = {o.code for o in data.area_options()}
    # Codes come from the URL: anything that is not a known area is dropped before it reaches SQL.
    areas = tuple(dict.fromkeys(c for c in (area, *texts(compare)) if isinstance(c, str) and c in known))
    if not areas:
        return {}
    if not isinstance(range_key, str) or (range_key not in RANGES and range_key != "custom"):
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
    prevent_initial_call=True,
)
def update_breakdown(state: dict, area: str | None):
    """Ranked bars and map of the children of the selected area (or of its parent for a leaf)."""
    lang, theme = current_lang(), current_theme()
    state = view_state(state, "update_breakdown")
    if state is None:
        blank = empty_figure(t("ind.invalid_state", lang), theme=theme)
        return blank, blank, [], True
    return breakdown_view(state["code"], _area(area, "update_breakdown"), lang, theme, scope())


@rendered()
def breakdown_view(code: str, area: str | None, lang: str, theme: str, viewer_scope: tuple[str, ...] | None):
    """Bars, map, path and Back state of one view as a viewer of ``viewer_scope`` sees it, built."""
    item = data.indicator_status(code, viewer_scope)
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
    state = view_state(state, "export_view")
    area = _area(area, "export_view")
    if state is None or data.indicator_status(state["code"], scope()) is None:
        return no_update  # forged, unknown, or of a sector the viewer was not granted
    code = state["code"]
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
