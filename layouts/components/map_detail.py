"""The panel under the map: the clicked area, device, address or alert.

Pure layout builders from already-loaded records (see ``layouts/map_build.py``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from ioc.formatting import LOCAL_TZ, format_datetime, format_number
from ioc.i18n import pick, t
from ioc.storage.addresses import AddressRecord
from layouts import map_figures as mf

__all__ = ["area_detail", "device_detail", "address_detail", "alert_detail", "readings_figure"]

_BOX = {"background": "var(--panel)", "border": "1px solid var(--border)", "borderRadius": "10px",
        "padding": "10px 14px", "fontSize": "14px"}


def _box(children: list[Any], kind: str) -> html.Div:
    return html.Div(children, className=f"iocmap-detail-{kind}", style=_BOX)


def area_detail(summary: dict[str, Any], lang: str) -> html.Div:
    """Breadcrumb, address counts by category and device count of an area (or the whole territory)."""
    path = summary.get("path") or []
    crumbs = " › ".join(pick(lang, vi, en) for _, vi, en in path) or t("mapview.home", lang)
    categories = summary.get("categories") or {}
    total = sum(categories.values())
    chips = [
        html.Span([html.Span(style={"background": mf.CATEGORY_COLOURS.get(k, "#e5e7eb"), "width": "9px",
                                    "height": "9px", "borderRadius": "50%", "display": "inline-block",
                                    "marginRight": "5px"}),
                   f"{mf.label('category', k, lang)}: {format_number(n, lang)}"],
                  style={"marginRight": "14px", "whiteSpace": "nowrap"})
        for k, n in categories.items()
    ]
    return _box([
        html.Div([html.B(crumbs, className="iocmap-crumbs"),
                  html.Span(f" · {t('mapview.devices_count', lang, n=format_number(summary.get('devices', 0), lang))}",
                            className="muted")]),
        html.Div([html.Span(f"{t('mapview.addresses_by_category', lang)} ({format_number(total, lang)}): ",
                            style={"fontWeight": 600, "marginRight": "6px"}), *chips],
                 style={"display": "flex", "flexWrap": "wrap", "marginTop": "4px"}),
        html.Div(t("mapview.hint", lang), className="muted", style={"fontSize": "12.5px", "marginTop": "4px"}),
    ], "area")


def readings_figure(readings: list[Any], lang: str, theme: str = "dark") -> go.Figure:
    """Small multi-line chart of a device's recent readings, one line per metric."""
    by_metric: dict[str, list[Any]] = defaultdict(list)
    for r in readings:
        by_metric[r.metric].append(r)
    palette = mf.PALETTES.get(theme, mf.PALETTES["dark"])
    fig = go.Figure()
    for i, (metric, points) in enumerate(sorted(by_metric.items())):
        fig.add_trace(go.Scatter(x=[p.ts.astimezone(LOCAL_TZ) for p in points], y=[p.value for p in points],
                                 name=metric, mode="lines", line={"width": 1.6,
                                                                  "color": palette["series"][i % len(palette["series"])]}))
    fig.update_layout(height=170, margin={"l": 40, "r": 8, "t": 6, "b": 24}, paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)", font={"color": palette["text"], "size": 11},
                      legend={"orientation": "h", "y": 1.15, "x": 0}, separators=",." if lang == "vi" else ".,",
                      xaxis={"gridcolor": palette["grid"]}, yaxis={"gridcolor": palette["grid"]})
    return fig


def device_detail(detail: dict[str, Any] | None, lang: str) -> html.Div:
    """A device: name, kind, live status, last data, its last 24 h of readings and latest incidents."""
    if detail is None:
        return _box([t("mapview.device_none", lang)], "device")
    device = detail["device"]
    status_colour = mf.STATUS_COLOURS.get(device.status, mf.STATUS_COLOURS["unknown"])
    seen = (t("mapview.last_seen", lang, when=format_datetime(device.last_seen, lang)) if device.last_seen
            else t("mapview.never_seen", lang))
    readings = detail["readings"]
    events = detail["events"]
    chart = (dcc.Graph(figure=readings_figure(readings, lang), config={"displayModeBar": False},
                       className="iocmap-readings")
             if readings else html.Div(t("mapview.device_none", lang), className="muted"))
    incidents = (html.Ul([html.Li(f"{format_datetime(e.ts, lang)} · {e.kind} · "
                                  f"{mf.label('severity', e.severity, lang)}") for e in events],
                         style={"margin": "4px 0", "paddingLeft": "18px"})
                 if events else html.Div(t("mapview.events_none", lang), className="muted"))
    return _box([
        html.Div([html.B(device.name), html.Span(f" · {mf.label('kind', device.kind, lang)} · ", className="muted"),
                  html.Span(mf.label("status", device.status, lang), style={"color": status_colour, "fontWeight": 700}),
                  html.Span(f" · {device.id} · {seen}", className="muted")]),
        html.Div([
            html.Div([html.Div(t("mapview.device_readings", lang), style={"fontWeight": 600}), chart],
                     style={"flex": "2", "minWidth": "320px"}),
            html.Div([html.Div(t("mapview.device_events", lang), style={"fontWeight": 600}), incidents],
                     style={"flex": "1", "minWidth": "240px"}),
        ], style={"display": "flex", "gap": "16px", "flexWrap": "wrap"}),
    ], "device")


def address_detail(record: AddressRecord | None, lang: str) -> html.Div:
    """A digital address: code, category, name, street, area and coordinates."""
    if record is None:
        return _box([t("mapview.search_none", lang, code="")], "address")
    colour = mf.CATEGORY_COLOURS.get(record.category, "#e5e7eb")
    parts = [p for p in (record.name, record.street) if p]
    return _box([
        html.Div([html.B(f"{t('mapview.address', lang)} {record.code}"),
                  html.Span(f" · {mf.label('category', record.category, lang)}",
                            style={"color": colour, "fontWeight": 600})]),
        html.Div(" · ".join(parts + [f"{format_number(record.lat, lang, decimals=6)}° N",
                                     f"{format_number(record.lon, lang, decimals=6)}° E"]), className="muted"),
    ], "address")


def alert_detail(custom: list[Any], lang: str) -> html.Div:
    """An open alert clicked on the map: severity and message."""
    _alert_id, message, severity = (list(custom) + ["", "", ""])[:3]
    return _box([html.B(f"{t('mapview.alert', lang)} · {severity}"), html.Div(message)], "alert")
