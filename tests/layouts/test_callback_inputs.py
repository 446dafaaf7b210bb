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


# --- the operations map (/ban-do) and the traffic page (/giao-thong) --------------------------------

INVALID_MAP_VI = "Đã bỏ qua một lựa chọn không hợp lệ"
INVALID_SEARCH_VI = "Mã tìm kiếm không hợp lệ"
INVALID_CAMERA_VI = "Không xác định được camera cần xem"
MAP_INDEX = "page"  # the index of the map of /ban-do (layouts/pages/map.py)
# What the map page itself writes into each input, keyed by (id, property); ids without "iocmap-".
MAP_VALUES: dict[tuple[str, str], object] = {
    ("layers", "value"): ["boundaries", "labels", "choropleth", "addresses", "devices", "alerts"],
    ("level", "value"): "district", ("indicator", "value"): "MT_AQI", ("categories", "value"): ["school"],
    ("area", "data"): "718", ("size", "data"): [1000, 600], ("search", "value"): "BD-718",
    ("view", "data"): {"lon": 106.65, "lat": 11.15, "zoom": 9.0, "bbox": [106.0, 10.8, 107.3, 11.5], "rev": "r1"},
    ("graph", "relayoutData"): {"map.center": {"lon": 106.7, "lat": 11.0}, "map.zoom": 11.5},
    ("graph", "clickData"): {"points": [{"curveNumber": 0, "customdata": ["718", "Thủ Dầu Một", ""]}]},
    ("up", "n_clicks"): 1, ("home", "n_clicks"): 0, ("search-go", "n_clicks"): 1, ("export", "n_clicks"): 1,
    ("tick", "n_intervals"): 1,
}
TYPE_FORGED = [5, True, 1.5, ["a"], [1, 2], {"a": 1}, "zz", float("nan"), [[1]], {"points": [5]},
               {"lon": 1, "lat": 2, "zoom": 3, "bbox": "abcd"}]


@pytest.fixture(scope="module")
def page_callbacks(client) -> list[dict]:
    """The server-side callbacks of the map and traffic pages, as Dash lists them to the renderer."""
    found = [d for d in client.get("/_dash-dependencies").get_json()
             if ("iocmap-" in d["output"] or "traffic-" in d["output"]) and not d.get("clientside_function")]
    assert len(found) >= 8, [d["output"] for d in found]  # 7 map callbacks (component and page) and traffic
    return found


def _dep_id(value) -> object:
    """A dependency's id with the map's MATCH wildcard replaced by the page's map index."""
    parsed = json.loads(value) if isinstance(value, str) and value.startswith("{") else value
    return {k: MAP_INDEX if v == ["MATCH"] else v for k, v in parsed.items()} if isinstance(parsed, dict) else parsed


def _short(dep_id) -> str:
    return dep_id["type"].removeprefix("iocmap-") if isinstance(dep_id, dict) else dep_id


def _dep_post(client, dep: dict, values: dict[tuple[str, str], object], trigger: tuple[str, str] | None = None):
    """POST one callback of ``page_callbacks`` with ``values`` (the page's own for anything not given)."""
    key = dep["output"]
    many = key.startswith("..")
    outs = []
    for spec in (key[2:-2].split("...") if many else [key]):
        target, prop = spec.split("@")[0].rsplit(".", 1)
        outs.append({"id": _dep_id(target), "property": prop})

    def slots(items):
        return [{"id": _dep_id(i["id"]), "property": i["property"],
                 "value": values.get((_short(_dep_id(i["id"])), i["property"]),
                                     MAP_VALUES.get((_short(_dep_id(i["id"])), i["property"])))} for i in items]

    inputs, state = slots(dep["inputs"]), slots(dep["state"])
    fired = next((i for i in inputs if (_short(i["id"]), i["property"]) == trigger), inputs[0])
    fired_id = json.dumps(fired["id"], sort_keys=True, separators=(",", ":")) if isinstance(fired["id"], dict) \
        else fired["id"]
    body = {"output": key, "outputs": outs if many else outs[0], "inputs": inputs, "state": state,
            "changedPropIds": [f"{fired_id}.{fired['property']}"]}
    return client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})


def _assert_unchanged(answer) -> None:
    """No update: Dash's 204 (PreventUpdate), or 200 with every output left as it was."""
    assert answer.status_code in (200, 204), f"HTTP {answer.status_code}: {answer.get_data(as_text=True)[:300]}"
    assert answer.status_code == 204 or answer.get_json()["response"] == {}, answer.get_data(as_text=True)[:300]


def _dep(page_callbacks: list[dict], output: str, first_input: str) -> dict:
    """The callback writing ``output`` (e.g. "iocmap-graph.figure") fired first by ``first_input``."""
    for dep in page_callbacks:
        target, prop = dep["output"].strip(".").split("...")[0].split("@")[0].rsplit(".", 1)
        first = dep["inputs"][0]
        if (f"{_short(_dep_id(target))}.{prop}" == output.removeprefix("iocmap-")
                and f"{_short(_dep_id(first['id']))}.{first['property']}" == first_input):
            return dep
    raise AssertionError(f"no callback writes {output} from {first_input}")


@pytest.mark.parametrize("value", TYPE_FORGED, ids=repr)
def test_every_map_and_traffic_callback_answers_a_type_forged_value(client, page_callbacks, value):
    """Each input and state of each callback, in turn, posted ``value`` while the others keep the page's own."""
    failed = []
    for dep in page_callbacks:
        for item in [*dep["inputs"], *dep["state"]]:
            slot = (_short(_dep_id(item["id"])), item["property"])
            answer = _dep_post(client, dep, {slot: value}, trigger=slot)
            if answer.status_code not in (200, 204):
                failed.append(f"{dep['output'].split('@')[0][:60]} ← {slot}: HTTP {answer.status_code}")
    assert not failed, "\n".join(failed)


def _render(client, page_callbacks, **values):
    dep = _dep(page_callbacks, "iocmap-graph.figure", "layers.value")
    return _dep_post(client, dep, {(k, "data" if k in ("area", "size", "view") else "value"): v
                                   for k, v in values.items()})


@pytest.mark.parametrize(("name", "value"), [
    ("layers", 5), ("layers", [{"a": 1}]), ("level", {"a": 1}), ("level", 5), ("indicator", ["MT_AQI"]),
    ("categories", "school"), ("area", ["718"]), ("area", 718), ("size", "big"), ("size", [0, 0]),
    ("view", {"lon": "x"}), ("view", [1, 2]),
], ids=repr)
def test_map_render_with_a_forged_control_draws_the_map_and_says_so(client, caplog, page_callbacks, name, value):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _render(client, page_callbacks, **{name: value}).get_json()["response"]
    graph, status = (next(v for k, v in answer.items() if f'"iocmap-{kind}"' in k) for kind in ("graph", "status"))
    assert len(graph["figure"]["data"]) == 7  # every trace of the map, from the choices that were valid
    assert INVALID_MAP_VI in status["children"]
    assert any(f"iocmap-{name}." in line for line in _refusals(caplog, "render_map"))


def test_map_render_with_the_page_values_draws_the_map_without_a_notice(client, caplog, page_callbacks):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _text(_answer(_render(client, page_callbacks)))
    assert INVALID_MAP_VI not in answer and "địa chỉ" in answer
    assert not [r for r in caplog.records if r.name == "layouts.inputs"]


@pytest.mark.parametrize("relayout", [
    "zz", 5, ["a"], {"map.center": "x"}, {"map.center": {"lon": "a", "lat": 1}}, {"map.zoom": "z"},
    {"map.zoom": 1e9}, {"map.zoom": 12, "map._derived": {"coordinates": "abcd"}}, {"map.zoom": float("nan")},
], ids=repr)
def test_map_pan_with_a_forged_event_changes_nothing(client, caplog, page_callbacks, relayout):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _dep_post(client, _dep(page_callbacks, "iocmap-graph.figure", "graph.relayoutData"),
                       {("graph", "relayoutData"): relayout})
    _assert_unchanged(answer)
    assert any("iocmap-graph.relayoutData=" in line for line in _refusals(caplog, "follow_viewport"))


def test_map_pan_with_a_forged_view_store_still_follows_the_map(client, caplog, page_callbacks):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    dep = _dep(page_callbacks, "iocmap-graph.figure", "graph.relayoutData")
    answer = _text(_answer(_dep_post(client, dep, {("view", "data"): {"lon": 1, "zoom": "far"}})))
    assert INVALID_MAP_VI in answer
    assert any("iocmap-view.data=" in line for line in _refusals(caplog, "follow_viewport"))
    assert INVALID_MAP_VI not in _text(_answer(_dep_post(client, dep, {})))  # the page's own values


@pytest.mark.parametrize("click", [
    "zz", 5, {"points": "x"}, {"points": [5]}, {"points": [{"curveNumber": "0", "customdata": ["718"]}]},
    {"points": [{"curveNumber": 0, "customdata": [{"code": "718"}]}]}, {"points": [{"curveNumber": 2, "location": 7}]},
    {"points": [{"curveNumber": 2, "location": "not-a-cell"}]}, {"points": [{"curveNumber": 6, "text": ["BD"]}]},
], ids=repr)
def test_map_click_with_forged_click_data_changes_nothing(client, caplog, page_callbacks, click):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _dep_post(client, _dep(page_callbacks, "iocmap-area.data", "graph.clickData"), {("graph", "clickData"): click})
    _assert_unchanged(answer)
    assert any("iocmap-graph.clickData=" in line for line in _refusals(caplog, "click"))


def test_map_click_on_an_area_still_drills_into_it(client, page_callbacks):
    answer = _answer(_dep_post(client, _dep(page_callbacks, "iocmap-area.data", "graph.clickData"), {}))
    assert next(v for k, v in answer.items() if '"iocmap-area"' in k)["data"] == "718"


@pytest.mark.parametrize("area", [718, ["718"], {"code": "718"}], ids=repr)
def test_map_up_with_a_forged_area_goes_to_the_whole_province(client, caplog, page_callbacks, area):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _answer(_dep_post(client, _dep(page_callbacks, "iocmap-area.data", "graph.clickData"),
                               {("area", "data"): area}, trigger=("up", "n_clicks")))
    assert next(v for k, v in answer.items() if '"iocmap-area"' in k)["data"] is None
    assert any("iocmap-area.data=" in line for line in _refusals(caplog, "click"))


@pytest.mark.parametrize("text", [5, ["BD-718"], {"code": "BD"}, True], ids=repr)
def test_map_search_with_a_forged_text_says_so(client, caplog, page_callbacks, text):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _answer(_dep_post(client, _dep(page_callbacks, "iocmap-graph.figure", "search-go.n_clicks"),
                               {("search", "value"): text}))
    assert INVALID_SEARCH_VI in next(v for k, v in answer.items() if '"iocmap-search-msg"' in k)["children"]
    assert any("iocmap-search.value=" in line for line in _refusals(caplog, "search"))


@pytest.mark.parametrize(("slot", "value"), [(("view", "data"), "zz"), (("layers", "value"), 5),
                                             (("area", "data"), ["718"]), (("level", "value"), {"a": 1})], ids=repr)
def test_map_export_with_forged_state_sends_no_file(client, caplog, page_callbacks, slot, value):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _dep_post(client, _dep(page_callbacks, "iocmap-download.data", "export.n_clicks"), {slot: value})
    _assert_unchanged(answer)
    assert any(f"iocmap-{slot[0]}.{slot[1]}=" in line for line in _refusals(caplog, "export"))


def test_map_refresh_with_forged_layers_still_patches_devices_and_alerts(client, caplog, page_callbacks):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _answer(_dep_post(client, _dep(page_callbacks, "iocmap-graph.figure", "tick.n_intervals"),
                               {("layers", "value"): 5}))
    assert next(iter(answer.values()))["figure"]["__dash_patch_update"]
    assert any("iocmap-layers.value=5" in line for line in _refusals(caplog, "refresh_live"))


@pytest.mark.parametrize(("slot", "value"), [(("area", "data"), 718), (("indicator", "value"), ["MT_AQI"]),
                                             (("level", "value"), {"a": 1})], ids=repr)
def test_map_side_charts_with_a_forged_choice_say_so(client, caplog, page_callbacks, slot, value):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _answer(_dep_post(client, _dep(page_callbacks, "iocmap-side-categories.figure", "area.data"), {slot: value}))
    figures = [v["figure"] for v in answer.values()]
    assert len(figures) == 2 and all(INVALID_MAP_VI in _annotations(f) for f in figures)
    assert any(f"iocmap-{slot[0]}.{slot[1]}=" in line for line in _refusals(caplog, "follow_area"))
    shown = _answer(_dep_post(client, _dep(page_callbacks, "iocmap-side-categories.figure", "area.data"), {}))
    assert not any(INVALID_MAP_VI in _annotations(v["figure"]) for v in shown.values())


def _traffic(client, camera):
    return _post(client, [("traffic-kpis", "children"), ("traffic-map", "figure"), ("traffic-congested", "children"),
                          ("traffic-incidents", "children"), ("traffic-profile", "figure"),
                          ("traffic-classes", "figure"), ("traffic-grid", "children")],
                 [("tick", "n_intervals", 1)], [("traffic-camera", "data", camera)])


@pytest.mark.parametrize("camera", [5, ["cam-1"], {"id": "cam-1"}, True], ids=repr)
def test_traffic_with_a_forged_camera_draws_every_camera_and_says_so(client, caplog, camera):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    answer = _answer(_traffic(client, camera))
    assert INVALID_CAMERA_VI in _annotations(answer["traffic-profile"]["figure"])
    assert answer["traffic-kpis"]["children"] and answer["traffic-classes"]["figure"]
    assert any("traffic-camera.data=" in line for line in _refusals(caplog, "refresh_traffic"))


def test_traffic_with_its_page_camera_store_shows_no_notice(client, caplog):
    caplog.set_level(logging.WARNING, logger="layouts.inputs")
    for camera in (None, "", "cam-unknown"):
        assert INVALID_CAMERA_VI not in _text(_answer(_traffic(client, camera)))
    assert not _refusals(caplog, "refresh_traffic")


@pytest.mark.parametrize(("pathname", "search", "expected"), [
    ("/ban-do", "?area=718&area=719&level=district&level=commune", '"data": "718"'),
    ("/giao-thong", "?camera=cam-a&camera=cam-b", '"data": "cam-a"'),
], ids=["map", "traffic"])
def test_router_opens_map_and_traffic_with_the_first_of_a_repeated_parameter(client, pathname, search, expected):
    content = _text(_answer(_route(client, pathname, search))["_pages_content"]["children"])
    assert expected in content
