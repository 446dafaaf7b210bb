"""A titled panel: the framed box every page arranges its content in."""

from __future__ import annotations

from dash import html

__all__ = ["panel"]


def panel(title: str, children: object, *, tools: object = None, class_name: str = "", panel_id: str | None = None) -> html.Section:
    """A panel with a title bar (and optional tools on its right) around ``children``."""
    head = [html.H2(title, className="panel-title")]
    if tools is not None:
        head.append(html.Div(tools, className="panel-tools"))
    extra = {"id": panel_id} if panel_id else {}
    return html.Section(
        [html.Div(head, className="panel-head"), html.Div(children, className="panel-body")],
        className=f"panel {class_name}".strip(),
        **extra,
    )
