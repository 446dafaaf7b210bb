"""Hand-computed checks of 766 ranks, ties, history, streaks, gaps and point losses."""

from __future__ import annotations

from datetime import date, timedelta

from ioc.score766.ranking import (
    Streak,
    WeekRank,
    competition_ranks,
    current_streak,
    gap_to_next_rank,
    point_losses,
    rank_history,
)


def test_competition_ranks_with_ties():
    assert competition_ranks({"a": 90, "b": 85, "c": 85, "d": 80}) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_all_tied_and_missing():
    assert competition_ranks({"a": 70, "b": 70, "c": 70, "x": None}) == {"a": 1, "b": 1, "c": 1}
    assert competition_ranks({}) == {}


def test_ties_compare_at_two_decimals():
    # 77,835 is published as 77,84: it ties with 77,84
    assert competition_ranks({"a": 77.835, "b": 77.84, "c": 77.83}) == {"a": 1, "b": 1, "c": 3}


def test_rank_history_ranks_each_week_on_its_own():
    w1, w2 = date(2026, 11, 2), date(2026, 11, 9)
    history = rank_history({w2: {"a": 70, "b": 75}, w1: {"a": 80, "b": 75}})
    assert history["a"] == [WeekRank(w1, 1, 80.0), WeekRank(w2, 2, 70.0)]
    assert history["b"] == [WeekRank(w1, 2, 75.0), WeekRank(w2, 1, 75.0)]


def _weeks(start: date, ranks: list[int]) -> list[WeekRank]:
    return [WeekRank(start + timedelta(weeks=i), rank, 70.0) for i, rank in enumerate(ranks)]


def test_streak_ten_weeks_leading():
    start = date(2023, 7, 3)
    history = _weeks(start, [2, 3] + [1] * 10)
    streak = current_streak(history)
    assert streak == Streak(1, 10, start + timedelta(weeks=2)) and streak.leading


def test_streak_breaks_on_a_missing_week_and_on_rank_change():
    start = date(2026, 9, 7)
    history = _weeks(start, [1, 1, 1])
    gap = [history[0], *[WeekRank(w.week + timedelta(weeks=1), 1, 70.0) for w in history[1:]]]
    assert current_streak(gap).weeks == 2  # weeks 1 and 3, 4: week 2 missing
    assert current_streak(_weeks(start, [1, 1, 2])) == Streak(2, 1, start + timedelta(weeks=2))
    assert current_streak(_weeks(start, [4, 4, 4, 4])).weeks == 4
    assert not current_streak(_weeks(start, [4, 4])).leading


def test_streak_as_of_a_later_week_is_none():
    start = date(2026, 9, 7)
    assert current_streak(_weeks(start, [1, 1]), as_of=start + timedelta(weeks=2)) is None
    assert current_streak([]) is None


def test_gap_to_next_rank():
    totals = {"a": 90, "b": 85, "c": 85, "d": 80.5, "e": None}
    assert gap_to_next_rank("a", totals) is None
    assert gap_to_next_rank("b", totals) == 5.0
    assert gap_to_next_rank("c", totals) == 5.0
    assert gap_to_next_rank("d", totals) == 4.5
    assert gap_to_next_rank("e", totals) is None
    assert gap_to_next_rank("a", {"a": 77.84, "b": 77.84}) is None  # tied leaders


def test_point_losses_di_an():
    maxima = {"publicity": 18, "progress": 20, "online": 12, "online_payment": 10, "digitisation": 22, "satisfaction": 18}
    scores = {"publicity": 17.3, "progress": 19.6, "online_payment": 8.4, "digitisation": 13.5, "satisfaction": 18}
    assert point_losses(scores, maxima) == [
        ("online", 12.0),  # no score: the whole maximum is lost
        ("digitisation", 8.5),
        ("online_payment", 1.6),
        ("publicity", 0.7),
        ("progress", 0.4),
    ]
    assert ("satisfaction", 0.0) in point_losses(scores, maxima, include_zero=True)


def test_point_losses_ties_keep_component_order():
    assert point_losses({"a": 8, "b": 8}, {"a": 10, "b": 10}) == [("a", 2.0), ("b", 2.0)]
