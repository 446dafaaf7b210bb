"""The partial plotly.js bundle (layouts/plotly_bundle.py): served where dcc.Graph looks, and enough for every page."""

from __future__ import annotations

import pytest

from layouts.plotly_bundle import BUNDLE, DASH_PLOTLY_PATH, TRACE_TYPES
from tests.layouts.browser_helpers import chromium, screenshot  # noqa: F401
from tests.layouts.ops_fixtures import ops_components, ops_data  # noqa: F401

pytestmark = [pytest.mark.browser]

# Every page that draws plotly figures (together they use every trace type the dashboard has), and whether
# to wait for its maps to finish drawing before the screenshot (the traffic page's map is test_traffic_page's).
PAGES = (("/", True), ("/ban-do", True), ("/giao-thong", False), ("/hanh-chinh-cong", True),
         ("/indicator/TTHC_ONTIME?range=30d", True))
# Each figure on the page drawn, and each trace's type one that this plotly.js knows (plotly turns an unknown
# type into an invisible scatter without a word, so a missing trace type would otherwise pass unnoticed).
DRAWN = """(minimum) => {
    const graphs = Array.from(document.querySelectorAll('.js-plotly-plot'));
    return window.Plotly && graphs.length >= minimum && graphs.every(gd => gd._fullLayout && gd.data);
}"""
MAPS_LOADED = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .every(gd => !gd._fullLayout.map || gd._fullLayout.map._subplot.map.loaded())"""
FIGURES = """() => {
    const known = Object.keys(Plotly.PlotSchema.get().traces);
    const graphs = Array.from(document.querySelectorAll('.js-plotly-plot'));
    const maps = graphs.filter(gd => gd._fullLayout.map).map(gd => gd._fullLayout.map._subplot.map);
    return {
        known: known,
        used: graphs.flatMap(gd => gd.data.map(trace => trace.type || 'scatter')),
        flatSkySkipped: maps.map(map => map.painter.drawFunctions.sky.iocSkipsFlatSky === true),
    };
}"""


def test_dash_plotly_url_serves_the_partial_bundle(dash_app, auth_cookie) -> None:
    client = dash_app.server.test_client()
    response = client.get(f"/{DASH_PLOTLY_PATH}")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.data == BUNDLE.read_bytes()
    assert b"partial bundle for ioc" in response.data[:400] and b"Licensed under the MIT license" in response.data[:400]
    assert len(response.data) < 3_500_000  # the full plotly.min.js is 4.8 MB
    again = client.get(f"/{DASH_PLOTLY_PATH}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    # Not linked from the pages: it loads with the first graph, and pages without graphs never load it.
    client.set_cookie(auth_cookie["name"], auth_cookie["value"], domain="localhost")
    index = client.get("/catalog").get_data(as_text=True)
    assert "vendor/plotly" not in index and "plotly-ioc" not in index


def test_every_page_draws_with_the_trace_types_of_the_bundle(dash_url, ops_data, chromium) -> None:  # noqa: F811
    used: set[str] = set()
    for path, maps in PAGES:
        page = chromium.new_page(viewport={"width": 1920, "height": 1080})
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        try:
            page.goto(f"{dash_url}{path}")
            page.wait_for_function(DRAWN, arg=2, polling=200, timeout=30_000)
            page.wait_for_load_state("networkidle")
            if maps:
                page.wait_for_function(MAPS_LOADED, polling=200, timeout=30_000)
            figures = page.evaluate(FIGURES)
            assert sorted(figures["known"]) == sorted(TRACE_TYPES), "another plotly.js than the bundle was loaded"
            unknown = set(figures["used"]) - TRACE_TYPES
            assert not unknown, f"{path} draws {unknown}, missing from scripts/plotly-bundle/entry.js"
            assert all(figures["flatSkySkipped"]), f"{path}: a map without the flat-sky patch"
            used |= set(figures["used"])
            assert not errors, f"{path}: browser console errors {errors}"
            screenshot(page, "plotly_bundle" + path.split("?")[0].replace("/", "_"))
        finally:
            page.close()
    assert used == TRACE_TYPES  # the bundle holds no trace type the dashboard never draws
