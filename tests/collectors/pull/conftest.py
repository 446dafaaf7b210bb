"""Fixtures of the pull-source tests: a small catalog in a fresh database and a real local HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ioc.storage.db import Database
from tests.collectors.pull._support import LocalServer, seed_reference_data


@pytest.fixture
def pull_db(empty_db: Database) -> Database:
    """A fresh migrated database holding the fixture catalog."""
    seed_reference_data(empty_db)
    return empty_db


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A local HTTP server running in a thread for the test."""
    server = LocalServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
