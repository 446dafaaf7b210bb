"""The wall's view builders (pure): stale values say so, empty views say so, rankings and traffic read right."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import plotly.io  # noqa: F401  (dash components serialise through plotly's JSON encoder)
from dash.development.base_component import Component

from ioc.formatting import LOCAL_TZ
from ioc.score766.components import Component as Part
from ioc.score766.scorecard import build_scorecard
from ioc.score766.scoring import load_bands
from ioc.storage.kpis import IndicatorStatus
from ioc.storage.score766 import UnitScores
from ioc.storage.traffic import CameraReading, HourlyProfile, Incident
from layouts.components import wall_panels

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)


def _text(node) -> str:
    """All the text of a Dash component tree."""
    if isinstance(node, Component):
        return _text(getattr(node, "children", None))
    if isinstance(node, (list, tuple)):
        return " ".join(_text(n) for n in node)
    return "" if node is None else str(node)


def _status(status: str, value: float, ts: datetime) -> IndicatorStatus:
    fields = dict.fromkeys(IndicatorStatus.__slots__)
    fields.update(code="MT_01", name_vi="Chỉ số AQI", name_en="AQI", unit="AQI", decimals=0, value=value, ts=ts,
                  status=status, change=1.0, direction="lower_better", frequency="hourly", sector_code="MT")
    return IndicatorStatus(**fields)


def test_stale_tile_is_labelled_old():
    old = NOW - timedelta(days=2)
    text = _text(wall_panels.environment_panel([_status("stale", 68, old)], "vi"))
    assert "DỮ LIỆU CŨ" in text and "28/11/2026" in text
    assert "DỮ LIỆU CŨ" not in _text(wall_panels.kpi_panel([_status("good", 68, NOW)], "vi"))


def test_empty_views_say_so():
    assert "Chưa có dữ liệu" in _text(wall_panels.kpi_panel([], "vi"))
    assert "No data yet" in _text(wall_panels.score766_panel(None, "en"))
    assert "Không có cảnh báo" in _text(wall_panels.alerts_panel([], "vi"))


def test_score766_panel_rows_and_streak():
    parts = (Part("A", "A", "A", 50, "S.A"), Part("B", "B", "B", 50, "S.B"))
    week = date(2026, 11, 30)
    units = [UnitScores("1", "Dĩ An", None, None, {"S.A": 40, "S.B": 41.65}),
             UnitScores("2", "Thuận An", None, None, {"S.A": 30, "S.B": 30})]
    history = {week - timedelta(weeks=k): {"1": {"S.A": 40, "S.B": 40}, "2": {"S.A": 30, "S.B": 30}} for k in (1, 2)}
    card = build_scorecard(week, "district", units, history, parts, load_bands())
    text = _text(wall_panels.score766_panel(card, "vi"))
    assert "3 tuần liên tiếp dẫn đầu" in text and "81,65" in text and "Tốt" in text and "60,00" in text


def test_traffic_panel():
    cams = [CameraReading("c1", "Ngã tư 550", None, None, 106.7, 10.9, "online", NOW,
                          {"congestion_level": 0.82, "avg_speed": 18, "count_car": 130, "count_motorbike": 900}, NOW)]
    incidents = [Incident(1, NOW, "accident", "critical", "c1", "Ngã tư 550", None, None, None, None, {})]
    profile = HourlyProfile(date(2026, 11, 30), {8: 100.0}, {8: 80.0, 17: 90.0}, 4)
    view = wall_panels.traffic_panel(cams, incidents, profile, "vi", now=NOW.astimezone(LOCAL_TZ))
    text = _text(view)
    assert "Ngã tư 550" in text and "82%" in text and "900" in text and "Tai nạn" in text and "4 tuần" in text
    json.dumps(view.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)  # serialisable for the browser
