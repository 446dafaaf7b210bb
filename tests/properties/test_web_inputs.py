"""Property tests of what a browser can send: indicator URL parameters and the login form.

Any query string on ``/indicator/<code>`` renders a page (never an HTTP 500),
any dates given to the series callback are handled, and any login form post
answers with a redirect or a refusal (400 / 401 / 429) — never a 500 — and a
refused login is recorded in the audit log.
"""

from __future__ import annotations

import json
import os
import re
import sys
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import flask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ioc.auth import accounts
from ioc.storage.db import get_database
from ioc.auth.web import install_security
from ioc.config import load_settings
from ioc.storage import audit
from ioc.storage.db import set_database

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Examples that render pages or query the database cost ~0.3-0.7 s each on the shared build machine.
APP_SETTINGS = settings(SETTINGS, max_examples=40)
PASSWORD = "Mat-khau-thu-nghiem-2026"

texts = st.text(max_size=40)
dates = st.one_of(
    st.dates(min_value=datetime(1990, 1, 1).date(), max_value=datetime(2100, 1, 1).date()).map(lambda d: d.isoformat()),
    st.sampled_from(["", "2026-13-01", "31/12/2026", "2026-02-30", "abc", "2026-01-01T00:00:00+07:00", "0000-00-00"]),
    texts,
)
queries = st.dictionaries(
    st.sampled_from(["area", "range", "from", "to", "compare", "lang", "x"]) | st.text(min_size=1, max_size=8),
    st.one_of(st.sampled_from(["30d", "7d", "1y", "custom", "all", "724", "74,724", ",,,"]), dates, texts),
    max_size=6,
)
codes = st.sampled_from(["TEST.PM25", "NOPE", "a b", "%00", "..", "x" * 300]) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"), min_size=1, max_size=20)


@pytest.fixture(scope="module")
def dash_app(db, tmp_path_factory):
    """The Dash app on this run's database (a private filesystem cache when it is first imported here)."""
    if "app" not in sys.modules:
        os.environ["IOC_DATABASE_URL"] = db.url
        os.environ["IOC_DATA_DIR"] = str(tmp_path_factory.mktemp("dash-data"))
        os.environ.pop("IOC_REDIS_URL", None)
    import app as app_module

    return app_module


def _client(dash_app, db):
    """A test client, logged in when the app has the security layer."""
    client = dash_app.server.test_client()
    page = client.get("/login")
    match = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    if match:
        user = f"prop-{uuid.uuid4().hex[:6]}"
        # The user goes where the app looks: the process database (another test module may
        # have imported the app with its own database first).
        accounts.create_user(get_database(), user, PASSWORD, role="admin")
        client.post("/login", data={"csrf": match.group(1), "username": user, "password": PASSWORD, "next": "/"},
                    headers={"Origin": "http://localhost"})
    return client


def _post(client, body: dict):
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", "Origin": "http://localhost"})


@APP_SETTINGS
@given(code=codes, query=queries)
def test_any_indicator_url_renders_a_page(dash_app, db, code, query):
    from urllib.parse import quote

    client = _client(dash_app, db)
    pathname = f"/indicator/{quote(code, safe='')}"
    search = "?" + urlencode(query) if query else ""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    reply = _post(client, body)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
    content = json.dumps(reply.get_json())
    assert "ind-state" in content, "the indicator page itself, not an error page"


@pytest.fixture
def indicator_db(empty_db):
    """A fresh database with one indicator (a code of this test only: cache keys are new) and its areas."""
    from tests.collectors.pull._support import seed_reference_data

    code = f"PROP.{uuid.uuid4().hex[:6].upper()}"
    seed_reference_data(empty_db, [(code, "Bụi PM2.5", "PM2.5", "µg/m³", "hourly", "lower_better")])
    previous = set_database(empty_db)
    yield empty_db, code
    set_database(previous)


@APP_SETTINGS
@given(known=st.booleans(), start=dates | st.none(), end=dates | st.none(),
       range_key=st.sampled_from(["custom", "24h", "7d", "30d", "1y"]), area=st.sampled_from(["724", "", "zz"]),
       compare=st.lists(texts, max_size=3))
def test_series_callback_handles_any_dates(dash_app, indicator_db, known, start, end, range_key, area, compare):
    """Dates come from the URL (``from`` / ``to``) through the date picker into this callback."""
    db, code = indicator_db
    code = code if known else "NOPE"
    client = _client(dash_app, db)
    inputs = [{"id": "ind-state", "property": "data", "value": {"code": code, "area": area, "range": range_key}},
              {"id": "ind-area", "property": "value", "value": area},
              {"id": "ind-range", "property": "value", "value": range_key},
              {"id": "ind-dates", "property": "start_date", "value": start},
              {"id": "ind-dates", "property": "end_date", "value": end},
              {"id": "ind-compare", "property": "value", "value": compare}]
    body = {"output": "ind-series.figure", "outputs": {"id": "ind-series", "property": "figure"},
            "inputs": inputs, "changedPropIds": ["ind-dates.start_date"], "state": []}
    reply = _post(client, body)
    assert reply.status_code in (200, 204), reply.get_data(as_text=True)[:300]


def test_nul_in_compare_areas_is_dropped(dash_app, indicator_db):
    """Found by the property above (since fixed): ``?compare=7%0025`` reached PostgreSQL (DataError → 500)."""
    db, code = indicator_db
    client = _client(dash_app, db)
    inputs = [{"id": "ind-state", "property": "data", "value": {"code": code, "area": "724", "range": "30d"}},
              {"id": "ind-area", "property": "value", "value": "724"},
              {"id": "ind-range", "property": "value", "value": "30d"},
              {"id": "ind-dates", "property": "start_date", "value": None},
              {"id": "ind-dates", "property": "end_date", "value": None},
              {"id": "ind-compare", "property": "value", "value": ["7\x0025"]}]
    body = {"output": "ind-series.figure", "outputs": {"id": "ind-series", "property": "figure"},
            "inputs": inputs, "changedPropIds": ["ind-compare.value"], "state": []}
    reply = _post(client, body)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]


def test_custom_dates_from_the_url_are_checked():
    """Found by the property above (since fixed): ``?range=custom&from=2026-13-01`` raised ValueError → 500."""
    from layouts.callbacks.indicator import custom_bounds

    for start, end in (("2026-13-01", "2026-12-31"), ("abc", "2026-01-31"), ("2026-01-01", "31/01/2026")):
        assert custom_bounds(start, end) is None


# -- login form -----------------------------------------------------------------------------------------

@pytest.fixture
def secured(empty_db, tmp_path):
    """A Flask server with the security layer and one user, on a fresh database."""
    previous = set_database(empty_db)
    app = flask.Flask("prop-login")
    install_security(app, load_settings(database_url="postgresql://unused", data_dir=tmp_path))
    accounts.create_user(empty_db, "leader1", PASSWORD, role="leader")
    yield app
    set_database(previous)


form_text = st.text(max_size=60) | st.sampled_from(["leader1", "", " leader1 ", "\x00", "' OR 1=1 --", "a" * 5000])


@SETTINGS
@given(username=form_text, password=form_text | st.just(PASSWORD), next_path=form_text | st.sampled_from(
    ["/", "//evil.example", "https://evil.example/", "/\\evil", "/indicator/X?range=custom"]),
       valid_csrf=st.booleans(), extra=st.dictionaries(st.text(min_size=1, max_size=8), form_text, max_size=3),
       ip=st.ip_addresses(v=4).map(str))
def test_login_form_never_answers_500(secured, empty_db, username, password, next_path, valid_csrf, extra, ip):
    client = secured.test_client()
    client.environ_base["REMOTE_ADDR"] = ip  # each example its own address: the throttle stays out of the way
    page = client.get("/login?" + urlencode({"next": next_path}))
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    form = {**extra, "username": username, "password": password, "next": next_path,
            "csrf": csrf if valid_csrf else "x" + csrf[1:]}
    since = datetime.now(timezone.utc) - timedelta(seconds=5)
    reply = client.post("/login", data=form, headers={"Origin": "http://localhost"})
    assert reply.status_code in (302, 400, 401, 429), reply.get_data(as_text=True)[:300]
    if reply.status_code == 302:
        target = reply.headers["Location"]
        assert target.startswith("/") and not target.startswith("//") and "\\" not in target, target
    if reply.status_code == 401:
        with empty_db.connection() as conn:
            assert audit.failed_logins_since(conn, since, ip=None, username=username.strip().replace("\x00", "\ufffd")) >= 1, \
                "a refused login is recorded in the audit log"


def test_login_with_a_nul_byte_is_refused(secured):
    """What the property above found: a NUL in the user name reached PostgreSQL and answered 500."""
    client = secured.test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    reply = client.post("/login", data={"username": "lea\x00der1", "password": PASSWORD, "csrf": csrf, "next": "/"},
                        headers={"Origin": "http://localhost"})
    assert reply.status_code == 401  # a NUL never reaches PostgreSQL: bad credentials, not a 500
