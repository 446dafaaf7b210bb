"""Status badge and status dot: the four colours the operations room reads at a glance."""

from __future__ import annotations

from dash import html

from ioc.i18n import t

__all__ = ["status_badge", "status_dot"]


def status_badge(status: str, lang: str) -> html.Span:
    """A coloured pill with the status in words (Tốt / Cảnh báo / Nghiêm trọng / Chưa cập nhật)."""
    return html.Span(t(f"status.{status}", lang), className=f"badge badge-{status}")


def status_dot(status: str) -> html.Span:
    """A small coloured dot."""
    return html.Span(className=f"dot dot-{status}")
