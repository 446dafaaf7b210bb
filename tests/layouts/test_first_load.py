"""Opening the overview or an indicator page is one router request: the layout carries every panel drawn.

Real app, seeded dashboard database, signed-in leader, requests as the Dash renderer writes
them. The page router's answer must hold what the panels' callbacks would answer (so the browser
fires none of them on load: they all have ``prevent_initial_call``), and while the database is
unreachable the panels carry the "data unavailable" notice instead of the page failing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import orjson
import pytest
from dash import dcc, html

from ioc.cache import cache
from ioc.storage.db import Database, get_database, set_database
from layouts.components.unavailable import NOTICE
from layouts.rendered import plain

ORIGIN = {"Origin": "http://localhost"}
OVERVIEW_OUTPUTS = {"kpi-tiles.children", "sector-grid.children", "map-indicator.options", "overview-map.figure",
                    "alert-list.children"}
INDICATOR_OUTPUTS = {"ind-head.children", "ind-area.value", "ind-series.figure", "ind-breakdown.figure"}


@pytest.fixture()
def client(dash_app, auth_cookie) -> Iterator[object]:
    cache.clear()
    signed_in = dash_app.server.test_client()
    signed_in.set_cookie(auth_cookie["name"], auth_cookie["value"])
    yield signed_in
    cache.clear()


def _post(client, body: dict) -> dict:
    answer = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()["response"]


def _open(client, path: str) -> dict[str, dict]:
    """The page router's layout for ``path``: every component's props by id."""
    pathname, _, search = path.partition("?")
    routed = _post(client, {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": f"?{search}" if search else ""}],
        "changedPropIds": ["_pages_location.pathname"], "state": []})
    found: dict[str, dict] = {}

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and "type" in node:
                if isinstance(props.get("id"), str):
                    found[props["id"]] = props
                for value in props.values():
                    walk(value)

    walk(routed["_pages_content"]["children"])
    return found


def _callback(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
              state: list[tuple[str, str, object]] = ()) -> dict:
    many = len(outputs) > 1
    key = (".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..") if many else f"{outputs[0][0]}.{outputs[0][1]}"
    outs = [{"id": i, "property": p} for i, p in outputs]
    return _post(client, {"output": key, "outputs": outs if many else outs[0],
                          "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
                          "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
                          "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]})


def _fired_on_load(client, layout: dict[str, dict]) -> list[str]:
    """Server callbacks the renderer would run for this layout: inputs and outputs present, no prevent_initial_call."""
    fired = []
    for dep in client.get("/_dash-dependencies").get_json():
        if dep.get("clientside_function") or dep.get("prevent_initial_call"):
            continue
        ids = {i["id"] for i in dep["inputs"]} | {part.rsplit(".", 1)[0] for part in dep["output"].strip(".").split("...")}
        if ids - {"tick"} and ids - {"tick"} <= set(layout):
            fired.append(dep["output"])
    return fired


def test_the_overview_opens_drawn_and_fires_no_callback(client):
    page = _open(client, "/")
    assert _fired_on_load(client, page) == []
    tiles = page["kpi-tiles"]["children"]
    assert tiles and all(tile["props"]["href"].startswith("/indicator/") for tile in tiles)
    assert page["kpi-tiles"]["children"] == _callback(client, [("kpi-tiles", "children")],
                                                      [("tick", "n_intervals", 1)])["kpi-tiles"]["children"]
    sectors = _callback(client, [("sector-grid", "children"), ("sector-legend", "children")],
                        [("tick", "n_intervals", 1)])
    assert page["sector-grid"]["children"] == sectors["sector-grid"]["children"] != []
    assert page["sector-legend"]["children"] == sectors["sector-legend"]["children"]
    picker = _callback(client, [("map-indicator", "options"), ("map-indicator", "value")],
                       [("tick", "n_intervals", 1)], [("map-indicator", "value", None)])["map-indicator"]
    assert (page["map-indicator"]["options"], page["map-indicator"]["value"]) == (picker["options"], picker["value"])
    drawn = _callback(client, [("overview-map", "figure")], [("map-indicator", "value", picker["value"])])
    assert page["overview-map"]["figure"] == drawn["overview-map"]["figure"] and drawn["overview-map"]["figure"]["data"]
    alerts = _callback(client, [("alert-list", "children"), ("alert-count", "children")],
                       [("tick", "n_intervals", 1), ("alert-ack-status", "children", None)])
    assert page["alert-list"]["children"] == alerts["alert-list"]["children"]
    assert page["alert-count"]["children"] == alerts["alert-count"]["children"]


def test_the_overview_map_follows_the_url_choice(client):
    default = _open(client, "/")["map-indicator"]
    other = next(o["value"] for o in default["options"] if o["value"] != default["value"])
    chosen = _open(client, f"/?map={other}")
    assert chosen["map-indicator"]["value"] == other
    assert chosen["overview-map"]["figure"] == _callback(
        client, [("overview-map", "figure")], [("map-indicator", "value", other)])["overview-map"]["figure"]
    assert _open(client, "/?map=NO.SUCH.CODE")["map-indicator"]["value"] == default["value"]


def test_an_indicator_page_opens_on_the_urls_view_and_fires_no_callback(client, dash_db):
    _db, seeded = dash_db
    options = _open(client, f"/indicator/{seeded.main_indicator}")["ind-area"]["options"]
    other = next(o["value"] for o in options  # another district: its label is indented once
                 if o["label"].startswith("\u2003") and o["label"][1] != "\u2003" and o["value"] != seeded.district)
    path = f"/indicator/{seeded.main_indicator}?area={seeded.district}&range=7d&compare={other}"
    page = _open(client, path)
    assert _fired_on_load(client, page) == []
    state = page["ind-state"]["data"]
    assert page["ind-area"]["value"] == seeded.district
    navigated = _callback(client, [("ind-area", "value"), ("ind-area", "options"), ("ind-compare", "options")],
                          [("ind-state", "data", state), ("ind-breakdown", "clickData", None),
                           ("ind-map", "clickData", None), ("ind-back", "n_clicks", 0)],
                          [("ind-area", "value", None)])
    assert page["ind-area"]["options"] == navigated["ind-area"]["options"] == page["ind-compare"]["options"]
    head = _callback(client, [("ind-head", "children")], [("ind-state", "data", state), ("tick", "n_intervals", 1)])
    assert page["ind-head"]["children"] == head["ind-head"]["children"]
    series = _callback(client, [("ind-series", "figure")],
                       [("ind-state", "data", state), ("ind-area", "value", seeded.district),
                        ("ind-range", "value", "7d"), ("ind-dates", "start_date", None),
                        ("ind-dates", "end_date", None), ("ind-compare", "value", [other])])
    figure = page["ind-series"]["figure"]
    assert figure == series["ind-series"]["figure"] and len([t for t in figure["data"] if t.get("y")]) == 2
    breakdown = _callback(client, [("ind-breakdown", "figure"), ("ind-map", "figure"), ("ind-path", "children"),
                                   ("ind-back", "disabled")],
                          [("ind-state", "data", state), ("ind-area", "value", seeded.district)])
    assert page["ind-breakdown"]["figure"] == breakdown["ind-breakdown"]["figure"]
    assert page["ind-map"]["figure"] == breakdown["ind-map"]["figure"]
    assert page["ind-path"]["children"] == breakdown["ind-path"]["children"] != []
    assert page["ind-back"]["disabled"] is breakdown["ind-back"]["disabled"] is False


def test_an_unknown_area_in_the_url_opens_the_province(client, dash_db):
    _db, seeded = dash_db
    page = _open(client, f"/indicator/{seeded.main_indicator}?area=NO-SUCH-AREA")
    assert page["ind-area"]["value"] == seeded.province and page["ind-back"]["disabled"] is True


def test_panels_say_data_unavailable_while_the_database_is_unreachable(dash_app):
    server = dash_app.server
    from layouts.pages import indicator as indicator_page
    from layouts.pages import overview as overview_page

    working = get_database()
    unreachable = Database("postgresql://postgres@127.0.0.1:9/ioc_none", max_size=1, timeout=0.5).open(wait=False)
    cache.clear()
    set_database(unreachable)
    try:
        with server.test_request_context("/"):
            overview = json.dumps(overview_page.layout(), ensure_ascii=False)
            indicator = json.dumps(indicator_page.layout("TTHC_ONTIME"), ensure_ascii=False)
    finally:
        set_database(working)
        unreachable.close()
        cache.clear()
    for text in (overview, indicator):
        assert NOTICE["vi"] in text and NOTICE["en"] in text


def test_plain_gives_the_json_data_dash_would_send():
    layout = html.Div([html.Span("Tổng quan", id="x"), {"props": {"children": "built"}, "type": "Div",
                                                         "namespace": "dash_html_components"},
                       dcc.Graph(figure={"data": [{"y": [1.5, float("nan"), 3]}]})], id="root", title=None)
    from dash._utils import to_json

    assert plain(layout) == json.loads(to_json(layout))
    assert orjson.dumps(plain(layout)) == orjson.dumps(json.loads(to_json(layout)))
