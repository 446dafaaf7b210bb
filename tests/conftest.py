"""Fixtures that attach to real servers, never mocks.

PostgreSQL, MQTT and Redis come from, in order: ``IOC_TEST_PG_URL`` /
``IOC_TEST_MQTT_URL`` / ``IOC_TEST_REDIS_URL``; the machine's own servers on
their standard loopback ports; else an embedded PostgreSQL (pip wheel) and an
in-process MQTT broker. Each test run gets its own databases and MQTT topic
prefix, and removes them at the end.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from ioc.config import Settings, load_settings
from ioc.embedded import EmbeddedBroker, EmbeddedPostgres
from ioc.storage.db import Database, close_database, set_database
from ioc.storage.migrate import upgrade

RUN_ID = uuid.uuid4().hex[:8]
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _admin_url(url: str, dbname: str) -> str:
    """The same server URL with another database name (URLs, as IOC_DATABASE_URL wants)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a maintenance database on a real PostgreSQL server."""
    if url := os.environ.get("IOC_TEST_PG_URL"):
        yield url
    elif _listening("127.0.0.1", 5432):
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
    else:
        server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"), database="postgres")
        url = server.start()
        yield url
        server.stop()


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """Create database ``name`` on the server and return its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    return _admin_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    """Drop database ``name``, disconnecting whoever is still on it."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def template_database(pg_server_url: str) -> Iterator[str]:
    """Name of a migrated, empty database that per-test databases are cloned from."""
    name = f"ioc_test_{RUN_ID}_template"
    url = create_database(pg_server_url, name)
    with Database(url, max_size=1) as db:
        upgrade(db)
    yield name
    drop_database(pg_server_url, name)


@pytest.fixture(scope="session")
def database_url(pg_server_url: str, template_database: str) -> Iterator[str]:
    """URL of this run's shared, migrated database."""
    name = f"ioc_test_{RUN_ID}"
    url = create_database(pg_server_url, name, template=template_database)
    yield url
    close_database()
    drop_database(pg_server_url, name)


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    """This run's shared database, also set as the process database."""
    database = Database(database_url, max_size=8).open()
    previous = set_database(database)
    yield database
    set_database(previous)
    database.close()


@pytest.fixture
def empty_db(pg_server_url: str, template_database: str) -> Iterator[Database]:
    """A brand-new migrated database for one test, dropped afterwards."""
    name = f"ioc_test_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    url = create_database(pg_server_url, name, template=template_database)
    database = Database(url, max_size=4).open()
    yield database
    database.close()
    drop_database(pg_server_url, name)


@pytest.fixture(scope="session")
def mqtt_url() -> Iterator[str]:
    """URL of a real MQTT broker."""
    if url := os.environ.get("IOC_TEST_MQTT_URL"):
        yield url
    elif _listening("127.0.0.1", 1883):
        yield "mqtt://127.0.0.1:1883"
    else:
        broker = EmbeddedBroker()
        yield broker.start()
        broker.stop()


@pytest.fixture(scope="session")
def topic_prefix() -> str:
    """This run's MQTT topic prefix, so parallel runs never see each other's messages."""
    return f"ioc-test-{RUN_ID}/ioc/v1"


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    """URL of a real Redis (a numbered database), or None when none runs here."""
    if url := os.environ.get("IOC_TEST_REDIS_URL"):
        return url
    return "redis://127.0.0.1:6379/15" if _listening("127.0.0.1", 6379) else None


@pytest.fixture
def settings(database_url: str, mqtt_url: str, topic_prefix: str, redis_url: str | None, tmp_path: Path) -> Settings:
    """Settings pointing at this run's database, broker and topic prefix."""
    return load_settings(
        database_url=database_url,
        mqtt_url=mqtt_url,
        mqtt_topic_prefix=topic_prefix,
        mqtt_client_id=f"ioc-test-{RUN_ID}-{uuid.uuid4().hex[:4]}",
        redis_url=redis_url,
        data_dir=tmp_path / "data",
        simulate=False,
    )


@pytest.fixture(scope="session")
def geo_fixture_dir() -> Path:
    """The real Bình Dương district boundaries in ../shared/data/geo (test data only)."""
    path = SHARED_DIR / "data" / "geo"
    if not (path / "binhduong_districts.geojson").exists():
        pytest.fail(f"test data missing: {path}/binhduong_districts.geojson (shared/ must sit beside the repo)")
    return path
