"""Weekly 766 scores read back from observations written through the storage write API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ioc.formatting import LOCAL_TZ
from ioc.model import Reading, SeriesKey
from ioc.storage.observations import write_readings
from ioc.storage.score766 import available_weeks, score_history, week_bounds, weekly_scores

from tests.ioc.storage._score766_data import seed_reference

CODES = ["T766.A", "T766.B"]
W1, W2 = date(2026, 11, 2), date(2026, 11, 9)


def _at(week: date, hours: int = 0) -> datetime:
    return datetime.combine(week, time(0), LOCAL_TZ) + timedelta(hours=hours)


def _seed(conn):
    seed_reference(conn, CODES)
    r = lambda code, area, ts, v: Reading(SeriesKey.for_indicator(code, area), ts, v)  # noqa: E731
    write_readings(conn, [
        r("T766.A", "725", _at(W1), 17.0), r("T766.B", "725", _at(W1), 19.0),
        r("T766.A", "725", _at(W2), 17.3), r("T766.B", "725", _at(W2), 19.6),
        r("T766.A", "725", _at(W2, 30), 17.5),  # republished later that week: replaces 17,3
        r("T766.A", "718", _at(W2), 16.0),
        r("T766.A", "25942", _at(W2), 18.0),
        r("T766.A", "25747", _at(W2), 10.0),
    ])


def test_week_bounds_are_local_mondays():
    start, end = week_bounds(date(2026, 11, 12))  # a Thursday
    assert start == datetime(2026, 11, 9, tzinfo=LOCAL_TZ) and end - start == timedelta(days=7)


def test_weekly_scores_latest_in_week(empty_db):
    with empty_db.connection() as conn:
        _seed(conn)
        units = {u.code: u for u in weekly_scores(conn, codes=CODES, level="district", week=W2)}
        communes = weekly_scores(conn, codes=CODES, level="commune", week=W2, parent_code="725")
        old = {u.code: u.scores for u in weekly_scores(conn, codes=CODES, level="district", week=W1)}
    assert set(units) == {"725", "718"}
    assert units["725"].scores == {"T766.A": 17.5, "T766.B": 19.6}
    assert units["725"].name_vi == "Dĩ An" and units["725"].parent_code == "74"
    assert units["718"].scores == {"T766.A": 16.0}
    assert [u.code for u in communes] == ["25942"]
    assert old == {"725": {"T766.A": 17.0, "T766.B": 19.0}}


def test_history_and_weeks(empty_db):
    with empty_db.connection() as conn:
        _seed(conn)
        history = score_history(conn, codes=CODES, level="district", since=W1, until=W2)
        weeks = available_weeks(conn, codes=CODES, level="district")
        only_w2 = score_history(conn, codes=CODES, level="district", since=W2, until=W2)
    assert weeks == [W2, W1]
    assert history[W1] == {"725": {"T766.A": 17.0, "T766.B": 19.0}}
    assert history[W2]["725"] == {"T766.A": 17.5, "T766.B": 19.6}
    assert list(only_w2) == [W2]
