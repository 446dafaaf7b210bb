"""A seeded dashboard database (own database per run) and a live Dash server on a free port."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ioc.storage.db import Database, set_database
from tests.conftest import RUN_ID, create_database, drop_database
from tests.layouts.fixtures_data import Seeded, seed_dashboard


@pytest.fixture(scope="session")
def dash_db(pg_server_url: str, template_database: str, geo_fixture_dir: Path) -> Iterator[tuple[Database, Seeded]]:
    """A fresh migrated database holding the dashboard test data set, set as the process database."""
    name = f"ioc_test_{RUN_ID}_dash_{uuid.uuid4().hex[:4]}"
    url = create_database(pg_server_url, name, template=template_database)
    database = Database(url, max_size=8).open()
    seeded = seed_dashboard(database, geo_dir=geo_fixture_dir)
    set_database(database)
    yield database, seeded
    set_database(None)
    database.close()
    drop_database(pg_server_url, name)


@pytest.fixture(scope="session")
def dash_app(dash_db, tmp_path_factory: pytest.TempPathFactory):
    """The Dash app module, configured for the test database with a private filesystem cache."""
    database, _ = dash_db
    os.environ["IOC_DATABASE_URL"] = database.url
    os.environ["IOC_DATA_DIR"] = str(tmp_path_factory.mktemp("dash-data"))
    os.environ.pop("IOC_REDIS_URL", None)
    import app as app_module

    app_module.app.server.config["TESTING"] = True
    from ioc.cache import cache

    cache.clear()
    return app_module


@pytest.fixture(scope="session")
def dash_url(dash_app) -> Iterator[str]:
    """Base URL of the app served by werkzeug in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, dash_app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dash-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


TEST_USER = ("lanh-dao-kiem-thu", "mat-khau-kiem-thu-2026")


@pytest.fixture(scope="session")
def auth_cookie(dash_app, dash_db) -> dict:
    """The session cookie of a signed-in leader: every page and callback needs one."""
    from ioc.auth import accounts
    from tests.layouts.browser_helpers import login_cookie

    database, _ = dash_db
    with database.connection() as conn:
        exists = conn.execute("SELECT 1 FROM app_user WHERE username = %s", (TEST_USER[0],)).fetchone()
    if not exists:
        accounts.create_user(database, TEST_USER[0], TEST_USER[1], role="leader")
    return login_cookie(dash_app.server, *TEST_USER)
