"""Wall display ``/wall``: full-screen views rotating unattended, with clock and data-freshness marker.

``/wall?playlist=giao-thong`` plays a saved playlist (``ioc/data/wall/playlists.csv``);
``/wall?views=traffic,alerts&interval=15`` an ad-hoc one; ``lang=en`` switches
language. Rotation and the clock run in the browser (clientside callbacks), so a
server restart or a network blip never stops them; the marker turns to
"MẤT TÍN HIỆU" while the server does not answer and the page picks up again by
itself when it does (see ``layouts/callbacks/wall.py``).
"""

from __future__ import annotations

import dash
from dash import dcc, html

from ioc.i18n import pick, t
from layouts.callbacks import wall as _callbacks  # noqa: F401  (registers callbacks)
from layouts.callbacks.wall import build_id
from layouts.inputs import query_value
from layouts.prefs import current_lang
from layouts.wall_playlists import resolve_playlist

dash.register_page(__name__, path="/wall", name="wall", title="IOC — Màn hình tường")

# Without an answer for this long (and the server reachable again), the page reloads itself.
RELOAD_AFTER_S = 120


def _labels(lang: str) -> dict[str, str]:
    keys = ("lost", "old_since", "stale", "updated", "waiting")
    return {key: t(f"wall.status.{key}", lang) for key in keys}


def layout(playlist: str | None = None, views: str | None = None, interval: str | None = None,
           lang: str | None = None, **_query: str) -> html.Div:
    """The wall: a thin top bar (name, pager, freshness, clock) and one full-screen view."""
    lang = current_lang(query_value(lang))  # a parameter given twice arrives as a list: its first value
    chosen = resolve_playlist(query_value(playlist), query_value(views), query_value(interval))
    config = {
        "views": list(chosen.views), "interval": chosen.interval_s, "refresh": chosen.refresh_s,
        "stale_after": chosen.stale_after_s, "reload_after": max(RELOAD_AFTER_S, 4 * chosen.stale_after_s),
        "lang": lang, "labels": _labels(lang),
    }
    return html.Div(
        [
            html.Div(
                [html.Div([html.Span("IOC", className="wall-mark"), pick(lang, chosen.name_vi, chosen.name_en)],
                          className="wall-brand"),
                 html.Div(id="wall-pager", className="wall-pager"),
                 html.Div(t("wall.status.waiting", lang), id="wall-status", className="wall-status"),
                 html.Div(id="wall-clock", className="wall-clock")],
                className="wall-bar",
            ),
            html.Div(html.Div(t("wall.loading", lang), className="wall-empty"), id="wall-stage", className="wall-stage"),
            html.Div(t("wall.status.lost_big", lang), className="wall-lost-banner"),
            dcc.Store(id="wall-config", data=config),
            dcc.Store(id="wall-boot", data={"build": build_id()}),
            dcc.Store(id="wall-index", data=0),
            dcc.Store(id="wall-served"),
            dcc.Interval(id="wall-rotate", interval=chosen.interval_s * 1000, n_intervals=0),
            dcc.Interval(id="wall-refresh", interval=chosen.refresh_s * 1000, n_intervals=0),
            dcc.Interval(id="wall-tick", interval=1000, n_intervals=0),
        ],
        id="wall-root",
        className="wall-root",
    )
