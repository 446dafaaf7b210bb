"""The folium export: one self-contained HTML file with the layers, legend and no CDN, that opens offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo.export import ExportLayers, ExportPoint, export_map_html, leaflet_assets

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
NAMES = {"boundaries": "Ranh giới hành chính", "labels": "Tên địa bàn", "choropleth": "Tô màu theo chỉ số",
         "addresses": "Địa chỉ số", "devices": "Camera và cảm biến", "alerts": "Cảnh báo đang mở"}


def _layers(geo_fixture_dir: Path, *, points: bool) -> ExportLayers:
    collection = json.loads((geo_fixture_dir / "binhduong_districts.geojson").read_text(encoding="utf-8"))
    for feature in collection["features"]:
        props = feature["properties"]
        feature["properties"] = {"code": props["code"], "name": props["name"], "label_lon": 106.65, "label_lat": 11.1}
    hexes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "h1", "properties": {"count": 120},
         "geometry": {"type": "Polygon", "coordinates": [[[106.6, 11.0], [106.62, 11.0], [106.61, 11.02], [106.6, 11.0]]]}}]}
    return ExportLayers(
        title="Bản đồ điều hành — Toàn tỉnh", note="Xuất lúc 24/11/2026 08:00", center=(106.65, 11.18), zoom=9.3,
        layer_names=NAMES, areas=collection,
        area_colours={"718": "#ef4444", "724": "#22c55e"}, area_values={"718": "77,84 %", "724": "81,65 %"},
        hexes=None if points else hexes,
        points=[ExportPoint(106.70, 10.95, "#60a5fa", "BD-724-25942-000001 · Hộ gia đình")] if points else None,
        devices=[ExportPoint(106.71, 10.87, "#22c55e", "Camera Cầu Vĩnh Bình · Trực tuyến")],
        alerts=[ExportPoint(106.71, 10.87, "#ef4444", "Camera mất kết nối", 12.0)],
        legend=[("Trạng thái thiết bị", [("#22c55e", "Trực tuyến"), ("#ef4444", "Mất kết nối")])],
    )


def _contains(text: str, wanted: str) -> bool:
    """``wanted`` in the HTML, as text or as the JSON-escaped string folium writes into scripts."""
    return wanted in text or json.dumps(wanted)[1:-1] in text


def test_leaflet_is_vendored_with_icons_inlined() -> None:
    script, style = leaflet_assets()
    assert "Leaflet" in script and len(script) > 100_000
    assert "url(images/" not in style and "data:image/png;base64," in style


def test_export_is_self_contained_and_names_every_layer(geo_fixture_dir: Path) -> None:
    text = export_map_html(_layers(geo_fixture_dir, points=False))
    assert not re.findall(r"<script[^>]+src=", text), "no external script may be linked"
    assert not re.findall(r"<link[^>]+href=\"https?:", text), "no external stylesheet may be linked"
    assert "cdn.jsdelivr" not in text and "cdnjs" not in text and "bootstrap" not in text.lower()
    for name in ("Tô màu theo chỉ số", "Tên địa bàn", "Địa chỉ số", "Camera và cảm biến", "Cảnh báo đang mở",
                 "Thủ Dầu Một", "77,84 %", "Trạng thái thiết bị"):
        assert _contains(text, name), name
    assert "<title>Bản đồ điều hành — Toàn tỉnh</title>" in text


@pytest.mark.browser
def test_exported_file_opens_offline_in_chromium(geo_fixture_dir: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    path = tmp_path / "ban-do.html"
    path.write_text(export_map_html(_layers(geo_fixture_dir, points=True)), encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        requested: list[str] = []
        page.route("**/*", lambda route: (requested.append(route.request.url), route.abort())
                   if not route.request.url.startswith(("file:", "data:")) else route.continue_())
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector(".leaflet-control-layers")
        drawn = page.evaluate("""() => {
            const map = Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k])[0];
            const kinds = {polygons: 0, circles: 0};
            map.eachLayer(l => { if (l instanceof L.Polygon) kinds.polygons++;
                                 else if (l instanceof L.CircleMarker) kinds.circles++; });
            return kinds; }""")
        control = page.inner_text(".leaflet-control-layers")
        labels = page.inner_text(".leaflet-marker-pane")
        browser.close()
    assert requested == [] and errors == []
    assert drawn == {"polygons": 9, "circles": 3}, drawn  # nine districts; one address, device and alert
    assert all(name in control for name in ("Tô màu theo chỉ số", "Địa chỉ số", "Camera và cảm biến"))
    assert "Thủ Dầu Một" in labels
