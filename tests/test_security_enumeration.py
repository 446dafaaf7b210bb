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
from ioc.auth.web import _SHELL_CALLBACK_IDS, PUBLIC_PREFIXES
from ioc.storage import audit
from ioc.storage.alerts import AlertDraft, get_alert, open_or_update, resolve
from ioc.storage.series import resolve_series
from ioc.model import SeriesKey
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
    return bool(ids) and all(i.startswith("wall") or i in _SHELL_CALLBACK_IDS for i in ids)


def test_enumeration_covers_the_app(app_module):
    keys = {key for key, _ in _callback_bodies(app_module)}
    routes = {url for _, url in _routes(app_module)}
    assert len(keys) >= 25, sorted(keys)
    assert {"kpi-tiles.children", "catalog-grid.rowData...catalog-count.children"} & keys or \
        any(k.startswith("..catalog-grid.rowData") for k in keys)
    assert {"/login", "/logout", "/healthz", "/_dash-update-component", "/_dash-layout"} <= routes


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
