"""The wall display: rotation through a playlist, clock, freshness marker, and recovery after a restart."""

from __future__ import annotations

import time

import pytest

from layouts.wall_playlists import VIEWS, load_playlists, resolve_playlist
from tests.layouts.browser_helpers import RestartableServer, chromium, free_port, screenshot  # noqa: F401
from tests.layouts.ops_fixtures import ops_components, ops_data  # noqa: F401


def test_saved_playlists_are_valid():
    saved = load_playlists()
    assert "dieu-hanh" in saved and set(saved["dieu-hanh"].views) == set(VIEWS)


def test_url_parameters_override_the_saved_playlist():
    saved = load_playlists()
    assert resolve_playlist("giao-thong", saved=saved).views == ("traffic", "alerts")
    chosen = resolve_playlist("giao-thong", "kpi,bogus|alerts", "5", saved=saved)
    assert chosen.views == ("kpi", "alerts") and chosen.interval_s == 5
    assert resolve_playlist(None, None, "0.5", saved=saved).interval_s == 2  # clamped
    assert resolve_playlist("nope", "bogus", "abc", saved=saved).views == saved["dieu-hanh"].views


CLOCK_FITS = "() => document.querySelector('#wall-clock').getBoundingClientRect().right <= window.innerWidth"


def _views_seen(page, seconds: float) -> list[str]:
    """The sequence of distinct views shown during ``seconds``."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        current = page.evaluate("() => { const v = document.querySelector('#wall-stage [data-view]');"
                                " return v ? v.getAttribute('data-view') : null; }")
        if current and (not seen or seen[-1] != current):
            seen.append(current)
        time.sleep(0.25)
    return seen


@pytest.mark.browser
@pytest.mark.slow
def test_wall_rotates_twice_and_recovers_from_a_restart(dash_app, chromium):  # noqa: F811
    server = RestartableServer(dash_app.server, free_port())
    server.start()
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{server.url}/wall?views=kpi,alerts,traffic&interval=2")
        page.wait_for_selector("#wall-stage [data-view]", timeout=20_000)
        page.evaluate("() => { window.__notReloaded = true; }")
        first = _views_seen(page, 7.5)  # one full rotation (3 × 2 s) and a bit
        assert {"kpi", "alerts", "traffic"} <= set(first), first
        assert "Cập nhật lúc" in page.inner_text("#wall-status") or "Dữ liệu cũ" in page.inner_text("#wall-status")
        assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight + 1")
        assert not page.is_visible("header.header")

        server.stop()
        page.wait_for_function("() => document.querySelector('#wall-root').className.includes('is-lost')",
                               timeout=30_000)
        assert "MẤT TÍN HIỆU" in page.inner_text("#wall-status")
        assert page.evaluate(CLOCK_FITS), "the clock must stay on screen beside the long status"
        screenshot(page, "wall_lost_signal")
        clock_before = page.inner_text("#wall-clock")
        server.start()

        page.wait_for_function("() => !document.querySelector('#wall-root').className.includes('is-lost')",
                               timeout=30_000)
        second = _views_seen(page, 7.5)  # a second full rotation after the restart
        assert {"kpi", "alerts", "traffic"} <= set(second), second
        assert "MẤT TÍN HIỆU" not in page.inner_text("#wall-status")
        assert page.evaluate("() => window.__notReloaded === true"), "recovered without a reload"
        assert clock_before  # the clock kept running clientside throughout
    finally:
        page.close()
        server.stop()


EXPECTED = {
    "kpi": "Chỉ tiêu chủ yếu",
    "score766": "10 tuần liên tiếp dẫn đầu",
    "traffic": "Cầu Rạch Tre",
    "alerts": "Cảnh báo đang mở",
    "environment": "Môi trường",
}


@pytest.mark.browser
@pytest.mark.parametrize("view", VIEWS)
def test_each_wall_view_fills_the_screen(dash_url, ops_data, chromium, view):  # noqa: F811
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{dash_url}/wall?views={view}&interval=600")
        page.wait_for_selector(f"#wall-stage [data-view={view}]", timeout=20_000)
        page.wait_for_function("() => document.querySelector('#wall-status').className.includes('ok')"
                               " || document.querySelector('#wall-status').className.includes('stale')", timeout=15_000)
        assert EXPECTED[view] in page.inner_text("#wall-stage")
        assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight + 1"
                             " && document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert not page.is_visible("header.header")
        smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('#wall-root *')]
            .filter(e => e.offsetParent && e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize)))""")
        assert smallest >= 24, f"text of {smallest}px is too small for 5 m"
        clock = page.locator("#wall-clock").inner_text()
        assert clock.count(":") == 1 and clock.count("/") == 1, clock  # "14:05 30/11"
        assert page.evaluate(CLOCK_FITS)
        screenshot(page, f"wall_{view}")
    finally:
        page.close()
