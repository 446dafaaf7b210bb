"""The cache warmer fills what a leader opens first, renews it with the database's values, and takes turns.

Runs the real app on the seeded dashboard database; the app's own timer stays idle under
``TESTING`` (set by the ``dash_app`` fixture), so each pass here is called explicitly.
"""

from __future__ import annotations

import json

import pytest

from ioc.cache import cache
from ioc.formatting import format_number
from ioc.storage import kpis
from layouts import data
from layouts.callbacks import indicator, overview
from layouts.warm import CacheWarmer, install_cache_warmer, warm_views

LANG, THEME = "vi", "dark"


@pytest.fixture()
def server(dash_app):
    cache.clear()
    yield dash_app.server
    cache.clear()


@pytest.fixture()
def client(server, auth_cookie):
    signed_in = server.test_client()
    signed_in.set_cookie(auth_cookie["name"], auth_cookie["value"])
    return signed_in


def _key(view, *args) -> str:
    return view.make_cache_key(view.uncached, *args)


def _tiles(client) -> list:
    body = {"output": "kpi-tiles.children", "outputs": {"id": "kpi-tiles", "property": "children"},
            "inputs": [{"id": "tick", "property": "n_intervals", "value": 0}], "state": [],
            "changedPropIds": ["tick.n_intervals"]}
    answer = client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()["response"]["kpi-tiles"]["children"]


def test_a_pass_builds_the_overview_and_the_headline_pages(server):
    views = warm_views(server, lang=LANG, theme=THEME)
    with server.test_request_context("/"):
        headline = data.headline(None)
        root = data.root_area()
    assert headline and root is not None and views == 4 + 3 * len(headline)
    tiles = cache.get(_key(overview.tiles_view, LANG, THEME, None))
    assert tiles and all(tile["props"]["href"].startswith("/indicator/") for tile in tiles)
    assert cache.get(_key(overview.sectors_view, LANG, None))
    options, default = cache.get(_key(overview.map_options_view, LANG, None))
    assert default in {option["value"] for option in options}
    with server.test_request_context("/"):
        assert len(options) == len(data.map_indicators(1, None))
    for item in headline:
        assert cache.get(_key(indicator.head_view, item.code, LANG, None))
        series = cache.get(_key(indicator.series_view, item.code, root.code, "30d", None, None, (), LANG, THEME, None))
        assert series["data"], f"no series built for {item.code}"


def test_a_leader_is_served_the_warmed_tiles_and_a_pass_renews_them(server, client, dash_db):
    database, _ = dash_db
    warm_views(server, lang=LANG, theme=THEME)
    key = _key(overview.tiles_view, LANG, THEME, None)
    warmed = cache.get(key)
    with server.test_request_context("/"):
        item = data.headline(None)[0]
    new_value = 4321.5
    shown = format_number(new_value, LANG, decimals=item.decimals)
    with database.connection() as conn:
        old_value = conn.execute("SELECT value FROM latest_value WHERE series_id = %s", (item.series_id,)).fetchone()[0]
        conn.execute("UPDATE latest_value SET value = %s WHERE series_id = %s", (new_value, item.series_id))
    try:
        # The callback reads the entry the warmer filled (same key): the database change is not seen yet.
        assert _tiles(client) == warmed
        warm_views(server, lang=LANG, theme=THEME)
        renewed = cache.get(key)
        assert shown in json.dumps(renewed, ensure_ascii=False) and shown not in json.dumps(warmed, ensure_ascii=False)
        assert _tiles(client) == renewed
    finally:
        with database.connection() as conn:
            conn.execute("UPDATE latest_value SET value = %s WHERE series_id = %s", (old_value, item.series_id))


def _map_picker(client, chosen) -> dict:
    body = {"output": "..map-indicator.options...map-indicator.value..",
            "outputs": [{"id": "map-indicator", "property": "options"}, {"id": "map-indicator", "property": "value"}],
            "inputs": [{"id": "tick", "property": "n_intervals", "value": 0}],
            "state": [{"id": "map-indicator", "property": "value", "value": chosen}],
            "changedPropIds": ["tick.n_intervals"]}
    answer = client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()["response"]["map-indicator"]


def test_the_map_picker_is_served_warmed_and_keeps_the_viewers_choice(server, client):
    warm_views(server, lang=LANG, theme=THEME)
    warmed_options, default = cache.get(_key(overview.map_options_view, LANG, None))
    first = _map_picker(client, None)
    assert first["options"] == warmed_options and first["value"] == default
    other = next(option["value"] for option in warmed_options if option["value"] != default)
    assert _map_picker(client, other)["value"] == other
    assert _map_picker(client, "NO.SUCH.INDICATOR")["value"] == default


def test_seeded_sector_statuses_are_those_of_the_query(server, dash_db):
    database, _ = dash_db
    with server.test_request_context("/"):
        assert data.seed_sector_statuses(None) > 0
        names = data.sector_names()
    for code in names:
        cached = cache.get(_key(data.sector_statuses, code, None))
        with database.connection() as conn:
            fresh = kpis.indicator_statuses(conn, sector_code=code)
        assert cached is not None, code
        assert [(i.code, i.value, i.status) for i in cached] == [(i.code, i.value, i.status) for i in fresh]


def test_one_process_warms_per_period_and_none_under_testing(server):
    first = CacheWarmer(server, every=30, lang=LANG, theme=THEME)
    second = CacheWarmer(server, every=30, lang=LANG, theme=THEME)
    assert first.tick() is False and cache.get(_key(overview.tiles_view, LANG, THEME, None)) is None  # TESTING
    server.config["TESTING"] = False
    try:
        assert first.tick() is True  # takes the period's lock and warms
        assert second.tick() is False  # another worker, same period: leaves it
    finally:
        server.config["TESTING"] = True
    assert cache.get(_key(overview.tiles_view, LANG, THEME, None))


def test_no_warmer_when_switched_off(server):
    assert install_cache_warmer(server, every=0, lang=LANG, theme=THEME) is None
