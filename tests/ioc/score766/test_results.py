"""A week's scorecard loaded from stored 766 observations, and the notice built from it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ioc.formatting import LOCAL_TZ
from ioc.model import Reading, SeriesKey
from ioc.score766.components import default_components, top_level
from ioc.score766.notice import build_notice, render_notice_html
from ioc.score766.results import load_scorecard, result_weeks
from ioc.storage.observations import write_readings

from tests.ioc.storage._score766_data import seed_reference

WEEK = date(2026, 11, 9)


def _points(share: float) -> dict[str, float]:
    return {c.code: round(c.max_points * share, 2) for c in default_components()}


def test_scorecard_from_storage_and_notice(empty_db):
    components = default_components()
    by_code = {c.code: c.indicator_code for c in components}
    shares = {  # week → district → share of every maximum
        WEEK - timedelta(weeks=1): {"725": 0.70, "718": 0.75, "724": 0.60},
        WEEK: {"725": 0.78, "718": 0.75, "724": 0.75},
    }
    readings = []
    for week, units in shares.items():
        ts = datetime.combine(week, time(0), LOCAL_TZ)
        for area, share in units.items():
            readings += [Reading(SeriesKey.for_indicator(by_code[k], area), ts, v) for k, v in _points(share).items()]
        readings += [Reading(SeriesKey.for_indicator(by_code[k], "25942"), ts, v) for k, v in _points(0.8165).items()]
    with empty_db.connection() as conn:
        seed_reference(conn, [c.indicator_code for c in components])
        write_readings(conn, readings)
    assert result_weeks(empty_db, level="district") == [WEEK, WEEK - timedelta(weeks=1)]
    card = load_scorecard(empty_db, level="district")
    assert card.week == WEEK and card.ranked == 3
    assert {u.code: u.rank for u in card.units} == {"725": 1, "718": 2, "724": 2}
    assert card.units[0].code == "725"
    di_an = card.unit("725")
    assert di_an.total == 78.0 and di_an.band.code == "kha" and di_an.previous_rank == 2 and di_an.rank_change == 1
    assert di_an.total_change == 8.0 and card.unit("718").gap == 3.0
    assert sum(c.max_points for c in top_level(components)) == 100
    communes = load_scorecard(empty_db, level="commune", week=WEEK)
    notice = build_notice("725", card, communes)
    assert notice.communes[0].total == 81.65 and notice.communes[0].band.code == "tot"
    html = render_notice_html(notice)
    assert "78,00/100" in html and "Tân Bình" in html and "81,65" in html
    assert load_scorecard(empty_db, level="district", week=WEEK + timedelta(weeks=5)) is None
