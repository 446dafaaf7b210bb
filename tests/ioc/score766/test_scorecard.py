"""The week's scorecard built from component scores: totals, ranks over the level, changes, streaks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ioc.score766.components import Component
from ioc.score766.scorecard import build_scorecard
from ioc.score766.scoring import load_bands
from ioc.storage.score766 import UnitScores

COMPONENTS = (
    Component("P", "Công khai", "Publicity", 18, "S.P"),
    Component("G", "Tiến độ", "Progress", 20, "S.G"),
    Component("O", "Trực tuyến", "Online", 22, "S.O"),
    Component("OP", "Thanh toán", "Payment", 10, "S.OP", parent_code="O"),
    Component("D", "Số hóa", "Digitisation", 22, "S.D"),
    Component("H", "Hài lòng", "Satisfaction", 18, "S.H"),
)
WEEK = date(2023, 11, 13)


def _unit(code, parent, p, g, o, op, d, h):
    return UnitScores(code, code, None, parent, {"S.P": p, "S.G": g, "S.O": o, "S.OP": op, "S.D": d, "S.H": h})


def _raw(unit):
    return unit.scores


def test_scorecard_totals_ranks_and_changes():
    units = [
        _unit("dian", "74", 17.3, 19.6, 9.44, 8.4, 13.5, 18.0),  # 77,84 (payment is part of online)
        _unit("tdm", "74", 17.0, 19.0, 12.0, 6.0, 12.0, 17.84),  # 77,84: tie
        _unit("ta", "74", 16.0, 18.0, 10.0, 5.0, 10.0, 16.0),  # 70,00
    ]
    previous = {"dian": _raw(_unit("x", "74", 17, 19, 9, 8, 13, 18)), "tdm": _raw(_unit("x", "74", 17, 19, 9, 8, 13, 17))}
    card = build_scorecard(WEEK, "district", units, {WEEK - timedelta(weeks=1): previous}, COMPONENTS, load_bands())
    assert [u.code for u in card.units] == ["dian", "tdm", "ta"]
    dian, tdm, ta = card.units
    assert dian.total == 77.84 and tdm.total == 77.84 and ta.total == 70.0
    assert (dian.rank, tdm.rank, ta.rank) == (1, 1, 3)
    assert dian.band.code == "kha" and ta.band.code == "kha"
    assert dian.previous_total == 76.0 and dian.total_change == 1.84 and dian.previous_rank == 1
    assert tdm.previous_rank == 2 and tdm.rank_change == 1
    assert ta.previous_rank is None and ta.total_change is None
    assert dian.score_change("P") == pytest.approx(0.3)
    assert ta.gap == 7.84 and dian.gap is None
    assert dian.losses[:2] == [("O", 12.56), ("D", 8.5)]  # the payment part is not double-counted
    assert all(code != "OP" for code, _ in dian.losses)
    assert dian.streak.weeks == 2 and dian.streak.leading
    assert card.ranked == 3


def test_ranks_are_level_wide_and_children_filter():
    units = [_unit("c1", "A", 18, 20, 22, 10, 22, 18), _unit("c2", "B", 10, 10, 10, 5, 10, 10), _unit("c3", "A", 9, 9, 9, 5, 9, 9)]
    card = build_scorecard(WEEK, "commune", units, {}, COMPONENTS, load_bands())
    assert [(u.code, u.rank) for u in card.children("A")] == [("c1", 1), ("c3", 3)]
    assert card.unit("c1").total == 100.0 and card.unit("c1").band.code == "tot" and card.unit("c1").losses == []
    assert card.unit("c3").band.code == "yeu"


def test_unit_without_scores_is_unranked_and_last():
    units = [UnitScores("empty", "Đơn vị trống", None, None, {}), _unit("c1", None, 10, 10, 10, 5, 10, 10)]
    card = build_scorecard(WEEK, "commune", units, {}, COMPONENTS, load_bands())
    assert [u.code for u in card.units] == ["c1", "empty"]
    assert card.unit("empty").rank is None and card.unit("empty").band is None and card.ranked == 1


def test_group_reported_through_its_parts():
    parts = (
        Component("O", "Trực tuyến", "Online", 22, "S.O"),
        Component("OD", "Cung cấp", "Provision", 12, "S.OD", parent_code="O"),
        Component("OP", "Thanh toán", "Payment", 10, "S.OP", parent_code="O"),
    )
    from ioc.score766.scorecard import component_scores

    assert component_scores({"S.OD": 9.5, "S.OP": 8.4}, parts) == {"O": 17.9, "OD": 9.5, "OP": 8.4}
    assert component_scores({"S.O": 20.0, "S.OP": 8.4}, parts)["O"] == 20.0  # a reported group wins
    assert component_scores({}, parts) == {"O": None, "OD": None, "OP": None}
