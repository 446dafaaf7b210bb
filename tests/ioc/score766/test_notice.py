"""The weekly 766 notice: data model, printable HTML and PDF through headless Chromium."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from ioc.score766.components import Component
from ioc.score766.notice import build_notice, find_chromium, render_notice_html, render_notice_pdf
from ioc.score766.scorecard import build_scorecard
from ioc.score766.scoring import load_bands
from ioc.storage.score766 import UnitScores

COMPONENTS = (
    Component("CKMB", "Công khai, minh bạch", "Publicity", 18, "S.CKMB"),
    Component("TDGQ", "Tiến độ giải quyết", "Progress", 20, "S.TDGQ"),
    Component("DVTT", "Dịch vụ trực tuyến", "Online services", 22, "S.DVTT"),
    Component("DVTT_TT", "Thanh toán trực tuyến", "Online payment", 10, "S.DVTT_TT", parent_code="DVTT"),
    Component("SHHS", "Số hóa hồ sơ", "Digitisation", 22, "S.SHHS"),
    Component("HL", "Mức độ hài lòng", "Satisfaction", 18, "S.HL"),
)
WEEK = date(2023, 11, 13)
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"


def _unit(code, name, parent, p, g, o, op, d, h):
    raw = {"S.CKMB": p, "S.TDGQ": g, "S.DVTT": o, "S.DVTT_TT": op, "S.SHHS": d, "S.HL": h}
    return UnitScores(code, name, None, parent, raw)


@pytest.fixture
def notice():
    districts = [
        _unit("725", "Dĩ An", "74", 17.3, 19.6, 9.44, 8.4, 13.5, 18.0),
        _unit("718", "Thủ Dầu Một", "74", 17.0, 19.0, 12.0, 6.0, 12.0, 16.0),
        _unit("724", "Thuận An", "74", 16.0, 18.0, 10.0, 5.0, 10.0, 16.0),
    ]
    communes = [
        _unit("25942", "Tân Bình", "725", 18, 20, 14.05, 9.0, 12.6, 17.0),
        _unit("25945", "Dĩ An", "725", 17, 19, 12.0, 8.0, 11.0, 17.0),
        _unit("25747", "Phú Cường", "718", 10, 10, 10, 5, 10, 10),
    ]
    history = {WEEK - timedelta(weeks=k): {"725": {"S.CKMB": 17, "S.TDGQ": 19, "S.DVTT": 9, "S.SHHS": 13, "S.HL": 18}}
               for k in range(1, 10)}
    bands = load_bands()
    dcard = build_scorecard(WEEK, "district", districts, history, COMPONENTS, bands)
    ccard = build_scorecard(WEEK, "commune", communes, {}, COMPONENTS, bands)
    return build_notice("725", dcard, ccard)


def test_notice_model(notice):
    assert notice.district.total == 77.84 and notice.district.rank == 1 and notice.districts_ranked == 3
    assert notice.district.streak.weeks == 10 and notice.district.streak.leading
    assert [c.code for c in notice.communes] == ["25942", "25945"] and notice.communes_ranked == 3
    assert notice.communes[0].total == 81.65 and notice.communes[0].band.code == "tot"
    assert notice.communes_above_pass == 2
    assert [f.component.code for f in notice.focus] == ["DVTT", "SHHS", "CKMB"]
    assert notice.focus[0].weakest[0][0].code == "25945"


def test_notice_html_has_ranking_components_and_focus(notice):
    html = render_notice_html(notice, "vi")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "notice_766_725.html").write_text(html, encoding="utf-8")
    for text in ("77,84/100", "Khá", "xếp hạng 1/3", "10 tuần liên tiếp dẫn đầu", "17,3", "/18", "8,4",
                 "Tân Bình", "81,65", "Tốt", "1/3", "Thuận An", "Dịch vụ trực tuyến", "@media print", "size: A4",
                 "2/2 đơn vị cấp xã đạt từ 70 điểm"):
        assert text in html, text
    assert html.index("Dĩ An") < html.index("Thủ Dầu Một") < html.index("Thuận An")
    english = render_notice_html(notice, "en")
    assert "10 consecutive weeks leading" in english and "77.84/100" in english


def test_unknown_district_is_refused(notice):
    from ioc.score766.scorecard import Scorecard

    empty = Scorecard(WEEK, "district", COMPONENTS, [], 0)
    with pytest.raises(LookupError, match="999"):
        build_notice("999", empty, None)


@pytest.mark.slow
def test_notice_pdf(notice):
    pdf = render_notice_pdf(render_notice_html(notice))
    if find_chromium() is None:
        assert pdf is None
        return
    assert pdf is not None and pdf.startswith(b"%PDF") and len(pdf) > 5000
    (ARTIFACTS / "notice_766_725.pdf").write_bytes(pdf)
