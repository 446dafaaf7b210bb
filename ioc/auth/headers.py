"""Security headers for every response: a CSP that Dash and MapLibre work under, and friends."""

from __future__ import annotations

from urllib.parse import urlsplit

import flask

__all__ = ["content_security_policy", "add_security_headers"]


def content_security_policy(map_tile_url: str | None = None) -> str:
    """The CSP: same-origin everything, plus the configured tile server for images and fetches.

    Dash's renderer and Plotly need inline styles, and clientside callbacks and
    Plotly's compiled expressions need ``'unsafe-eval'``; MapLibre runs its
    workers from ``blob:`` URLs.
    """
    extra = ""
    if map_tile_url:
        parts = urlsplit(map_tile_url.replace("{", "").replace("}", ""))
        extra = f" {parts.scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{extra}",
            "font-src 'self' data:",
            f"connect-src 'self'{extra}",
            "worker-src 'self' blob:",
            "child-src blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def add_security_headers(response: flask.Response, csp: str) -> flask.Response:
    """Set the headers on one response (called from an ``after_request`` hook)."""
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if flask.request.path.startswith(("/_dash-update-component", "/_dash-layout", "/login", "/export")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
