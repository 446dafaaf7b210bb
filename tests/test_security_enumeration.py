"""Every route and every Dash callback of the real app, called without a session, as a wall screen
and as an analyst granted three sectors: nothing leaks (issue 9).

The app is the real ``app`` module on the seeded dashboard database of ``tests/layouts``
(fixtures imported from there). Bodies are searched for the codes and names of the
indicators the caller may not see, after decoding JSON (so escaped Vietnamese is found too).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from ioc.auth import accounts
from ioc.auth.web import SHELL_CALLBACK_IDS, PUBLIC_PREFIXES
from ioc.model import SeriesKey
from ioc.storage import audit
from ioc.storage.alerts import AlertDraft, get_alert, open_or_update, resolve
from ioc.storage.series import resolve_series
from tests.layouts.conftest import dash_app, dash_db  # noqa: F401  (fixtures used by this module)

PASSWORD = "mat-khau-kiem-thu-2026"
GRANTED = ("TTHC", "DVC", "MT")  # the analyst's three sectors
# Sample values for the routes' URL parameters.
_SAMPLE = {"path": "indicator/ZZ_SAMPLE", "filename": "x.js", "package_name": "dash",
           "fingerprinted_path": "dash-renderer/build/dash_renderer.min.js", "code": "ZZ_SAMPLE",
           "sector_code": "GT"}


# --- clients -------------------------------------------------------------------------------------

def _signed_in(app_module, username: str):
    client = app_module.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf": csrf, "next": "/"})
    assert answer.status_code == 302, f"login of {username} failed: {answer.status_code}"
    return client


def _ensure_user(database, username: str, role: str, sectors: list[str] | None = None) -> None:
    with database.connection() as conn:
        exists = conn.execute("SELECT 1 FROM app_user WHERE username = %s", (username,)).fetchone()
    if not exists:
        accounts.create_user(database, username, PASSWORD, role=role, sectors=sectors)


@pytest.fixture(scope="module")
def app_module(dash_app):  # noqa: F811
    """The app, answering a crash with a plain 500 (as in production) instead of raising into the test:
    null inputs make some callbacks fail, and a failure must leak nothing either."""
    server = dash_app.server
    previous = server.config.get("PROPAGATE_EXCEPTIONS")
    server.config["PROPAGATE_EXCEPTIONS"] = False
    server.test_client().get("/login")  # Dash merges the global callbacks on its first request
    yield dash_app
    server.config["PROPAGATE_EXCEPTIONS"] = previous


@pytest.fixture(scope="module")
def database(dash_db):  # noqa: F811
    return dash_db[0]


@pytest.fixture(scope="module")
def analyst(app_module, database):
    _ensure_user(database, "phan-tich-3-linh-vuc", "analyst", list(GRANTED))
    return _signed_in(app_module, "phan-tich-3-linh-vuc")


@pytest.fixture(scope="module")
def leader(app_module, database):
    _ensure_user(database, "lanh-dao-an-ninh", "leader")
    return _signed_in(app_module, "lanh-dao-an-ninh")


@pytest.fixture(scope="module")
def wall(app_module, database):
    token = accounts.create_display_token(database, "man-hinh-kiem-thu", "dieu-hanh")
    client = app_module.server.test_client()
    assert client.get(f"/wall?token={token}").status_code == 302
    return client


@pytest.fixture(scope="module")
def secrets(database) -> list[str]:
    """Codes and names of every indicator (anonymous and wall-refused answers may hold none)."""
    with database.connection() as conn:
        rows = conn.execute("SELECT code, name_vi, name_en FROM indicator").fetchall()
    return [text for row in rows for text in row]


@pytest.fixture(scope="module")
def foreign(database) -> list[str]:
    """Codes and names of the indicators of the sectors the analyst was NOT granted."""
    with database.connection() as conn:
        rows = conn.execute("SELECT code, name_vi, name_en FROM indicator WHERE sector_code <> ALL(%s)",
                            (list(GRANTED),)).fetchall()
    return [text for row in rows for text in row]


# --- enumeration ---------------------------------------------------------------------------------

def _text(response) -> str:
    """The body, with JSON decoded and re-encoded unescaped (so 'Giao th\\u00f4ng' reads 'Giao thông')."""
    raw = response.get_data().decode("utf-8", errors="replace")
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False)
    except ValueError:
        return raw


def _leaks(text: str, words: list[str]) -> list[str]:
    return [w for w in words if w and w in text]


def _routes(app_module) -> list[tuple[str, str]]:
    """(method, url) of every registered route, parameters filled with sample values."""
    found = []
    for rule in app_module.server.url_map.iter_rules():
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", _SAMPLE.get(name, "x"), url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def _concrete(component_id):
    """A wildcard id made concrete (MATCH → a sample value); ALL / ALLSMALLER → None (a list input)."""
    if not isinstance(component_id, dict):
        return component_id
    out = {}
    for key, value in component_id.items():
        text = repr(value)
        if "ALL" in text:
            return None
        out[key] = "x" if "MATCH" in text else value
    return out


def _dep(dep: dict, value=None):
    raw = dep["id"]
    component_id = json.loads(raw) if raw.startswith("{") else raw
    concrete = _concrete({k: (str(v) if isinstance(v, list) else v) for k, v in component_id.items()}
                         if isinstance(component_id, dict) else component_id)
    if concrete is None:
        return []  # ALL: no matching components
    return {"id": concrete, "property": dep["property"], "value": value}


def _callback_bodies(app_module) -> Iterator[tuple[str, dict]]:
    """(output key, request body with null values) of every server-side callback."""
    for key, spec in app_module.app.callback_map.items():
        if spec.get("callback") is None:
            continue  # clientside: runs in the browser only
        outputs = spec["output"] if isinstance(spec["output"], (list, tuple)) else [spec["output"]]
        outs = [{"id": _concrete(o.component_id) or o.component_id, "property": o.component_property}
                for o in outputs]
        yield key, {
            "output": key,
            "outputs": outs if isinstance(spec["output"], (list, tuple)) else outs[0],
            "inputs": [_dep(d) for d in spec["inputs"]],
            "state": [_dep(d) for d in spec["state"]],
            "changedPropIds": [],
        }


def _call(client, body: dict):
    return client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})


def _is_wall(key: str) -> bool:
    ids = {part.strip(".").rsplit(".", 1)[0] for part in key.split("...") if part.strip(".")}
    return bool(ids) and all(i.startswith("wall") or i in SHELL_CALLBACK_IDS for i in ids)


def test_enumeration_covers_the_app(app_module):
    keys = {key for key, _ in _callback_bodies(app_module)}
    routes = {url for _, url in _routes(app_module)}
    assert len(keys) >= 25, sorted(keys)
    assert {"kpi-tiles.children", "..catalog-grid.rowData...catalog-count.children..", "ind-download.data",
            "alert-ack-status.children", "..wall-stage.children...wall-served.data.."} <= keys
    assert {"/login", "/logout", "/healthz", "/_dash-update-component", "/_dash-layout", "/"} <= routes


def test_anonymous_gets_nothing_from_any_route_or_callback(app_module, secrets):
    client = app_module.server.test_client()
    checked = 0
    for method, url in _routes(app_module):
        answer = client.open(url, method=method, headers={"Origin": "http://localhost"})
        assert not _leaks(_text(answer), secrets), f"{method} {url} leaks"
        if url.startswith(PUBLIC_PREFIXES):
            continue
        assert answer.status_code in (302, 401, 403), f"{method} {url} answered {answer.status_code} anonymously"
        checked += 1
    assert checked >= 5
    for key, body in _callback_bodies(app_module):
        answer = _call(client, body)
        assert answer.status_code == 401, f"callback {key} answered {answer.status_code} anonymously"
        assert not _leaks(_text(answer), secrets), f"callback {key} leaks"


def test_a_wall_screen_runs_only_wall_callbacks(app_module, wall, secrets):
    allowed = 0
    for key, body in _callback_bodies(app_module):
        answer = _call(wall, body)
        if _is_wall(key):
            assert answer.status_code != 403, f"wall callback {key} refused to the wall"
            allowed += 1
        else:
            assert answer.status_code == 403, f"callback {key} answered {answer.status_code} to a wall screen"
            assert not _leaks(_text(answer), secrets), f"callback {key} leaks to a wall screen"
    assert allowed >= 1
    for method, url in _routes(app_module):
        if url.startswith(PUBLIC_PREFIXES) or url.startswith(("/wall", "/_dash-layout", "/_dash-dependencies",
                                                                "/_reload-hash", "/logout")):
            continue
        answer = wall.open(url, method=method, headers={"Origin": "http://localhost"})
        assert answer.status_code in (302, 401, 403), f"{method} {url} answered {answer.status_code} to a wall"
    page = _call(wall, {"output": "..._pages_content.children..._pages_store.data...",
                        "outputs": [{"id": "_pages_content", "property": "children"},
                                    {"id": "_pages_store", "property": "data"}],
                        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                                   {"id": "_pages_location", "property": "search", "value": ""}],
                        "state": [], "changedPropIds": []})
    assert page.status_code == 403  # the router may render /wall only


def test_an_analyst_gets_no_other_sector_from_any_callback(app_module, analyst, foreign):
    answered = 0
    for key, body in _callback_bodies(app_module):
        answer = _call(analyst, body)
        assert answer.status_code != 401 and answer.status_code != 403, f"{key} refused a signed-in analyst"
        answered += answer.status_code in (200, 204)
        assert not _leaks(_text(answer), foreign), f"callback {key} shows an analyst other sectors"
    assert answered >= 10


# --- concrete answers to an analyst granted TTHC, DVC and MT ---------------------------------------

def _run(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object] | list[dict]],
         state: list[tuple[str, str, object]] = (), changed: list[str] = ()):
    key = outputs[0][0] + "." + outputs[0][1] if len(outputs) == 1 else \
        ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
    body = {"output": key,
            "outputs": ([{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
                        else {"id": outputs[0][0], "property": outputs[0][1]}),
            "inputs": [item if isinstance(item, list) else {"id": item[0], "property": item[1], "value": item[2]}
                       for item in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": list(changed)}
    return _call(client, body)


def _sector_grid(client, code: str):
    return _run(client, [("sector-grid-table", "rowData"), ("sector-title", "children"), ("sector-counts", "children")],
                [("sector-code", "data", code), ("tick", "n_intervals", 0)])


def test_analyst_sector_grid_of_a_sector_not_granted_is_refused(analyst, leader):
    refused = _sector_grid(analyst, "GT").get_json()["response"]
    assert refused["sector-grid-table"]["rowData"] == []
    assert refused["sector-title"]["children"] == "Bạn không có quyền xem lĩnh vực này"
    granted = _sector_grid(analyst, "MT").get_json()["response"]["sector-grid-table"]["rowData"]
    assert granted and all(row["code"].startswith("MT_") for row in granted)
    assert _sector_grid(leader, "GT").get_json()["response"]["sector-grid-table"]["rowData"]  # a leader reads all


def test_analyst_catalog_search_finds_only_granted_sectors(analyst, leader):
    def codes(client) -> set[str]:
        answer = _run(client, [("catalog-grid", "rowData"), ("catalog-count", "children")],
                      [("catalog-query", "value", "chi tieu")]).get_json()["response"]
        return {row["code"] for row in answer["catalog-grid"]["rowData"]}

    mine = codes(analyst)
    assert mine and {c.split("_")[0] for c in mine} <= set(GRANTED)
    assert len(codes(leader)) > len(mine)


def test_analyst_tiles_alerts_and_map_choices_hold_only_granted_sectors(analyst, foreign):
    tiles = _text(_run(analyst, [("kpi-tiles", "children")], [("tick", "n_intervals", 0)]))
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in tiles and not _leaks(tiles, foreign)
    alerts = _text(_run(analyst, [("alert-list", "children"), ("alert-count", "children")],
                        [("tick", "n_intervals", 0), ("alert-ack-status", "children", None)]))
    assert "Tỷ lệ hồ sơ nộp trực tuyến dưới ngưỡng" in alerts
    assert "tai nạn giao thông" not in alerts and "sốt xuất huyết" not in alerts
    assert '"alert-ack"' not in alerts  # an analyst gets no acknowledge button
    choices = _run(analyst, [("map-indicator", "options"), ("map-indicator", "value")],
                   [("tick", "n_intervals", 0)], [("map-indicator", "value", "GT_ACCIDENT")]).get_json()["response"]
    values = {o["value"] for o in choices["map-indicator"]["options"]}
    assert values and {v.split("_")[0] for v in values} <= set(GRANTED)
    assert choices["map-indicator"]["value"] != "GT_ACCIDENT"
    page = _text(_run(analyst, [("_pages_content", "children"), ("_pages_store", "data")],
                      [("_pages_location", "pathname", "/ban-do"), ("_pages_location", "search", "")]))
    assert not _leaks(page, foreign)  # the map page's choropleth picker


def test_analyst_indicator_page_of_a_sector_not_granted(analyst, foreign):
    state = {"code": "GT_ACCIDENT", "area": "74", "range": "30d", "compare": []}
    head = _text(_run(analyst, [("ind-head", "children")], [("ind-state", "data", state), ("tick", "n_intervals", 0)]))
    assert "Bạn không có quyền xem chỉ số này" in head and "You may not view this indicator" in head
    assert not _leaks(head, foreign)
    series = _run(analyst, [("ind-series", "figure")],
                  [("ind-state", "data", state), ("ind-area", "value", "74"), ("ind-range", "value", "30d"),
                   ("ind-dates", "start_date", None), ("ind-dates", "end_date", None), ("ind-compare", "value", [])])
    figure = series.get_json()["response"]["ind-series"]["figure"]
    assert not any(trace.get("y") for trace in figure.get("data", []))
    assert not _leaks(_text(series), foreign)


def _export(client, code: str):
    return _run(client, [("ind-download", "data")],
                [("ind-export-csv", "n_clicks", 1), ("ind-export-xlsx", "n_clicks", 0)],
                [("ind-state", "data", {"code": code}), ("ind-area", "value", "74"), ("ind-range", "value", "30d"),
                 ("ind-dates", "start_date", None), ("ind-dates", "end_date", None), ("ind-compare", "value", [])],
                changed=["ind-export-csv.n_clicks"])


def test_exports_are_scoped_audited_and_refused_to_the_wall(analyst, wall, database):
    refused = _export(analyst, "GT_ACCIDENT")  # another sector: no file (no_update)
    assert refused.status_code == 204 or "ind-download" not in (refused.get_json() or {}).get("response", {}), \
        refused.get_data(as_text=True)[:300]
    answer = _export(analyst, "TTHC_ONTIME")
    assert answer.status_code == 200
    assert answer.get_json()["response"]["ind-download"]["data"]["filename"] == "TTHC_ONTIME_74_30d.csv"
    with database.connection() as conn:
        entries = [e for e in audit.recent(conn, action="export", limit=20) if e["actor"] == "phan-tich-3-linh-vuc"]
    assert entries and entries[0]["target"] == "indicator:TTHC_ONTIME" and entries[0]["details"]["format"] == "csv"
    assert _export(wall, "TTHC_ONTIME").status_code == 403


def test_leader_acknowledges_an_alert_and_analyst_cannot(analyst, leader, database):
    with database.connection() as conn:
        key = SeriesKey.for_indicator("MT_AQI", "74")
        series = resolve_series(conn, [key])[key]
        alert_id = open_or_update(conn, AlertDraft(rule="security_test", severity="warning", series_id=series,
                                                   message_vi="AQI kiểm thử", message_en="AQI test")).alert.id

    def click(client, note: str | None = None):
        return _run(client, [("alert-ack-status", "children")],
                    [[{"id": {"type": "alert-ack", "id": alert_id}, "property": "n_clicks", "value": 1}]],
                    [("alert-ack-note", "value", note)],
                    changed=[json.dumps({"id": alert_id, "type": "alert-ack"}, separators=(",", ":")) + ".n_clicks"])

    try:
        refused = click(analyst)
        assert "Bạn không có quyền xác nhận cảnh báo" in _text(refused)
        with database.connection() as conn:
            assert get_alert(conn, alert_id).state == "open"
        done = click(leader, "đã cử tổ xử lý")
        assert "Đã xác nhận: lanh-dao-an-ninh" in _text(done)
        with database.connection() as conn:
            alert = get_alert(conn, alert_id)
            assert alert.state == "acknowledged" and alert.acked_by == "lanh-dao-an-ninh"
            assert alert.ack_note == "đã cử tổ xử lý"
            acks = audit.recent(conn, action="alert_ack", limit=5)
        assert acks[0]["actor"] == "lanh-dao-an-ninh" and acks[0]["target"] == f"alert:{alert_id}"
    finally:
        with database.connection() as conn:
            resolve(conn, alert_id, by="test")


def test_analyst_map_callbacks_with_a_foreign_indicator_show_nothing_of_it(app_module, analyst, foreign):
    """Every map callback, asked for another sector's indicator with every layer on."""
    chosen = {"iocmap-indicator": "GT_ACCIDENT",
              "iocmap-layers": ["boundaries", "labels", "choropleth", "addresses", "devices", "alerts"]}
    called = 0
    for key, body in _callback_bodies(app_module):
        deps = [d for d in body["inputs"] + body["state"] if isinstance(d, dict)]
        if not any(isinstance(d["id"], dict) and d["id"].get("type") == "iocmap-indicator" for d in deps):
            continue
        for dep in deps:
            if isinstance(dep["id"], dict) and dep["id"].get("type") in chosen:
                dep["value"] = chosen[dep["id"]["type"]]
        answer = _call(analyst, body)
        assert answer.status_code == 200, f"{key}: {answer.status_code}"
        assert not _leaks(_text(answer), foreign), f"map callback {key} shows another sector's indicator"
        called += 1
    assert called >= 3
