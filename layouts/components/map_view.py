"""The territory map component and its callbacks, reusable on any page.

``map_view(index)`` returns the map with its toolbar (layers, level, indicator,
address categories, address search, drill-up, HTML export). Every id is a dict
``{"type": "iocmap-…", "index": index}`` and the callbacks use ``MATCH``, so several
maps can live in one app. A page follows the map through the store
``{"type": "iocmap-area", "index": index}`` (the area the user drilled into).

The callbacks are thin: :mod:`layouts.map_build` computes the figure and the
address layer; panning or zooming only patches the address traces. They read their
inputs through :class:`~layouts.components.map_inputs.MapInputs`: a value of a type the page never sends (a forged
request) is logged by :func:`layouts.inputs.refused` and dropped, and the callback answers
with a notice in the status line or with no update — never an HTTP 500.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from functools import cache as _once
from typing import Any

import h3
from dash import MATCH, Input, Output, Patch, State, callback, clientside_callback, ctx, dcc, html, no_update

from geo.layers import viewport_from_relayout
from ioc.config import load_settings
from ioc.formatting import format_number
from ioc.i18n import t
from layouts import map_build as mb
from layouts.access import record_export, scope
from layouts import map_figures as mf
from layouts.components.map_detail import address_detail, alert_detail, area_detail, device_detail
from layouts.components.map_inputs import MapInputs
from layouts.inputs import refused
from layouts.prefs import current_lang

__all__ = ["map_view", "map_id", "REFRESH_MS"]

logger = logging.getLogger(__name__)

REFRESH_MS = 30_000
_CONTROL = {"background": "var(--panel-2)", "color": "var(--text)", "border": "1px solid var(--border)",
            "borderRadius": "8px", "padding": "6px 10px", "fontSize": "14px", "fontFamily": "var(--font)"}
_BUTTON = {**_CONTROL, "cursor": "pointer", "fontWeight": 600}


def map_id(kind: str, index: str) -> dict[str, str]:
    """The id of one part of the map ``index`` (graph, area, view, layers ...)."""
    return {"type": f"iocmap-{kind}", "index": index}


@_once
def tile_url() -> str | None:
    """The configured base-map tile or style URL (IOC_MAP_TILE_URL), or None for the offline map."""
    return load_settings().map_tile_url


def _legend(lang: str) -> html.Div:
    def group(title: str, colours: dict[str, str], prefix: str) -> html.Div:
        items = [html.Span([html.Span(style={"background": colour, "width": "10px", "height": "10px",
                                              "borderRadius": "50%", "display": "inline-block", "marginRight": "5px"}),
                            t(f"{prefix}.{key}", lang)], style={"marginRight": "10px", "whiteSpace": "nowrap"})
                 for key, colour in colours.items()]
        return html.Div([html.B(title + ": ", style={"marginRight": "6px"}), *items],
                        style={"display": "flex", "flexWrap": "wrap", "alignItems": "center", "gap": "2px 0"})

    return html.Div(
        [group(t("mapview.legend.devices", lang), mf.STATUS_COLOURS, "mapview.status"),
         group(t("mapview.legend.alerts", lang), mf.SEVERITY_COLOURS, "mapview.severity"),
         group(t("mapview.legend.categories", lang), mf.CATEGORY_COLOURS, "mapview.category")],
        className="iocmap-legend",
        style={"position": "absolute", "right": "10px", "top": "10px", "maxWidth": "430px", "fontSize": "12px",
               "background": "color-mix(in srgb, var(--panel) 88%, transparent)", "color": "var(--text)",
               "border": "1px solid var(--border)", "borderRadius": "8px", "padding": "6px 10px",
               "display": "flex", "flexDirection": "column", "gap": "3px", "pointerEvents": "none"},
    )


def _toolbar(index: str, lang: str, *, level: str | None, indicator: str | None) -> html.Div:
    levels = mb.area_levels()
    return html.Div(
        [
            dcc.Checklist(
                id=map_id("layers", index), value=list(mb.DEFAULT_LAYERS), inline=True,
                options=[{"label": t(f"mapview.layer.{name}", lang), "value": name} for name in mb.LAYERS],
                inputStyle={"marginRight": "4px"}, labelStyle={"marginRight": "12px", "whiteSpace": "nowrap"},
                style={"fontSize": "14px"},
            ),
            dcc.Dropdown(
                id=map_id("level", index), value=level, clearable=True, searchable=False,
                placeholder=t("mapview.level", lang), style={"minWidth": "190px"},
                options=[{"label": mf.label("level", lv.name, lang), "value": lv.name} for lv in levels[1:]],
            ),
            # A few indicators first, the others as the user types (``indicator_choices`` below).
            dcc.Dropdown(
                id=map_id("indicator", index), value=indicator, clearable=True,
                placeholder=t("mapview.indicator", lang), style={"minWidth": "260px", "flex": "2"},
                options=mb.indicator_choices(scope(), lang, selected=indicator),
            ),
            dcc.Dropdown(
                id=map_id("categories", index), value=[], multi=True, searchable=False,
                placeholder=t("mapview.categories", lang), style={"minWidth": "220px", "flex": "1"},
                options=[{"label": mf.label("category", key, lang), "value": key} for key in mf.CATEGORY_COLOURS],
            ),
            html.Div([
                dcc.Input(id=map_id("search", index), type="text", debounce=False, placeholder=t("mapview.search", lang),
                          style={**_CONTROL, "width": "330px"}),
                html.Button(t("mapview.search_go", lang), id=map_id("search-go", index), n_clicks=0, style=_BUTTON),
            ], style={"display": "flex", "gap": "6px"}),
            html.Button(t("mapview.up", lang), id=map_id("up", index), n_clicks=0, style=_BUTTON),
            html.Button(t("mapview.home", lang), id=map_id("home", index), n_clicks=0, style=_BUTTON),
            html.Button(t("mapview.export", lang), id=map_id("export", index), n_clicks=0, style=_BUTTON),
            dcc.Download(id=map_id("download", index)),
        ],
        className="iocmap-toolbar",
        style={"display": "flex", "flexWrap": "wrap", "alignItems": "center", "gap": "8px 12px"},
    )


def map_view(
    index: str = "main",
    *,
    lang: str | None = None,
    area_code: str | None = None,
    level: str | None = None,
    indicator: str | None = None,
    height: str = "calc(100vh - 230px)",
) -> html.Div:
    """The map with its toolbar, legend, status line and detail panel."""
    lang = lang or current_lang()
    return html.Div(
        [
            _toolbar(index, lang, level=level, indicator=indicator),
            html.Div([
                html.Span(id=map_id("search-msg", index), style={"fontWeight": 600}),
                html.Span(id=map_id("status", index), className="muted", style={"marginLeft": "auto"}),
            ], style={"display": "flex", "flexWrap": "wrap", "gap": "12px", "fontSize": "13.5px", "minHeight": "18px"}),
            html.Div([
                dcc.Loading(dcc.Graph(id=map_id("graph", index), className="iocmap-graph", style={"height": "100%"},
                                      config={"displayModeBar": False, "scrollZoom": True}),
                            delay_show=400, type="dot", overlay_style={"visibility": "visible", "opacity": 0.6},
                            parent_style={"height": "100%"}),
                _legend(lang),
            ], id=map_id("frame", index), style={"position": "relative", "borderRadius": "10px", "overflow": "hidden",
                                                 "border": "1px solid var(--border)", "height": height}),
            html.Div(area_detail(mb.area_summary(area_code), lang), id=map_id("detail", index), className="iocmap-detail"),
            dcc.Store(id=map_id("area", index), data=area_code),
            dcc.Store(id=map_id("view", index)),
            dcc.Store(id=map_id("size", index)),
            dcc.Interval(id=map_id("tick", index), interval=REFRESH_MS),
        ],
        className="iocmap", id=f"iocmap-{index}",
        style={"display": "flex", "flexDirection": "column", "gap": "8px"},
    )


def _status_or_notice(inputs: MapInputs, lang: str, mode: str, total: int, resolution: int | None, on: bool) -> str:
    if not inputs.ok:
        return t("mapview.invalid_choice", lang)
    return _status(lang, mode, total, resolution, on)


def _status(lang: str, mode: str, total: int, resolution: int | None, on: bool) -> str:
    if not on:
        return t("mapview.mode.off", lang)
    if mode == "points":
        return t("mapview.mode.points", lang, n=format_number(total, lang))
    return t("mapview.mode.hex", lang, n=format_number(total, lang), res=resolution or 7)


def _store(view: Any, rev: str) -> dict[str, Any]:
    return {**mb.viewport_to_store(view), "rev": rev}


_MAP_INPUTS = dict(
    layers=Input(map_id("layers", MATCH), "value"),
    level=Input(map_id("level", MATCH), "value"),
    indicator=Input(map_id("indicator", MATCH), "value"),
    categories=Input(map_id("categories", MATCH), "value"),
    area=Input(map_id("area", MATCH), "data"),
)
_MAP_STATES = {name: State(dep.component_id, dep.component_property) for name, dep in _MAP_INPUTS.items()}


# The graph's size in pixels, measured once in the browser, so the first view frames the areas.
clientside_callback(
    """
    function(id) {
        const el = document.getElementById(JSON.stringify(id, Object.keys(id).sort()));
        const box = el ? el.getBoundingClientRect() : null;
        return box && box.width > 200 && box.height > 200 ? [Math.round(box.width), Math.round(box.height)] : [1280, 720];
    }
    """,
    Output(map_id("size", MATCH), "data"),
    Input(map_id("frame", MATCH), "id"),  # a plain div: no need to wait for plotly.js to load
)


@callback(
    Output(map_id("graph", MATCH), "figure"),
    Output(map_id("view", MATCH), "data"),
    Output(map_id("status", MATCH), "children"),
    inputs=dict(**_MAP_INPUTS, size=Input(map_id("size", MATCH), "data"), view=State(map_id("view", MATCH), "data")),
)
def render_map(layers, level, indicator, categories, area, size, view):  # noqa: ANN001, ANN201
    """The whole map, when a layer, the level, the indicator, the categories or the drilled area change."""
    inputs = MapInputs("render_map")
    state = inputs.state(layers, level, indicator, categories, area, tile_url=tile_url())
    size_px = inputs.size(size)
    kept, kept_rev = inputs.viewport(view)
    trigger = ctx.triggered_id.get("type") if isinstance(ctx.triggered_id, dict) else None
    reframe = trigger in (None, "iocmap-area", "iocmap-level", "iocmap-size") or kept is None
    previous = None if reframe else kept
    rev = uuid.uuid4().hex[:8] if reframe else kept_rev or "map"
    built = mb.shared_map(state, previous, uirevision=rev, size_px=size_px)
    status = _status_or_notice(inputs, state.lang, built.address_mode, built.address_total,
                               built.address_resolution, state.has("addresses"))
    return built.figure, _store(built.viewport, rev), status


@callback(
    Output(map_id("graph", MATCH), "figure", allow_duplicate=True),
    Output(map_id("view", MATCH), "data", allow_duplicate=True),
    Output(map_id("status", MATCH), "children", allow_duplicate=True),
    inputs=dict(relayout=Input(map_id("graph", MATCH), "relayoutData"), view=State(map_id("view", MATCH), "data"),
                **_MAP_STATES),
    prevent_initial_call=True,
)
def follow_viewport(relayout, view, layers, level, indicator, categories, area):  # noqa: ANN001, ANN201
    """After a pan or zoom: only the address layer (and the areas when the zoom changed a lot)."""
    inputs = MapInputs("follow_viewport")
    event = inputs.relayout(relayout)
    previous, rev = inputs.viewport(view)
    current = viewport_from_relayout(event, previous) if event is not None else None
    if current is None or current == previous:
        return no_update, no_update, no_update
    state = inputs.state(layers, level, indicator, categories, area, tile_url=tile_url())
    changes, layer = mb.address_patch(state, current, previous)
    patch = Patch()
    for trace_index, trace in changes.items():
        patch["data"][trace_index] = trace
    status = _status_or_notice(inputs, state.lang, layer.mode, layer.total, layer.resolution, state.has("addresses"))
    return patch, _store(current, rev or "map"), status


@callback(
    Output(map_id("indicator", MATCH), "options"),
    Input(map_id("indicator", MATCH), "search_value"),
    State(map_id("indicator", MATCH), "value"),
    prevent_initial_call=True,
)
def indicator_choices(search, value):  # noqa: ANN001, ANN201
    """The picker's options for what the user typed (every indicator of the viewer's scope is findable)."""
    inputs = MapInputs("indicator_choices")
    search, value = inputs.text(search, "iocmap-indicator.search_value"), inputs.text(value, "iocmap-indicator.value")
    return mb.indicator_choices(scope(), current_lang(), search, value)


@callback(
    Output(map_id("graph", MATCH), "figure", allow_duplicate=True),
    Input(map_id("tick", MATCH), "n_intervals"),
    State(map_id("layers", MATCH), "value"),
    prevent_initial_call=True,
)
def refresh_live(_tick, layers):  # noqa: ANN001, ANN201
    """Every refresh: device status colours and open alerts, nothing else."""
    state = MapInputs("refresh_live").state(layers, None, None, None, None, tile_url=tile_url())
    patch = Patch()
    patch["data"][mf.TRACES["devices"]] = mf.devices_trace(
        mb.live_devices(scope()) if state.has("devices") else [], lang=state.lang, visible=state.has("devices"))
    patch["data"][mf.TRACES["alerts"]] = mf.alerts_trace(
        mb.live_alerts(scope()) if state.has("alerts") else [], lang=state.lang, visible=state.has("alerts"))
    return patch


@callback(
    Output(map_id("area", MATCH), "data"),
    Output(map_id("detail", MATCH), "children"),
    Input(map_id("graph", MATCH), "clickData"),
    Input(map_id("up", MATCH), "n_clicks"),
    Input(map_id("home", MATCH), "n_clicks"),
    State(map_id("area", MATCH), "data"),
    State(map_id("level", MATCH), "value"),
    prevent_initial_call=True,
)
def click(click_data, _up, _home, area, level):  # noqa: ANN001, ANN201
    """Drill into a clicked area, go up or home, or show the clicked device, address or alert."""
    lang = current_lang()
    inputs = MapInputs("click")
    kind = ctx.triggered_id.get("type") if isinstance(ctx.triggered_id, dict) else None
    if kind == "iocmap-home":
        return None, area_detail(mb.area_summary(None), lang)
    area, level = inputs.text(area, "iocmap-area.data"), inputs.text(level, "iocmap-level.value")
    if kind == "iocmap-up":
        path = mb.area_summary(area)["path"] if area else []
        parent = path[-2][0] if len(path) > 2 else None  # never above the level under the root
        return parent, area_detail(mb.area_summary(parent), lang)
    point = inputs.point(click_data) if click_data else None
    if point is None:
        return no_update, no_update
    trace = point.get("curveNumber")
    custom = point.get("customdata")
    custom = custom if isinstance(custom, list) else [custom if custom is not None else point.get("location")]
    first = custom[0] if custom and isinstance(custom[0], str) and custom[0] else None
    if trace == mf.TRACES["areas"] and first:
        return first, area_detail(mb.area_summary(first), lang)
    if trace == mf.TRACES["hex"] and point.get("location"):
        if not h3.is_valid_cell(point["location"]):
            refused("click", "iocmap-graph.clickData", click_data, "an H3 cell as the location of a hexagon")
            return no_update, no_update
        code = mb.area_at_cell(level, area, point["location"])
        return (code, area_detail(mb.area_summary(code), lang)) if code else (no_update, no_update)
    if trace == mf.TRACES["devices"] and first:
        return no_update, device_detail(mb.device_detail(first, 24, scope()), lang)
    if trace in (mf.TRACES["points"], mf.TRACES["found"]) and custom:
        code = first if trace == mf.TRACES["points"] else point.get("text")
        return no_update, address_detail(mb.find_address(code) if code else None, lang)
    if trace == mf.TRACES["alerts"] and custom:
        return no_update, alert_detail(custom, lang)
    return no_update, no_update


@callback(
    Output(map_id("graph", MATCH), "figure", allow_duplicate=True),
    Output(map_id("view", MATCH), "data", allow_duplicate=True),
    Output(map_id("search-msg", MATCH), "children"),
    Output(map_id("detail", MATCH), "children", allow_duplicate=True),
    Output(map_id("status", MATCH), "children", allow_duplicate=True),
    inputs=dict(_go=Input(map_id("search-go", MATCH), "n_clicks"), _enter=Input(map_id("search", MATCH), "n_submit"),
                text=State(map_id("search", MATCH), "value"), **_MAP_STATES),
    prevent_initial_call=True,
)
def search(_go, _enter, text, layers, level, indicator, categories, area):  # noqa: ANN001, ANN201
    """Find an address code and fly the map to it, with the points around it."""
    lang = current_lang()
    inputs = MapInputs("search")
    if text is not None and not isinstance(text, str):
        inputs.text(text, "iocmap-search.value")
        return no_update, no_update, t("mapview.search_invalid", lang), no_update, no_update
    typed = (text or "").strip()
    if not typed:
        return no_update, no_update, "", no_update, no_update
    codes = mb.search_codes(typed)
    if not codes:
        return no_update, no_update, t("mapview.search_none", lang, code=typed), no_update, no_update
    if len(codes) > 1 and codes[0].upper() != typed.upper():
        return no_update, no_update, t("mapview.search_many", lang, n=f"{len(codes)}+" if len(codes) >= 10 else len(codes), code=typed), no_update, no_update
    record = mb.find_address(codes[0])
    state = inputs.state(layers, level, indicator, categories, area, tile_url=tile_url())
    view, state = mb.focus(state, record)
    rev = uuid.uuid4().hex[:8]
    patch = Patch()
    patch["layout"]["map"]["center"] = {"lon": view.lon, "lat": view.lat}
    patch["layout"]["map"]["zoom"] = view.zoom
    patch["layout"]["uirevision"] = rev
    patch["data"][mf.TRACES["found"]] = mf.found_trace(record)
    changes, layer = mb.address_patch(state, view, None)
    for trace_index, trace in changes.items():
        patch["data"][trace_index] = trace
    status = _status_or_notice(inputs, lang, layer.mode, layer.total, layer.resolution, state.has("addresses"))
    return (patch, _store(view, rev), t("mapview.search_found", lang, code=record.code),
            address_detail(record, lang), status)


@callback(
    Output(map_id("download", MATCH), "data"),
    inputs=dict(_n=Input(map_id("export", MATCH), "n_clicks"), view=State(map_id("view", MATCH), "data"),
                **_MAP_STATES),
    prevent_initial_call=True,
)
def export(_n, view, layers, level, indicator, categories, area):  # noqa: ANN001, ANN201
    """The current map (layers, filters, legend) as a standalone, offline HTML file."""
    from geo.export import export_map_html  # folium is only imported when someone exports

    inputs = MapInputs("export")
    state = inputs.state(layers, level, indicator, categories, area, tile_url=tile_url())
    shown, _rev = inputs.viewport(view)
    if not inputs.ok:
        return no_update  # a forged request: no file, and no export recorded
    if not record_export("map:html", layers=sorted(state.layers), level=state.level, indicator=state.indicator,
                         area=state.area_code):
        return no_update
    html_text = export_map_html(mb.export_layers(state, shown))
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return {"content": html_text, "filename": f"ban-do-ioc-{stamp}.html", "type": "text/html"}

