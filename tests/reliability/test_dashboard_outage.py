"""The dashboard keeps serving while PostgreSQL is down, says "data unavailable", and recovers by itself.

gunicorn serves ``app:server`` against a private embedded PostgreSQL that the
test stops and starts again; the dashboard process is never restarted.
"""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from ioc.auth.accounts import create_user
from ioc.embedded import EmbeddedPostgres
from ioc.storage.db import Database
from ioc.storage.migrate import upgrade
from layouts.components.unavailable import NOTICE

from tests.reliability._servers import Gunicorn, login, tail, wait_for

pytestmark = pytest.mark.slow

PASSWORD = "Mat-khau-thu-nghiem-2026"


def _callback(session: requests.Session, base: str, output: str, outputs: list[dict], inputs: list[dict]) -> requests.Response:
    """POST one Dash callback the way the browser does."""
    body = {"output": output, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs], "state": []}
    return session.post(f"{base}/_dash-update-component", data=json.dumps(body), timeout=60,
                        headers={"Content-Type": "application/json", "Origin": base})


def _text(reply: requests.Response) -> str:
    """The reply as text with its JSON unicode escapes decoded."""
    try:
        return json.dumps(reply.json(), ensure_ascii=False)
    except ValueError:
        return reply.text


def _sectors(session: requests.Session, base: str) -> requests.Response:
    outputs = [{"id": "sector-grid", "property": "children"}, {"id": "sector-legend", "property": "children"}]
    return _callback(session, base, "..sector-grid.children...sector-legend.children..", outputs,
                     [{"id": "tick", "property": "n_intervals", "value": 1}])


def _alerts(session: requests.Session, base: str) -> requests.Response:
    outputs = [{"id": "alert-list", "property": "children"}, {"id": "alert-count", "property": "children"}]
    return _callback(session, base, "..alert-list.children...alert-count.children..", outputs,
                     [{"id": "tick", "property": "n_intervals", "value": 2},
                      {"id": "alert-ack-status", "property": "children", "value": None}])


def _map(session: requests.Session, base: str) -> requests.Response:
    return _callback(session, base, "overview-map.figure", [{"id": "overview-map", "property": "figure"}],
                     [{"id": "map-indicator", "property": "value", "value": None}])


def test_dashboard_survives_database_outage(tmp_path):
    pg = EmbeddedPostgres(tmp_path / "pg", database="ioc")
    url = pg.start()
    with Database(url, max_size=1) as db:
        upgrade(db)
        user = f"ops-{uuid.uuid4().hex[:6]}"
        create_user(db, user, PASSWORD, role="admin")
    env = {"IOC_DATABASE_URL": url, "IOC_DATA_DIR": str(tmp_path / "data"), "IOC_REDIS_URL": "",
           "IOC_SECRET_KEY": uuid.uuid4().hex, "IOC_LOG_LEVEL": "INFO",
           "IOC_CACHE_WARM_SECONDS": "0"}  # nothing cached before the outage but what the test asked for
    web = Gunicorn(env, tmp_path / "gunicorn.log", workers=1)
    session = requests.Session()
    try:
        web.start()
        secured = login(session, web.url, user, PASSWORD)
        before = _sectors(session, web.url)
        assert before.status_code == 200, tail(web.log)
        assert NOTICE["en"] not in before.text

        pg.stop()
        page = session.get(f"{web.url}/", timeout=60)
        during = [_alerts(session, web.url), _map(session, web.url)]
        for reply in during:
            assert reply.status_code in ((200, 503) if secured else (200,)), reply.text[:300]
            text = _text(reply)
            assert NOTICE["en"] in text and NOTICE["vi"] in text
            assert "Traceback" not in text and "psycopg" not in text
        if not secured:
            assert page.status_code == 200  # the shell itself needs no database
            alerts = during[0].json()["response"]
            assert "data-unavailable" in json.dumps(alerts["alert-list"])
            figure = during[1].json()["response"]["overview-map"]["figure"]
            assert figure["layout"]["annotations"][0]["text"].startswith(NOTICE["vi"])
        assert web.proc.poll() is None, "the dashboard must not die with the database"

        pg.start()  # the same gunicorn process, never restarted
        wait_for(lambda: _alerts(session, web.url).status_code == 200
                 and NOTICE["en"] not in _alerts(session, web.url).text, 60,
                 f"dashboard recovered\n{tail(web.log)}", interval=1.0)
        after = _map(session, web.url)
        assert after.status_code == 200 and NOTICE["en"] not in after.text
        assert "Traceback" not in tail(web.log, 200)
    finally:
        web.stop()
        pg.stop()
