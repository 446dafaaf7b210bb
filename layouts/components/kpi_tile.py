"""The headline KPI tile: value and unit, status colour, change, progress to target, sparkline."""

from __future__ import annotations

from collections.abc import Sequence

from dash import dcc, html

from ioc.formatting import format_change, format_number, format_percent
from ioc.i18n import pick, t
from ioc.storage.kpis import IndicatorStatus
from ioc.storage.timeseries import Point
from layouts.figures import sparkline_figure

__all__ = ["kpi_tile", "change_class"]


def change_class(change: float | None, direction: str) -> str:
    """CSS class of a change: better, worse or flat, read in the indicator's direction."""
    if not change or direction == "neutral":
        return "change-flat"
    better = change > 0 if direction == "higher_better" else change < 0
    return "change-better" if better else "change-worse"


def _change(item: IndicatorStatus, lang: str) -> html.Div:
    arrow = "▲" if (item.change or 0) > 0 else "▼" if (item.change or 0) < 0 else "■"
    if item.change_pct is not None:
        text = format_change(item.change_pct, lang, decimals=1, percent=True)
    else:
        text = format_change(item.change, lang, decimals=item.decimals)
    return html.Div(
        [html.Span(f"{arrow} {text}", className=change_class(item.change, item.direction)),
         html.Span(t("kpi.vs_previous", lang), className="muted")],
        className="kpi-change",
    )


def _progress(item: IndicatorStatus, lang: str) -> html.Div:
    if item.progress is None:
        return html.Div(className="kpi-progress kpi-progress-empty")
    percent = item.progress * 100
    return html.Div(
        [
            html.Div(
                [html.Span(t("kpi.target", lang, value=format_number(item.target, lang, decimals=item.decimals))),
                 html.Span(format_percent(percent, lang, decimals=0))],
                className="kpi-progress-label",
            ),
            html.Div(html.Div(className=f"bar-fill bar-{item.status}", style={"width": f"{percent:.0f}%"}),
                     className="bar"),
        ],
        className="kpi-progress",
    )


def kpi_tile(item: IndicatorStatus, points: Sequence[Point], *, lang: str, theme: str) -> dcc.Link:
    """One clickable tile that opens the indicator's page."""
    name = pick(lang, item.name_vi, item.name_en)
    return dcc.Link(
        html.Div(
            [
                html.Div([html.Span(name, className="kpi-name", title=name),
                          html.Span(className=f"dot dot-{item.status}")], className="kpi-head"),
                html.Div([html.Span(format_number(item.value, lang, decimals=item.decimals), className="kpi-value"),
                          html.Span(item.unit, className="kpi-unit")], className="kpi-figure"),
                _change(item, lang),
                _progress(item, lang),
                dcc.Graph(figure=sparkline_figure(points, status=item.status, theme=theme),
                          config={"staticPlot": True, "displayModeBar": False}, className="kpi-spark"),
            ],
            className=f"kpi-tile status-{item.status}",
        ),
        href=f"/indicator/{item.code}",
        className="kpi-link",
        id={"type": "kpi-tile", "code": item.code},
    )
