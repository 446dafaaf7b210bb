"""Headless Chromium drives the dashboard: every page, drill-down, language, theme, export, permalink."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.layouts.browser_helpers import SignedInBrowser
from tests.layouts.conftest import TEST_USER

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Console noise that is not ours: none expected; listed here if a browser version adds some.
IGNORED: tuple[str, ...] = ()
# True when every MapLibre map on the page has loaded its style and drawn (software WebGL is slow here).
MAPS_IDLE = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(gd => {
    const sub = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return !sub || (sub.map && sub.map.loaded());
})"""
# True when every dcc.Graph on the page holds a plotly graph that finished drawing: plotly sets
# _fullLayout._replotting while a draw (or its automargin redraw) runs and keeps pending steps in
# gd._promises. Navigating away mid-draw unmounts the graph and plotly's unfinished draw then
# reads the purged layout ("Cannot read properties of undefined (reading '_rangeSliderData')").
GRAPHS_DRAWN = """() => {
    const graphs = Array.from(document.querySelectorAll('.dash-graph'));
    return graphs.length > 0 && graphs.every(g => {
        const gd = g.querySelector('.js-plotly-plot');
        const full = gd && gd._fullLayout;
        return !!(full && !full._replotting && !full._redrawFromAutoMarginCount && gd.querySelector('.main-svg')
                  && !(gd._promises && gd._promises.length));
    });
}"""


@pytest.fixture(scope="module")
def browser(auth_cookie) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install -y chromium chromium-driver")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield SignedInBrowser(instance, auth_cookie)
        instance.close()


class Page:
    """A browser page that records console errors."""

    def __init__(self, browser, base: str, width: int = 1920, height: int = 1080) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")

    def settle(self) -> None:
        """Let callbacks and the map finish drawing before the next action."""
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function(MAPS_IDLE, timeout=20000)
        self.page.wait_for_timeout(300)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))

    def assert_clean(self) -> None:
        errors = [e for e in self.errors if not any(i in e for i in IGNORED)]
        assert not errors, f"browser console errors: {errors}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser, dash_url: str) -> Iterator[Page]:
    p = Page(browser, dash_url)
    yield p
    p.close()


def test_overview_shows_tiles_sectors_map_alerts_without_scrollbars(page: Page, dash_db) -> None:
    page.open("/")
    page.page.wait_for_selector(".kpi-tile")
    page.page.wait_for_selector("#overview-map .maplibregl-canvas, #overview-map canvas", timeout=15000)
    assert page.page.locator(".kpi-tile").count() == 8
    assert page.page.locator(".sector-card").count() == 25
    assert "Cập nhật lúc" in page.page.inner_text("#freshness")
    assert "Số vụ tai nạn giao thông" in page.page.inner_text("#alert-list")
    assert page.page.inner_text(".kpi-row").count("77,84") == 1  # Vietnamese decimal comma
    size = page.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080], f"overview scrolls at 1920×1080: {size}"
    page.shot("overview_1920")
    page.assert_clean()


def test_sector_page_grid_searches_without_diacritics(page: Page) -> None:
    page.open("/")
    # Let the tiles' sparklines and the map finish drawing: a click that unmounts them mid-draw
    # makes plotly log a console error, which is plotly's, not the sector page's.
    page.page.wait_for_selector(".kpi-tile .dash-graph .main-svg")
    page.page.wait_for_function(GRAPHS_DRAWN, timeout=20000)
    page.page.wait_for_function(MAPS_IDLE, timeout=20000)
    page.page.click("#\\{\\\"code\\\"\\:\\\"TTHC\\\"\\,\\\"type\\\"\\:\\\"sector-card\\\"\\}")
    page.page.wait_for_url("**/sector/TTHC")
    page.page.wait_for_selector(".ag-row")
    assert page.page.locator(".ag-center-cols-container .ag-row").count() == 4
    page.page.fill("#sector-filter", "ty le ho so giai quyet")
    page.page.wait_for_function("document.querySelectorAll('.ag-center-cols-container .ag-row').length === 1")
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in page.page.inner_text(".ag-center-cols-container")
    page.shot("sector_1920")
    page.assert_clean()


def _bar_labels(page: Page) -> list[str]:
    """Area names of the breakdown bars, in the order of the bar paths (the figure's data order)."""
    return page.page.evaluate("document.querySelector('#ind-breakdown .js-plotly-plot').data[0].y")


def _click_bar(page: Page, index: int, *, until: str, tries: int = 3) -> None:
    """Click the middle of a bar with the mouse until the JS condition ``until`` holds.

    plotly hit-tests on its drag layer, not the path; on a loaded machine a click that lands
    while the chart is still being redrawn is lost, as for a user, who clicks again.
    """
    for attempt in range(tries):
        box = page.page.locator("#ind-breakdown .bars path").nth(index).bounding_box()
        page.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            page.page.wait_for_function(until, timeout=10000)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            page.settle()
            if page.page.evaluate(until):  # it was only slow
                return


def test_drill_province_district_commune_and_back(page: Page) -> None:
    page.open("/indicator/TTHC_ONTIME")
    page.page.wait_for_selector("#ind-breakdown .bars path")
    page.page.wait_for_function("document.querySelectorAll('#ind-breakdown .ytick text').length === 9")
    page.settle()
    assert "Dĩ An" in _bar_labels(page) and len(_bar_labels(page)) == 9
    _click_bar(page, _bar_labels(page).index("Dĩ An"),
               until="document.querySelectorAll('#ind-breakdown .ytick text').length === 3")
    assert set(_bar_labels(page)) == {"Dĩ An", "Tân Bình", "Đông Hòa"}
    assert "area=724" in page.page.url
    page.settle()
    _click_bar(page, 0, until="window.location.search.includes('area=7240')")
    assert set(_bar_labels(page)) == {"Dĩ An", "Tân Bình", "Đông Hòa"}  # a commune shows its siblings
    page.settle()
    page.page.click("#ind-back")
    page.page.wait_for_function("window.location.search.includes('area=724&')")
    page.settle()
    page.page.click("#ind-back")
    page.page.wait_for_function("document.querySelectorAll('#ind-breakdown .ytick text').length === 9")
    assert "area=74&" in page.page.url
    page.shot("indicator_1920")
    page.assert_clean()


def test_export_csv_has_the_rows_shown(page: Page, dash_db) -> None:
    page.open("/indicator/TTHC_ONTIME?area=724&range=30d")
    page.page.wait_for_selector("#ind-series .scatterlayer .trace")
    with page.page.expect_download() as info:
        page.page.click("#ind-export-csv")
    download = info.value
    assert download.suggested_filename == "TTHC_ONTIME_724_30d.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Mã địa bàn", "Địa bàn", "Thời điểm", "Giá trị"]
    assert len(rows) - 1 >= 28 and {r[0] for r in rows[1:]} == {"724"}
    assert all(r[1] == "Dĩ An" for r in rows[1:])
    points = page.page.evaluate("document.getElementById('ind-series').querySelector('.js-plotly-plot')"
                                ".data[0].x.length")
    assert len(rows) - 1 == points
    page.assert_clean()


def test_permalink_restores_the_view(page: Page) -> None:
    page.open("/indicator/MT_AQI?area=718&range=7d&compare=724,725")
    page.page.wait_for_function("document.querySelectorAll('#ind-series .scatterlayer .trace').length === 3")
    href = page.page.get_attribute("#ind-permalink", "href")
    assert href == "/indicator/MT_AQI?area=718&range=7d&compare=724%2C725"
    # A colleague who is not signed in yet: the link goes through the login form and back to the view.
    other = Page(page.page.context.browser, page.base)
    try:
        other.open(href)
        assert "/login?next=/indicator/MT_AQI%3Farea%3D718%26range%3D7d" in other.page.url
        other.page.fill("#username", TEST_USER[0])
        other.page.fill("#password", TEST_USER[1])
        other.page.click("button[type=submit]")
        other.page.wait_for_url("**/indicator/MT_AQI?area=718&range=7d&compare=724%2C725")
        other.page.wait_for_function("document.querySelectorAll('#ind-series .scatterlayer .trace').length === 3")
        assert other.page.locator("#ind-range .selected").inner_text() == "7 ngày"
        assert "Thủ Dầu Một" in other.page.inner_text("#ind-area")
        other.assert_clean()
    finally:
        other.close()
    page.assert_clean()


def test_language_and_theme_toggles(page: Page) -> None:
    page.open("/")
    page.page.wait_for_selector(".kpi-tile")
    assert page.page.inner_text("#nav-overview") == "Tổng quan"
    page.page.click("#lang-en")
    page.page.wait_for_function("(document.getElementById('nav-overview') || {}).innerText === 'Overview'")
    page.page.wait_for_selector(".kpi-tile")
    assert "77.84" in page.page.inner_text(".kpi-row")
    assert "Updated at" in page.page.inner_text("#freshness")
    assert "theme-dark" in page.page.get_attribute("#app-root", "class")
    page.page.click("#theme-toggle")
    page.page.wait_for_selector("#app-root.theme-light")
    page.page.wait_for_selector(".kpi-tile")
    page.page.wait_for_timeout(1500)
    page.shot("overview_light_en")
    page.page.click("#lang-vi")
    page.page.wait_for_function("(document.getElementById('nav-overview') || {}).innerText === 'Tổng quan'")
    page.page.click("#theme-toggle")
    page.page.wait_for_selector("#app-root.theme-dark")
    page.assert_clean()


def test_catalog_search_matches_with_or_without_diacritics(page: Page) -> None:
    for query in ("ho so", "hồ sơ"):
        page.open(f"/catalog?q={query}")
        page.page.wait_for_selector(".ag-center-cols-container .ag-row")
        text = page.page.inner_text(".ag-center-cols-container")
        assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in text and "Tỷ lệ hồ sơ nộp trực tuyến" in text
        assert "Số vụ tai nạn" not in text
    page.page.fill("#catalog-query", "khong khi")
    page.page.wait_for_function("window.location.search.includes('q=khong')")
    page.page.wait_for_function(
        "document.querySelector('.ag-center-cols-container').innerText.includes('Chỉ số chất lượng không khí')")
    page.assert_clean()


def test_laptop_layout_and_every_page_opens_cleanly(browser, dash_url: str) -> None:
    laptop = Page(browser, dash_url, width=1440, height=900)
    try:
        for path, name in [("/", "overview_laptop"), ("/sector/GT", "sector_laptop"),
                           ("/indicator/GT_ACCIDENT?range=1y", "indicator_laptop"), ("/catalog?q=ho so", "catalog")]:
            laptop.open(path)
            laptop.page.wait_for_timeout(1500)
            width = laptop.page.evaluate("document.documentElement.scrollWidth")
            assert width <= 1440, f"{path} scrolls sideways on a laptop ({width} px)"
            laptop.shot(name)
        laptop.assert_clean()
    finally:
        laptop.close()
