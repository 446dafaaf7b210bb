"""The header: title, navigation, data freshness, language and theme toggles."""

from __future__ import annotations

from dash import dcc, html

from ioc.i18n import t

__all__ = ["header"]


def header(lang: str, theme: str) -> html.Header:
    """The top bar shown on every page."""
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
                [dcc.Link(t("nav.overview", lang), href="/", className="nav-link", id="nav-overview"),
                 dcc.Link(t("nav.catalog", lang), href="/catalog", className="nav-link", id="nav-catalog")],
                className="nav",
            ),
            html.Div(
                [
                    html.Span(id="freshness", className="freshness"),
                    html.Div([lang_button("vi"), lang_button("en")], className="segmented", id="lang-toggle"),
                    html.Button("☀" if theme == "dark" else "☾", id="theme-toggle", n_clicks=0,
                                className="icon-button", title=t(f"theme.switch_{theme}", lang)),
                ],
                className="header-tools",
            ),
        ],
        className="header",
    )
