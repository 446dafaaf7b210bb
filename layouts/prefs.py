"""The viewer's language and theme: URL override → cookie → server default.

The toggles in the header write the ``ioc_lang`` / ``ioc_theme`` cookies and
reload the page, so layouts and callbacks (both served in a request) read the
same choice without any per-process state.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

from ioc.i18n import normalise_language

__all__ = ["LANG_COOKIE", "THEME_COOKIE", "THEMES", "current_lang", "current_theme"]

LANG_COOKIE = "ioc_lang"
THEME_COOKIE = "ioc_theme"
THEMES = ("dark", "light")


def _default(key: str, fallback: str) -> str:
    try:
        return str(current_app.config.get(key, fallback))
    except RuntimeError:  # outside an application context (pure function tests)
        return fallback


def current_lang(override: str | None = None) -> str:
    """``vi`` or ``en`` for this request."""
    if override:
        return normalise_language(override)
    if has_request_context() and (cookie := request.cookies.get(LANG_COOKIE)):
        return normalise_language(cookie)
    return normalise_language(_default("IOC_LANGUAGE", "vi"))


def current_theme(override: str | None = None) -> str:
    """``dark`` (operations room) or ``light`` (analysts) for this request."""
    for candidate in (override, request.cookies.get(THEME_COOKIE) if has_request_context() else None):
        if candidate in THEMES:
            return candidate
    theme = _default("IOC_THEME", "dark")
    return theme if theme in THEMES else "dark"
