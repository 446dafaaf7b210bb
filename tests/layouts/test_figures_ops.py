"""Pure figure builders of the public-administration and traffic pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ioc.procedures import assemble
from ioc.score766.components import Component
from ioc.score766.ranking import WeekRank
from ioc.score766.scorecard import build_scorecard
from ioc.score766.scoring import load_bands
from ioc.storage.procedures import UnitFigures
from ioc.storage.score766 import UnitScores
from ioc.storage.traffic import CameraReading, HourlyProfile
from layouts.figures_admin import components_figure, dossier_figure, rank_history_figure
from layouts.figures_traffic import camera_map_figure, class_figure, congestion_colour, profile_figure

NOW = datetime(2026, 11, 30, 6, tzinfo=timezone.utc)
PARTS = (Component("CKMB", "Công khai, minh bạch", "Publicity", 18, "S.CKMB"),
         Component("TDGQ", "Tiến độ giải quyết", "Progress", 20, "S.TDGQ"))


def test_components_figure_shows_points_of_maximum():
    card = build_scorecard(date(2026, 11, 30), "district", [UnitScores("725", "Dĩ An", None, None,
                                                                       {"S.CKMB": 17.3, "S.TDGQ": 19.6})],
                           {}, PARTS, load_bands())
    fig = components_figure(card.units[0], PARTS, lang="vi")
    assert "17,3/18" in list(fig.data[1].text) and "19,6/20" in list(fig.data[1].text)


def test_rank_history_runs_top_down():
    fig = rank_history_figure([WeekRank(date(2026, 11, 23), 2, 70.0), WeekRank(date(2026, 11, 30), 1, 77.84)], 9)
    assert list(fig.data[0].y) == [2, 1] and fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]
    assert rank_history_figure([], 9).layout.annotations  # says why it is empty


def test_dossier_figure():
    since = NOW - timedelta(days=7)
    fields = {"received": "R", "resolved": "S", "on_time": "O", "online": "N"}
    stats = assemble("district", "7d", since, NOW, [UnitFigures("725", "Dĩ An", None, {"R": 200, "S": 150, "O": 135, "N": 90})],
                     [], fields)
    fig = dossier_figure(stats, lang="vi")
    assert list(fig.data[0].y) == [90.0] and list(fig.data[1].y) == [45.0]


def test_traffic_figures():
    cams = [CameraReading("c1", "Ngã tư 550", None, None, 106.76, 10.90, "online", NOW,
                          {"congestion_level": 0.82, "count_car": 130, "vehicles_total": 1000}, NOW),
            CameraReading("c2", "Cầu Ông Cộ", None, None, 106.70, 10.95, "online", NOW, {"congestion_level": 0.2}, NOW)]
    fig = camera_map_figure(cams)
    assert list(fig.data[0].marker.color) == [congestion_colour(0.82), congestion_colour(0.2)]
    assert 8 <= fig.layout.map.zoom <= 15
    assert list(class_figure(cams).data[1].y) == ["Ngã tư 550"]
    profile = profile_figure(HourlyProfile(date(2026, 11, 30), {8: 100.0}, {8: 80.0}, 4))
    assert profile.data[0].y[8] == 100.0 and profile.data[1].y[8] == 80.0
    assert congestion_colour(None) != congestion_colour(0.9)
