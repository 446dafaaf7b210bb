"""The header: title, navigation, data freshness, language and theme toggles."""

from __future__ import annotations

from dash import dcc, html

from ioc.i18n import t

__all__ = ["header"]


# (i18n key, path) of the pages in the navigation bar, in order.
NAV_PAGES = (
    ("nav.overview", "/"),
    ("nav.map", "/ban-do"),
    ("nav.traffic", "/giao-thong"),
    ("nav.public_admin", "/hanh-chinh-cong"),
    ("nav.catalog", "/catalog"),
    ("nav.wall", "/wall"),
)


def _user_menu(user_name: str | None, lang: str) -> list:
    if not user_name:
        return []
    return [html.Span(user_name, className="user-name", id="user-name"),
            html.A(t("nav.logout", lang), href="/logout", className="nav-link logout", id="logout")]


def header(lang: str, theme: str, user_name: str | None = None) -> html.Header:
    """The top bar shown on every page (with the signed-in user and a logout link)."""
    def lang_button(code: str) -> html.Button:
        return html.Button(code.upper(), id=f"lang-{code}", n_clicks=0,
                           className="seg" + (" seg-active" if lang == code else ""),
                           title=t(f"lang.{code}", lang))

    return html.Header(
        [
            dcc.Link(
                [html.Span("IOC", className="brand-mark"),
                 html.Div([html.Div(t("app.title", lang), className="brand-title"),
                           html.Div(t("app.subtitle", lang), className="brand-sub")])],
                href="/", className="brand",
            ),
            html.Nav(
                [dcc.Link(t(key, lang), href=path, className="nav-link", id=f"nav-{key.split('.', 1)[1]}")
                 for key, path in NAV_PAGES],
                className="nav",
            ),
            html.Div(
                [
                    html.Span(id="freshness", className="freshness"),
                    html.Div([lang_button("vi"), lang_button("en")], className="segmented", id="lang-toggle"),
                    html.Button("☀" if theme == "dark" else "☾", id="theme-toggle", n_clicks=0,
                                className="icon-button", title=t(f"theme.switch_{theme}", lang)),
                    *_user_menu(user_name, lang),
                ],
                className="header-tools",
            ),
        ],
        className="header",
    )
