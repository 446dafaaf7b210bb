"""The traffic page in a real browser: KPIs, most congested points, incidents, camera grid, figures."""

from __future__ import annotations

import pytest

from tests.layouts.browser_helpers import chromium, screenshot  # noqa: F401
from tests.layouts.ops_fixtures import ops_components, ops_data  # noqa: F401

pytestmark = [pytest.mark.browser]


def test_traffic_page(dash_url, ops_data, chromium):  # noqa: F811
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{dash_url}/giao-thong")
        page.wait_for_selector(".camera-card", timeout=20_000)
        # Other test modules may add cameras to the shared database: check ours are all there.
        cards = page.locator(".camera-card").count()
        assert cards >= len(ops_data.cameras)
        assert all(page.locator(f"#camera-{cam}").count() == 1 for cam in ops_data.cameras)
        assert page.inner_text("#kpi-cameras").endswith(f"/{cards}")
        assert "km/h" in page.inner_text("#kpi-speed")
        congested = page.locator(".congested-list li")
        assert congested.count() == 6
        assert "Cầu Rạch Tre" in page.inner_text(".congested-list")  # the highest congestion level of the seed
        levels = [int(t.split()[-1].rstrip("%")) for t in congested.all_inner_texts()]
        assert levels == sorted(levels, reverse=True)
        feed = page.inner_text("#traffic-incidents")
        assert "Tai nạn" in feed and "Ngã tư 550" in feed and "Đi ngược chiều" in feed
        assert feed.index("Tai nạn") < feed.index("Tụ tập đông người")  # newest first
        page.wait_for_selector("#traffic-profile .bars, #traffic-profile .trace", timeout=15_000)
        assert "Hôm nay" in page.inner_text("#traffic-profile")
        screenshot(page, "traffic_page")
    finally:
        page.close()
