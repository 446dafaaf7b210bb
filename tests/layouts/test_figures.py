"""Pure figure builders and export tables: data in, figure or table out."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pandas as pd

from ioc.storage.timeseries import AreaValue, Point
from layouts.export import breakdown_table, series_table, to_csv_bytes, to_excel_bytes
from layouts.figures import STATUS_COLOURS, breakdown_figure, map_figure, sparkline_figure, timeseries_figure

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
VALUES = [
    AreaValue("724", "Dĩ An", "Di An", "district", 97.0, T0, True),
    AreaValue("718", "Thủ Dầu Một", None, "district", 85.0, T0, True),
    AreaValue("719", "Bàu Bàng", None, "district", 92.0, T0, False),
    AreaValue("720", "Dầu Tiếng", None, "district", None, None, False),
]
SQUARE = {"type": "Polygon", "coordinates": [[[106.6, 11.0], [106.7, 11.0], [106.7, 11.1], [106.6, 11.1], [106.6, 11.0]]]}
GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": SQUARE, "properties": {"code": v.code, "name_vi": v.name_vi, "name_en": v.name_en}}
    for v in VALUES]}


def test_breakdown_ranks_colours_by_status_and_carries_codes_for_drilling() -> None:
    fig = breakdown_figure(VALUES, lang="vi", direction="higher_better", warning=95, critical=90, decimals=1)
    bar = fig.data[0]
    assert list(bar.y) == ["Dĩ An", "Bàu Bàng", "Thủ Dầu Một"]  # no-data areas left out
    assert list(bar.marker.color) == [STATUS_COLOURS["good"], STATUS_COLOURS["warning"], STATUS_COLOURS["critical"]]
    assert [c[0] for c in bar.customdata] == ["724", "719", "718"]
    assert list(bar.text) == ["97,0", "92,0", "85,0"]


def test_lower_is_better_ranks_the_best_first() -> None:
    fig = breakdown_figure(VALUES, direction="lower_better")
    assert list(fig.data[0].y)[0] == "Thủ Dầu Một"


def test_timeseries_draws_one_line_per_area_and_the_threshold_lines() -> None:
    points = [Point(T0 + timedelta(days=d), 90.0 + d) for d in range(5)]
    fig = timeseries_figure({"Dĩ An": points, "Thuận An": points[:2]}, lang="vi", target=98, warning=95, critical=90)
    assert [trace.name for trace in fig.data] == ["Dĩ An", "Thuận An"]
    assert sorted(shape.y0 for shape in fig.layout.shapes) == [90, 95, 98]
    assert fig.layout.separators == ",."
    assert fig.data[0].x[0] == datetime(2026, 11, 24, 8, 0)  # shown in local time (UTC+7)


def test_empty_series_say_so() -> None:
    fig = timeseries_figure({"Dĩ An": []}, lang="en")
    assert fig.layout.annotations[0].text == "No data in this range"


def test_map_uses_our_boundaries_without_tiles_and_thresholds_for_colours() -> None:
    fig = map_figure(GEOJSON, VALUES, lang="vi", direction="higher_better", warning=95, critical=90, target=98)
    trace = fig["data"][0]
    assert trace["type"] == "choroplethmap" and trace["locations"] == ["724", "718", "719", "720"]
    assert trace["z"] == [97.0, 85.0, 92.0, None]
    assert (trace["zmin"], trace["zmax"]) == (90, 98)
    style = fig["layout"]["map"]["style"]
    assert style["sources"] and all(layer["type"] == "background" for layer in style["layers"])
    assert "http" not in str(style)  # offline: no tile server, no glyphs


def test_sparkline_axis_hugs_the_data() -> None:
    fig = sparkline_figure([Point(T0, 70.0), Point(T0 + timedelta(days=1), 80.0)], status="warning")
    low, high = fig["layout"]["yaxis"]["range"]
    assert 60 < low < 70 and 80 < high < 90
    assert fig["data"][0]["line"]["color"] == STATUS_COLOURS["warning"]


def test_export_tables_csv_and_excel() -> None:
    series = {"724": [Point(T0, 97.5), Point(T0 + timedelta(hours=1), 97.25)]}
    table = series_table(series, {"724": "Dĩ An"}, "vi")
    data = to_csv_bytes(table)
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines() == [
        "Mã địa bàn,Địa bàn,Thời điểm,Giá trị", "724,Dĩ An,2026-11-24 08:00,97.5", "724,Dĩ An,2026-11-24 09:00,97.25"]
    workbook = to_excel_bytes({"Chuỗi thời gian": table, "Theo địa bàn": breakdown_table(VALUES, "vi")})
    sheets = pd.read_excel(io.BytesIO(workbook), sheet_name=None)
    assert list(sheets) == ["Chuỗi thời gian", "Theo địa bàn"]
    assert len(sheets["Theo địa bàn"]) == 4


def test_unvalidated_figures_pass_plotlys_validation() -> None:
    """Series, breakdown and empty figures skip plotly's validation when built: what they hold must pass it."""
    import plotly.graph_objects as go

    from layouts.figures import empty_figure

    points = [Point(T0 + timedelta(days=d), 90.0 + d) for d in range(5)]
    built = [timeseries_figure({"Dĩ An": points, "Thuận An": points[:2]}, lang=lang, theme=theme, target=98,
                               warning=95, critical=90, unit="%")
             for lang in ("vi", "en") for theme in ("dark", "light")]
    built += [breakdown_figure(VALUES, direction="higher_better", warning=95, critical=90), empty_figure("Không có")]
    for fig in built:
        checked = go.Figure(fig.to_dict())  # validates every property; raises on a wrong one
        assert checked.to_dict()["layout"] == fig.to_dict()["layout"]
