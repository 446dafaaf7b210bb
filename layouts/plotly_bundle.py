"""The dashboard's own plotly.js: a partial bundle with only the trace types it draws.

``dcc.Graph`` loads plotly.js lazily, when the first graph of a page renders, from the
URL Dash's renderer gives it (``_dash-component-suites/plotly/package_data/plotly.min.js``,
the full 4.8 MB bundle of the plotly package). :func:`install_plotly_bundle` answers that
URL with ``layouts/assets/vendor/plotly/plotly-ioc.min.js`` instead: 3 MB with scatter,
bar, scattermap and choroplethmap, which a browser evaluates in about a quarter of the
time (see docs/map.md, "plotly.js bundle"; rebuilt with ``scripts/plotly-bundle``).
Pages without graphs still load no plotly.js at all.
"""

from __future__ import annotations

from pathlib import Path

import flask
from dash import Dash

__all__ = ["BUNDLE", "DASH_PLOTLY_PATH", "TRACE_TYPES", "install_plotly_bundle"]

BUNDLE = Path(__file__).resolve().parent / "assets" / "vendor" / "plotly" / "plotly-ioc.min.js"
# Where Dash's renderer points dcc.Graph for plotly.js when it serves scripts locally.
DASH_PLOTLY_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"
# The trace types the bundle holds (scripts/plotly-bundle/entry.js); a figure of another type fails to draw.
TRACE_TYPES = frozenset({"scatter", "bar", "scattermap", "choroplethmap"})


def _serve_bundle() -> flask.Response:
    # With an ETag and Last-Modified from the file: a returning browser gets a 304, not 3 MB.
    return flask.send_file(BUNDLE, mimetype="text/javascript")


def install_plotly_bundle(app: Dash) -> None:
    """Serve the partial bundle where dcc.Graph looks for plotly.js (before the app's first request)."""
    if not BUNDLE.is_file():
        raise FileNotFoundError(f"{BUNDLE} is missing: rebuild it with scripts/plotly-bundle (docs/map.md)")
    # A rule without variables wins over Dash's "_dash-component-suites/<package>/<path>".
    app.server.add_url_rule(f"{app.config.routes_pathname_prefix}{DASH_PLOTLY_PATH}", "ioc_plotly_bundle",
                            _serve_bundle)
