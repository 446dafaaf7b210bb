"""``ioc bench map``: payload bytes and server time of the map callbacks, and first-load time in Chromium.

Three zooms with every layer on, the address layer included: the whole province
(the first full figure), a district (zoomed in from the province: the address
hexagons and the sharper boundaries) and a street (the addresses themselves).
Each is repeated with small pans around its centre, so the figures include
fresh viewport queries, not only cache hits. Server time is the callback's work
plus the JSON encoding Dash does (wall clock, and this process's CPU time, which
other load on the machine does not inflate); bytes are that JSON.
"""

from __future__ import annotations

import logging
import math
import os
import random
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import h3
from plotly.io.json import to_json_plotly

from geo import layers
from geo.layers import Viewport
from ioc.cache import cache
from ioc.errors import IocError
from ioc.storage.addresses import count_addresses
from ioc.storage.db import get_database

__all__ = ["run_map_bench", "first_load_seconds", "TARGET_BYTES", "TARGET_P95_MS", "TARGET_FIRST_LOAD_S"]

logger = logging.getLogger(__name__)

TARGET_BYTES = 2_000_000
TARGET_P95_MS = 300.0
TARGET_FIRST_LOAD_S = 2.0
_SIZE = (1600, 900)  # the map of /ban-do on a 1920×1080 screen, in pixels


def _densest_point() -> tuple[float, float]:
    with get_database().connection() as conn:
        cells = layers.hex_counts(conn, 9, None, None)
    if not cells:
        raise IocError("no digital addresses to measure: load them first (`ioc geo load-demo`)")
    lat, lon = h3.cell_to_latlng(max(cells, key=cells.get))
    return lon, lat


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _measure(name: str, runs: int, step: Callable[[int], tuple[Any, dict[str, Any]]]) -> dict[str, Any]:
    times: list[float] = []
    sizes: list[int] = []
    info: dict[str, Any] = {}
    cpu: list[float] = []
    for i in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response, info = step(i)
        body = to_json_plotly(response)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        sizes.append(len(body.encode("utf-8")))
    result = {
        "runs": runs,
        "first_ms": round(times[0], 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),  # this process only, whatever else runs
        "bytes_max": max(sizes),
        "bytes_p50": int(statistics.median(sizes)),
        **info,
    }
    logger.info("map bench %s: %s", name, result)
    return result


def _pan(view: Viewport, i: int, rng: random.Random) -> Viewport:
    """The view moved by up to a fifth of its size (run 0 stays put)."""
    if i == 0:
        return view
    min_lon, min_lat, max_lon, max_lat = view.bbox
    lon = view.lon + (max_lon - min_lon) * rng.uniform(-0.2, 0.2)
    lat = view.lat + (max_lat - min_lat) * rng.uniform(-0.2, 0.2)
    return Viewport(lon, lat, view.zoom, layers.bbox_around(lon, lat, view.zoom, _SIZE))


def run_map_bench(*, runs: int = 30, seed: int = 766) -> dict[str, Any]:
    """Figures of the three zooms (call inside the Flask app context that holds the cache)."""
    from layouts import map_build as mb

    with get_database().connection() as conn:
        total = count_addresses(conn)
    if total == 0:
        raise IocError("no digital addresses to measure: load them first (`ioc geo load-demo`)")
    cache.clear()
    rng = random.Random(seed)
    state = mb.MapState()
    lon, lat = _densest_point()
    province = mb.build_map(state, size_px=_SIZE)
    district = Viewport(lon, lat, 12.0, layers.bbox_around(lon, lat, 12.0, _SIZE))
    street = Viewport(lon, lat, 16.5, layers.bbox_around(lon, lat, 16.5, _SIZE))

    def full(i: int) -> tuple[Any, dict[str, Any]]:
        built = mb.build_map(state, _pan(province.viewport, i, rng) if i else None, size_px=_SIZE)
        return built.figure, {"callback": "render_map (whole figure)", "address_mode": built.address_mode,
                              "address_resolution": built.address_resolution, "addresses": built.address_total,
                              "zoom": round(built.viewport.zoom, 2)}

    def zoomed(view: Viewport) -> Callable[[int], tuple[Any, dict[str, Any]]]:
        def step(i: int) -> tuple[Any, dict[str, Any]]:
            changes, layer = mb.address_patch(state, _pan(view, i, rng), province.viewport)
            patch = {"data": {str(k): v for k, v in changes.items()}}
            return patch, {"callback": "follow_viewport (patch)", "address_mode": layer.mode,
                           "address_resolution": layer.resolution, "addresses": layer.total,
                           "zoom": view.zoom}
        return step

    scenarios = {
        "province": _measure("province", runs, full),
        "district": _measure("district", runs, zoomed(district)),
        "street": _measure("street", runs, zoomed(street)),
    }
    worst_bytes = max(s["bytes_max"] for s in scenarios.values())
    worst_p95 = max(s["p95_ms"] for s in scenarios.values())
    return {
        "addresses_in_database": total,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "map_size_px": list(_SIZE),
        "scenarios": scenarios,
        "targets": {"bytes": TARGET_BYTES, "p95_ms": TARGET_P95_MS},
        "within_targets": worst_bytes < TARGET_BYTES and worst_p95 < TARGET_P95_MS,
    }


def _session_cookie(server: Any, username: str | None) -> dict[str, str]:
    """A signed session cookie of an existing account (the bench has the database; no password needed)."""
    import flask

    from ioc.auth.principal import login_session
    from ioc.storage import users

    with get_database().connection() as conn:
        if username:
            user = users.get_user(conn, username)
        else:
            user = next((u for u in users.list_users(conn) if not u.disabled and u.role in ("admin", "leader")), None)
    if user is None or user.disabled:
        missing = f"no active user {username!r}" if username else "no active admin or leader"
        raise IocError(f"--browser signs in as an existing account, and there is {missing}; "
                       "create one with `ioc users add` or name one with --user")
    with server.test_request_context("/"):
        login_session(user)
        value = server.session_interface.get_signing_serializer(server).dumps(dict(flask.session))
    return {"name": server.config.get("SESSION_COOKIE_NAME", "session"), "value": value,
            "domain": "127.0.0.1", "path": "/"}


# Milestones of each load, in ms from navigation start (the page's own clock), recorded by polling:
# the page rendered (the map's graph in the DOM), plotly.js evaluated, the figure drawn by plotly.js.
_MILESTONES = """(() => {
  const marks = window.__iocMilestones = {};
  const mark = (name) => { if (!(name in marks)) marks[name] = performance.now(); };
  const poll = () => {
    const gd = document.querySelector('.iocmap-graph .js-plotly-plot');
    if (document.querySelector('.iocmap-graph')) mark('page_rendered');
    if (window.Plotly) mark('plotly_ready');
    if (gd && gd._fullLayout && gd._fullLayout.map) mark('figure_drawn');
    if (!('figure_drawn' in marks)) setTimeout(poll, 20);
  };
  poll();
})();"""
# Interactive: MapLibre has loaded the style and every source of the figure's 7 traces and drawn them.
_LOADED = ("() => { const gd = document.querySelector('.iocmap-graph .js-plotly-plot');"
           " return !!(gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map.loaded()"
           " && gd.data && gd.data.length === 7); }")


def first_load_seconds(wsgi_app: Any, *, runs: int = 3, path: str = "/ban-do", user: str | None = None) -> dict[str, Any]:
    """Seconds from navigation to an interactive map in headless Chromium (server in a thread, signed in).

    Besides the total, ``warm_breakdown_s`` gives the median of each milestone of the warm runs, in
    seconds from navigation start: page rendered, plotly.js ready, figure drawn, map loaded.
    """
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    cookie = _session_cookie(wsgi_app, user)

    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="map-bench", daemon=True)
    thread.start()
    seconds: list[float] = []
    milestones: list[dict[str, float]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            context = browser.new_context(viewport={"width": 1920, "height": 1080})
            context.add_cookies([cookie])
            context.add_init_script(_MILESTONES)
            for _ in range(runs + 1):  # the first run fills the browser's and the server's caches
                page = context.new_page()
                start = time.perf_counter()
                page.goto(f"http://127.0.0.1:{server.server_port}{path}")
                page.wait_for_function(_LOADED, polling=50, timeout=60_000)
                seconds.append(time.perf_counter() - start)
                milestones.append(page.evaluate("() => ({...window.__iocMilestones, map_loaded: performance.now()})"))
                page.close()
            browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
    warm = seconds[1:]
    breakdown = {name: round(statistics.median(m[name] for m in milestones[1:]) / 1000, 2)
                 for name in ("page_rendered", "plotly_ready", "figure_drawn", "map_loaded")}
    return {"cold_s": round(seconds[0], 2), "warm_runs_s": [round(s, 2) for s in warm],
            "warm_median_s": round(statistics.median(warm), 2), "warm_breakdown_s": breakdown,
            "load_average_1m": round(os.getloadavg()[0], 2), "target_s": TARGET_FIRST_LOAD_S}
