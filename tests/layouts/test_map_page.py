"""Headless Chromium drives the operations map (/ban-do): layers, drill-down, search, zoom, export.

Runs on the dashboard test server (``dash_url``) and its database, which holds the
real district boundaries of Bình Dương (MultiPolygons, Vietnamese names); this
module adds 20,000 demo addresses, three devices and an alert to it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from geo.addresses import generate_demo_addresses
from ioc.catalog import fold_text
from ioc.model import Event, Reading, SeriesKey
from ioc.storage.addresses import copy_addresses
from ioc.storage.alerts import AlertDraft, open_or_update
from ioc.storage.areas import list_areas
from ioc.storage.devices import Device, set_status, upsert_devices
from ioc.storage.events import write_events
from ioc.storage.observations import write_readings
from tests.layouts.browser_helpers import SignedInBrowser

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ADDRESSES = 20_000
# No cameras: the traffic page's tests count every camera of this shared database.
DEVICES = (("maptest-level-1", "water_level", "Trạm mực nước thử Ngã tư 550", 106.7420, 10.9030, "online"),
           ("maptest-air-1", "air", "Trạm không khí thử Dĩ An", 106.7700, 10.9100, "offline"),
           ("maptest-noise-1", "noise", "Trạm ồn thử Thủ Dầu Một", 106.6600, 10.9900, "unknown"))
TRACE = {"areas": 0, "labels": 1, "hex": 2, "points": 3, "devices": 4, "alerts": 5, "found": 6}

_LOADED = """() => { const gd = document.querySelector('.iocmap-graph .js-plotly-plot');
    return !!(gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map.loaded()
              && gd.data && gd.data.length === 7); }"""
_GD = "document.querySelector('.iocmap-graph .js-plotly-plot')"


@pytest.fixture(scope="module")
def map_data(dash_db, dash_app) -> dict[str, object]:
    """Addresses, devices with readings and incidents, and an alert, added to the dashboard database."""
    database, _ = dash_db
    now = datetime.now(timezone.utc)
    with database.connection() as conn:
        areas = list_areas(conn, with_geometry=True)
        records = generate_demo_addresses(areas, ADDRESSES, seed=7)
        copy_addresses(conn, records)
        upsert_devices(conn, [Device(i, kind, name, lon=lon, lat=lat) for i, kind, name, lon, lat, _ in DEVICES])
        for device_id, *_, status in DEVICES:
            set_status(conn, device_id, status, now)
        write_readings(conn, [Reading(SeriesKey.for_device("maptest-level-1", "water_level_m"), now - timedelta(minutes=10 * k),
                                      40.0 + k) for k in range(12)])
        write_events(conn, [Event(now - timedelta(minutes=5), "flood_level", "maptest-level-1", severity="warning")])
        open_or_update(conn, AlertDraft(rule="device_offline", severity="info", message_vi="Trạm thử mất kết nối",
                                        message_en="Test station offline", device_id="maptest-air-1"))
    from ioc.cache import cache

    cache.clear()
    return {"address": records[len(records) // 2]}


@pytest.fixture(scope="module")
def browser(auth_cookie) -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield SignedInBrowser(instance, auth_cookie)
        instance.close()


@pytest.fixture
def page(browser, dash_url: str, map_data) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()


def _wait(page, expression: str, timeout: float = 30_000) -> None:
    page.wait_for_function(expression, polling=250, timeout=timeout)


def _open(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url)
    _wait(page, _LOADED)
    return time.perf_counter() - start


def _trace(page, name: str) -> dict:
    return page.evaluate(f"() => {{ const t = {_GD}.data[{TRACE[name]}];"
                         " return {visible: t.visible, n: (t.locations || t.lon || []).length,"
                         " codes: (t.geojson && t.geojson.features || []).map(f => f.properties && f.properties.name_vi),"
                         " text: t.text || []}; }")


def _shot(page, name: str) -> None:
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screenshots" / f"{name}.png"))


def test_map_opens_with_every_layer_and_real_boundaries(page, dash_url: str, browser) -> None:
    cold = _open(page, f"{dash_url}/ban-do")
    warm = _open(page, f"{dash_url}/ban-do")
    areas = _trace(page, "areas")
    assert areas["n"] == 9 and "Thủ Dầu Một" in areas["codes"] and "Bắc Tân Uyên" in areas["codes"]
    assert "Dầu Tiếng" in _trace(page, "labels")["text"]
    hexes = _trace(page, "hex")
    assert hexes["visible"] is True and hexes["n"] > 20
    assert _trace(page, "devices")["n"] >= 3 and _trace(page, "alerts")["n"] >= 1
    assert "20.000" in page.inner_text(".iocmap")  # status line: every address, aggregated, Vietnamese digits
    # The bundle's first-frame patch (scripts/plotly-bundle/entry.js) has seen the map drawn whole once.
    assert page.evaluate(f"() => {_GD}._fullLayout.map._subplot.map.iocFirstDrawn") is True
    _shot(page, "map_1920x1080")
    small = browser.new_page(viewport={"width": 1366, "height": 768})
    _open(small, f"{dash_url}/ban-do")
    _shot(small, "map_1366x768")
    small.close()
    (ARTIFACTS / "map_first_load.json").write_text(json.dumps({"cold_s": round(cold, 2), "warm_s": round(warm, 2)}))
    assert warm < 10.0, f"first map interactive after {warm:.1f} s"
    assert page.errors == []


def test_indicator_picker_finds_an_indicator_beyond_its_first_options(page, dash_url: str, dash_app) -> None:
    from layouts import map_build as mb

    with dash_app.server.app_context():
        every = mb.indicator_options(None)
    assert len(every) > mb.FIRST_CHOICES
    wanted = every[-1]  # not among the options the page opens with
    _open(page, f"{dash_url}/ban-do")
    page.locator('[id*="iocmap-indicator"]').first.click()
    assert page.get_by_text(wanted.name_vi, exact=True).count() == 0
    page.keyboard.type(fold_text(wanted.name_vi)[:30])  # typed without diacritics, as many users do
    page.get_by_text(wanted.name_vi, exact=True).first.click()  # the server's options for what was typed
    assert wanted.name_vi in page.locator('[id*="iocmap-indicator"]').first.inner_text()
    # The map redrawn for it: the areas' hover now carries the indicator's value.
    _wait(page, f"() => {_GD}.data[{TRACE['areas']}].hovertemplate.includes('customdata[2]')")
    assert page.errors == []


def test_layers_toggle(page, dash_url: str) -> None:
    _open(page, f"{dash_url}/ban-do")
    devices = page.locator(".iocmap-toolbar label", has_text="Camera và cảm biến")
    devices.click()
    _wait(page, f"() => {_GD}.data[{TRACE['devices']}].visible === false")
    labels = page.locator(".iocmap-toolbar label", has_text="Tên địa bàn")
    labels.click()
    _wait(page, f"() => {_GD}.data[{TRACE['labels']}].visible === false")
    devices.click()
    _wait(page, f"() => {_GD}.data[{TRACE['devices']}].visible === true")
    assert _trace(page, "devices")["n"] >= 3
    assert page.errors == []


def test_clicking_an_area_drills_into_it_and_the_charts_follow(page, dash_url: str) -> None:
    _open(page, f"{dash_url}/ban-do")
    # Markers above the areas take the click (they open their own panel): switch them off first.
    for layer, trace in (("Camera và cảm biến", "devices"), ("Cảnh báo đang mở", "alerts")):
        page.locator(".iocmap-toolbar label", has_text=layer).click()
        _wait(page, f"() => {_GD}.data[{TRACE[trace]}].visible === false")
    before = page.evaluate("() => document.querySelector('.iocmap-detail').innerText")
    point = page.evaluate(f"""() => {{
        const gd = {_GD}; const map = gd._fullLayout.map._subplot.map;
        const t = gd.data[{TRACE['labels']}]; const i = t.text.indexOf('Dĩ An');
        const p = map.project([t.lon[i], t.lat[i] - 0.004]); const box = map.getCanvas().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y]; }}""")
    page.mouse.move(point[0] - 4, point[1] - 4)
    page.mouse.click(point[0], point[1])  # on Dĩ An's hexagons or its outline: both drill into Dĩ An
    _wait(page, f"() => {_GD}.data[{TRACE['areas']}].geojson.features.length === 3", timeout=15_000)
    names = _trace(page, "areas")["codes"]
    assert set(names) == {"Dĩ An", "Tân Bình", "Đông Hòa"}
    _wait(page, "() => document.querySelector('.iocmap-detail').innerText.includes('Dĩ An')")
    assert page.evaluate("() => document.querySelector('.iocmap-detail').innerText") != before
    _shot(page, "map_drilled_di_an")
    page.get_by_role("button", name="↑ Lên cấp trên").click()
    _wait(page, f"() => {_GD}.data[{TRACE['areas']}].geojson.features.length === 9")
    assert page.errors == []


def test_address_search_flies_to_it_and_zoom_switches_points_and_aggregates(page, dash_url: str, map_data) -> None:
    address = map_data["address"]
    _open(page, f"{dash_url}/ban-do")
    box = page.locator(".iocmap-toolbar input[type=text]")
    box.fill(address.code.lower())
    box.press("Enter")
    _wait(page, f"() => {_GD}.data[{TRACE['found']}].visible === true", timeout=15_000)
    centre = page.evaluate(f"() => {{ const m = {_GD}._fullLayout.map._subplot.map;"
                           " const c = m.getCenter(); return [c.lng, c.lat, m.getZoom()]; }")
    assert abs(centre[0] - address.lon) < 1e-4 and abs(centre[1] - address.lat) < 1e-4 and centre[2] >= 16
    assert address.code in page.inner_text(".iocmap-detail")
    points = _trace(page, "points")
    assert points["visible"] is True and points["n"] > 0  # zoomed in: the addresses themselves
    assert _trace(page, "hex")["visible"] is False
    _shot(page, "map_address_search")
    # Zoom out as a user would: the map reports its new view and the layer turns into hexagons.
    page.evaluate(f"() => Plotly.relayout({_GD}, {{'map.zoom': 9.5}})")
    _wait(page, f"() => {_GD}.data[{TRACE['hex']}].visible === true", timeout=15_000)
    assert _trace(page, "points")["visible"] is False
    page.evaluate(f"() => Plotly.relayout({_GD}, {{'map.zoom': 17.5}})")
    _wait(page, f"() => {_GD}.data[{TRACE['points']}].visible === true", timeout=15_000)
    assert page.errors == []


def test_export_downloads_a_standalone_map(page, dash_url: str) -> None:
    _open(page, f"{dash_url}/ban-do")
    with page.expect_download() as download:
        page.get_by_role("button", name="Xuất bản đồ HTML").click()
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".html")
    assert "<script src=" not in text and "cdn.jsdelivr" not in text
    for name in ("Ranh giới hành chính", "Địa chỉ số", "Camera và cảm biến", "Thủ Dầu Một"):
        assert name in text or json.dumps(name)[1:-1] in text, name
