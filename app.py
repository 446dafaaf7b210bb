"""The operations center's Dash app: ``app`` (Dash) and ``server`` (the WSGI app for gunicorn).

Pages live in ``layouts/pages`` (one module each, registered with
``dash.register_page``); the shell around them is the header, a refresh tick
and the page container. Run it with ``ioc serve`` or ``python app.py``.
"""

from __future__ import annotations

import dash
from dash import Dash, dcc, html

from ioc.auth import current_principal
from ioc.auth.web import install_security
from ioc.cache import init_cache
from ioc.config import load_settings
from layouts.callbacks import shell as _shell_callbacks  # noqa: F401  (registers callbacks)
from layouts.components.header import header
from layouts.components.unavailable import install_unavailable_page, on_callback_error
from layouts.plotly_bundle import install_plotly_bundle
from layouts.prefs import current_lang, current_theme
from layouts.warm import install_cache_warmer

__all__ = ["app", "server", "REFRESH_MS"]

REFRESH_MS = 30_000

settings = load_settings()

app = Dash(
    __name__,
    use_pages=True,
    pages_folder="layouts/pages",
    assets_folder="layouts/assets",
    assets_path_ignore=["vendor"],  # served on demand, not linked from every page (layouts/plotly_bundle.py)
    title="IOC Bình Dương",
    update_title=None,
    suppress_callback_exceptions=True,
    on_error=on_callback_error,  # a database outage shows "data unavailable", not a stack trace
)
server = app.server
server.config.update(IOC_LANGUAGE=settings.language, IOC_THEME=settings.theme)
install_security(server, settings)  # login, per-role guard on every route and callback, headers
init_cache(server, settings)
install_unavailable_page(server)
install_plotly_bundle(app)  # dcc.Graph gets the partial plotly.js bundle


def serve_layout() -> html.Div:
    """The shell, built per request so it follows the viewer's language and theme cookies."""
    lang, theme = current_lang(), current_theme()
    principal = current_principal()
    return html.Div(
        [
            header(lang, theme, principal.name if principal else None),
            dcc.Interval(id="tick", interval=REFRESH_MS, n_intervals=0),
            dcc.Store(id="lang-sink"),
            dcc.Store(id="theme-sink"),
            html.Main(dash.page_container, className="page"),
        ],
        id="app-root",
        className=f"app theme-{theme}",
        lang=lang,
    )


app.layout = serve_layout


def _warm_up() -> None:
    """Let Dash build its callback map and page router now, in one thread; then fill the cache.

    Dash does it lazily on the first request and not thread-safely: under gunicorn's
    gthread workers two first requests at once could meet a half-built map
    ("Callback function not found", HTTP 500). ``/healthz`` touches no data.
    The cache warmer then builds the overview and the headline indicators' pages and
    renews them every ``IOC_CACHE_WARM_SECONDS`` (``layouts/warm.py``), so a leader
    never meets a cold page.
    """
    server.test_client().get("/healthz")
    install_cache_warmer(server, every=settings.cache_warm_seconds, lang=settings.language, theme=settings.theme)


_warm_up()

if __name__ == "__main__":
    app.run(host=settings.host, port=settings.port, debug=False)
