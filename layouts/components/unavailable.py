"""What the dashboard shows while the database is down: a notice, never a stack trace.

:func:`on_callback_error` is the app-wide ``on_error`` of ``Dash(...)``: when a
callback raises :class:`~ioc.errors.DatabaseUnavailable` every ``children``
output shows the notice, every ``figure`` an empty chart carrying it, and the
other outputs keep their value. Dash's page router called with a forged pathname
is answered with no update (:func:`layouts.inputs.refuse_forged_route`). Other
errors propagate as before. Nothing is
cached for a failed query and the pool keeps reconnecting, so the next refresh
tick after PostgreSQL returns shows data again without a restart.
:func:`install_unavailable_page` does the same for plain Flask routes (login,
health): HTTP 503 with the notice instead of a 500 page.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
import flask
from dash import html

from ioc.errors import DatabaseUnavailable
from layouts.inputs import refuse_forged_route

__all__ = ["NOTICE", "on_callback_error", "unavailable_notice", "unavailable_figure", "install_unavailable_page"]

logger = logging.getLogger(__name__)

# Both languages at once: the notice must be understood whatever cookie the viewer has.
NOTICE = {
    "vi": "Dữ liệu tạm thời không truy cập được",
    "en": "data unavailable",
    "hint_vi": "Hệ thống tự kết nối lại; trang cập nhật khi cơ sở dữ liệu hoạt động trở lại.",
    "hint_en": "Reconnecting by itself; the page updates when the database is back.",
}
TEXT = f"{NOTICE['vi']} / {NOTICE['en']}"


def unavailable_notice() -> html.Div:
    """The notice put in place of a panel's content."""
    return html.Div(
        [html.Strong(TEXT), html.Div(f"{NOTICE['hint_vi']} / {NOTICE['hint_en']}", className="data-unavailable-hint")],
        className="data-unavailable",
        role="status",
    )


def unavailable_figure() -> dict[str, Any]:
    """An empty chart that says the data is unavailable."""
    return {
        "data": [],
        "layout": {
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [{"text": TEXT, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        },
    }


def _value_for(spec: Any) -> Any:
    """The replacement of one output (a dict spec) or of a pattern-matching group (a list)."""
    if isinstance(spec, list):
        return [_value_for(s) for s in spec]
    prop = spec.get("property") if isinstance(spec, dict) else None
    if prop == "children":
        return unavailable_notice()
    if prop == "figure":
        return unavailable_figure()
    return dash.no_update


def _describe(outputs: Any) -> str:
    specs = outputs if isinstance(outputs, list) else [outputs]
    flat = [s for spec in specs for s in (spec if isinstance(spec, list) else [spec])]
    return ", ".join(f"{s.get('id')}.{s.get('property')}" for s in flat if isinstance(s, dict))


def on_callback_error(err: Exception) -> Any:
    """``Dash(on_error=...)``: turn a database outage into notices; re-raise anything else."""
    if not isinstance(err, DatabaseUnavailable):
        refuse_forged_route(err)  # the page router on a forged pathname: PreventUpdate, logged
        raise err
    outputs = dash.callback_context.outputs_list
    logger.warning("database unavailable in the callback for %s: %s", _describe(outputs), err)
    if isinstance(outputs, dict):
        return _value_for(outputs)
    return [_value_for(spec) for spec in outputs]


def _unavailable_response(err: DatabaseUnavailable) -> tuple[Any, int, dict[str, str]]:
    logger.warning("database unavailable for %s %s: %s", flask.request.method, flask.request.path, err)
    headers = {"Retry-After": "5"}
    if flask.request.path.startswith("/_dash") or flask.request.accept_mimetypes.best == "application/json":
        return {"error": TEXT}, 503, headers
    body = (
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>IOC</title></head><body>"
        f"<main class=\"data-unavailable\"><h1>{TEXT}</h1><p>{NOTICE['hint_vi']}</p><p>{NOTICE['hint_en']}</p>"
        "</main></body></html>"
    )
    return body, 503, {**headers, "Content-Type": "text/html; charset=utf-8"}


def install_unavailable_page(server: flask.Flask) -> None:
    """Answer a :class:`DatabaseUnavailable` outside callbacks with HTTP 503 and the notice."""
    server.register_error_handler(DatabaseUnavailable, _unavailable_response)
