"""Callbacks posted empty or forged inputs answer with a notice or no update, never HTTP 500, and log why.

Each request is a real POST to ``/_dash-update-component`` of the real app, signed in as a leader
through the login form (``auth_cookie``), with the same origin header a browser sends. The app
answers a crash with a plain 500, as in production (``PROPAGATE_EXCEPTIONS`` off).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

FORGED_STATES = [None, {}, "", "zz", 5, ["a"], {"code": 5}, {"code": ["TTHC_ONTIME"]}, {"area": "74"}]
INVALID_STATE_VI = "Không xác định được chỉ số cần xem"
INVALID_CHOICE_VI = "Lựa chọn không hợp lệ"
VALID_STATE = {"code": "TTHC_ONTIME", "area": "74", "range": "30d", "compare": []}


@pytest.fixture(scope="module")
def client(dash_app, auth_cookie) -> Iterator[object]:
    """A signed-in leader's test client; crashes answered as HTTP 500 instead of raised into the test."""
    server = dash_app.server
    previous = server.config.get("PROPAGATE_EXCEPTIONS")
    server.config["PROPAGATE_EXCEPTIONS"] = False
    signed_in = server.test_client()
    signed_in.set_cookie(auth_cookie["name"], auth_cookie["value"])
    yield signed_in
    server.config["PROPAGATE_EXCEPTIONS"] = previous


def _post(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
          state: list[tuple[str, str, object]] = ()):
    """POST one callback request as the Dash renderer writes it."""
    many = len(outputs) > 1
    key = (".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..") if many else f"{outputs[0][0]}.{outputs[0][1]}"
    outs = [{"id": i, "property": p} for i, p in outputs]
    body = {"output": key, "outputs": outs if many else outs[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    return client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})


def _answer(response) -> dict:
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.get_data(as_text=True)[:300]}"
    return response.get_json()["response"]


def _text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _refusals(caplog, callback: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "layouts.inputs" and r.getMessage().startswith(f"callback {callback}: refused")]


# --- indicator page --------------------------------------------------------------------------------

def _head(client, state):
    return _post(client, [("ind-head", "children")], [("ind-state", "data", state), ("tick", "n_intervals", 0)])


def _series(client, state, area="74", range_key="30d", start=None, end=None, compare=()):
    return _post(client, [("ind-series", "figure")],
                 [("ind-state", "data", state), ("ind-area", "value", area), ("ind-range", "value", range_key),
                  ("ind-dates", "start_date", start), ("ind-dates", "end_date", end),
                  ("ind-compare", "value", list(compare) if isinstance(compare, tuple) else compare)])


def _breakdown(client, state, area="74"):
    return _post(client, [("ind-breakdown", "figure"), ("ind-map", "figure"), ("ind-path", "children"),
                          ("ind-back", "disabled")],
                 [("ind-state", "data", state), ("ind-area", "value", area)])


def _annotations(figure: dict) -> str:
    return " ".join(a.get("text", "") for a in figure.get("layout", {}).get("annotations", []))


@pytest.mark.parametrize("state", FORGED_STATES, ids=repr)
def test_indicator_head_with_a_forged_state_says_so(client, caplog, state):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    head = _answer(_head(client, state))["ind-head"]["children"]
    assert INVALID_STATE_VI in _text(head)
    assert any("ind-state.data=" + repr(state)[:20] in line for line in _refusals(caplog, "update_head"))


def test_indicator_head_with_the_page_state_still_shows_the_indicator(client):
    head = _text(_answer(_head(client, VALID_STATE))["ind-head"]["children"])
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in head and INVALID_STATE_VI not in head


@pytest.mark.parametrize("state", FORGED_STATES, ids=repr)
def test_indicator_series_with_a_forged_state_is_an_empty_chart_that_says_so(client, caplog, state):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    figure = _answer(_series(client, state))["ind-series"]["figure"]
    assert not figure.get("data") and INVALID_STATE_VI in _annotations(figure)
    assert _refusals(caplog, "update_series")


@pytest.mark.parametrize("forged", [
    {"area": {"code": "74"}}, {"area": ["74"]}, {"range_key": ["30d"]}, {"range_key": {"a": 1}},
    {"range_key": "custom", "start": 5, "end": ["2026-01-01"]}, {"compare": "74"}, {"compare": 5},
    {"compare": [None, {"a": 1}, "74"]},
], ids=repr)
def test_indicator_series_ignores_forged_controls(client, forged):
    figure = _answer(_series(client, VALID_STATE, **forged))["ind-series"]["figure"]
    assert isinstance(figure.get("layout"), dict)


def test_indicator_series_with_the_page_state_still_draws_the_series(client):
    figure = _answer(_series(client, VALID_STATE))["ind-series"]["figure"]
    assert any(trace.get("y") for trace in figure["data"])
    compared = _answer(_series(client, {**VALID_STATE, "code": "MT_AQI"}, area="718", range_key="7d",
                               compare=["724", "725", {"x": 1}]))["ind-series"]["figure"]
    assert len([trace for trace in compared["data"] if trace.get("y")]) == 3  # the area and the two compared


@pytest.mark.parametrize("state", FORGED_STATES, ids=repr)
def test_indicator_breakdown_with_a_forged_state_is_empty_and_says_so(client, caplog, state):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _answer(_breakdown(client, state))
    assert INVALID_STATE_VI in _annotations(answer["ind-breakdown"]["figure"])
    assert INVALID_STATE_VI in _annotations(answer["ind-map"]["figure"])
    assert answer["ind-path"]["children"] == [] and answer["ind-back"]["disabled"] is True
    assert _refusals(caplog, "update_breakdown")


@pytest.mark.parametrize("area", [{"code": "74"}, ["74"], 74], ids=repr)
def test_indicator_breakdown_with_a_forged_area_shows_no_data(client, caplog, area):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _answer(_breakdown(client, VALID_STATE, area))
    assert "Không có dữ liệu" in _annotations(answer["ind-breakdown"]["figure"])
    assert any("ind-area.value=" in line for line in _refusals(caplog, "update_breakdown"))


def test_indicator_breakdown_with_the_page_state_still_ranks_the_areas(client):
    answer = _answer(_breakdown(client, VALID_STATE))
    assert answer["ind-breakdown"]["figure"]["data"] and answer["ind-path"]["children"]


# --- wall, dossiers ----------------------------------------------------------------------------------

def _wall(client, config, index=0):
    return _post(client, [("wall-stage", "children"), ("wall-served", "data")],
                 [("wall-index", "data", index), ("wall-refresh", "n_intervals", 0)],
                 [("wall-config", "data", config)])


@pytest.mark.parametrize(("config", "index"), [
    (None, 0), ("zz", 0), ([], 0), ({"views": "kpi"}, 0), ({"views": [5, None]}, 1), ({"views": ["nope"]}, 0),
    ({"views": ["kpi"], "lang": ["en"]}, 0), ({"views": ["kpi", "alerts"]}, "1"), ({"views": ["kpi"]}, {"a": 1}),
], ids=repr)
def test_wall_with_a_forged_configuration_shows_the_kpi_view(client, caplog, config, index):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _answer(_wall(client, config, index))
    assert answer["wall-served"]["data"]["view"] == "kpi" and answer["wall-served"]["data"]["ok"] is True
    assert '"data-view": "kpi"' in _text(answer["wall-stage"]["children"])
    if config != {"views": ["kpi"], "lang": ["en"]}:  # an unknown language quietly falls back to Vietnamese
        assert _refusals(caplog, "render_view")


def test_wall_with_its_page_configuration_still_rotates(client):
    answer = _answer(_wall(client, {"views": ["kpi", "alerts"], "lang": "vi"}, 1))
    assert answer["wall-served"]["data"]["view"] == "alerts"


def _dossiers(client, by, period):
    return _post(client, [("dossier-table", "children"), ("dossier-figure", "figure"), ("dossier-asof", "children")],
                 [("dossier-by", "value", by), ("dossier-period", "value", period)])


@pytest.mark.parametrize(("by", "period"), [
    (None, None), ("", "30d"), ("zz", "30d"), ("district", "zz"), ("district", 5), ([], {}), (["district"], "30d"),
], ids=repr)
def test_dossier_table_with_a_forged_choice_says_so(client, caplog, by, period):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _answer(_dossiers(client, by, period))
    assert INVALID_CHOICE_VI in _text(answer["dossier-table"]["children"])
    assert INVALID_CHOICE_VI in _annotations(answer["dossier-figure"]["figure"])
    assert _refusals(caplog, "dossier_table")


def test_dossier_table_with_a_real_choice_still_counts(client):
    table = _text(_answer(_dossiers(client, "district", "30d"))["dossier-table"]["children"])
    # This data set has no dossier figures: the ordinary "none in this period" answer, not a refusal.
    assert INVALID_CHOICE_VI not in table and ("dossier-stats-table" in table or "Chưa có số liệu hồ sơ" in table)


# --- Dash's page router ------------------------------------------------------------------------------

def _route(client, pathname, search):
    return _post(client, [("_pages_content", "children"), ("_pages_store", "data")],
                 [("_pages_location", "pathname", pathname), ("_pages_location", "search", search)])


@pytest.mark.parametrize(("pathname", "search"), [
    (None, None), (None, ""), (5, "x"), ({"a": 1}, []), ("/sector/GT", 5), ("/", {"q": 1}), ("zz", ""),
    ("indicator/TTHC_ONTIME", "?range=1y"), ("", ""),
], ids=repr)
def test_router_with_a_forged_location_changes_nothing(client, caplog, pathname, search):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _route(client, pathname, search)
    assert answer.status_code == 204, f"HTTP {answer.status_code}: {answer.get_data(as_text=True)[:300]}"
    assert any(r.getMessage().startswith("page router: refused pathname=") for r in caplog.records)


@pytest.mark.parametrize(("pathname", "search", "expected"), [
    ("/indicator/TTHC_ONTIME", "?compare=74&compare=718,719&range=1y&range=24h", '"range": "1y"'),
    ("/wall", "?playlist=giao-thong&playlist=dieu-hanh&lang=en&lang=vi", '"views": ["traffic", "alerts"]'),
    ("/", "?map=MT_AQI&map=GT_ACCIDENT", "kpi-tiles"),
], ids=["indicator", "wall", "overview"])
def test_router_takes_the_first_of_a_repeated_query_parameter(client, pathname, search, expected):
    content = _text(_answer(_route(client, pathname, search))["_pages_content"]["children"])
    assert expected in content


# --- the other callbacks of the pages above, posted type-forged values --------------------------------

FORGED_VALUES = ["zz", 5, True, ["a"], {"a": 1}, "2026-13-01"]


@pytest.mark.parametrize("value", FORGED_VALUES, ids=repr)
def test_766_and_grid_callbacks_answer_forged_values(client, caplog, value):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answers = {
        "week_options": _post(client, [("admin-week", "options"), ("admin-week", "value"), ("admin-parent", "options"),
                                       ("admin-parent", "disabled")],
                              [("admin-level", "value", value)], [("admin-week", "value", value)]),
        "ranking": _post(client, [("admin-ranking", "children"), ("admin-unit", "options")],
                         [("admin-week", "value", value), ("admin-level", "value", value),
                          ("admin-parent", "value", value)]),
        "unit_detail": _post(client, [("admin-unit-summary", "children"), ("admin-components", "figure"),
                                      ("admin-losses", "children"), ("admin-history", "figure")],
                             [("admin-unit", "value", value), ("admin-week", "value", value),
                              ("admin-level", "value", value)]),
        "export_notice": _post(client, [("admin-notice-download", "data"), ("admin-export-note", "children")],
                               [("admin-notice-html", "n_clicks", 1), ("admin-notice-pdf", "n_clicks", 0)],
                               [("admin-unit", "value", value), ("admin-level", "value", value),
                                ("admin-week", "value", value)]),
        "sector_filter": _post(client, [("sector-grid-table", "dashGridOptions")],
                               [("sector-filter", "value", value)], [("sector-grid-table", "dashGridOptions", value)]),
    }
    for name, answer in answers.items():
        assert answer.status_code in (200, 204), f"{name}: HTTP {answer.status_code}"
    for name in ("week_options", "ranking", "unit_detail", "export_notice"):
        assert _refusals(caplog, name), f"{name} logged nothing about {value!r}"
    assert answers["sector_filter"].get_json()["response"]["sector-grid-table"]["dashGridOptions"]["quickFilterText"] \
        in ("", "zz", "2026-13-01")
