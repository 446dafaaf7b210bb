"""Resolve the servers a command needs: configured ones, or embedded defaults.

``IOC_DATABASE_URL`` empty → an embedded PostgreSQL with its data in
``<data_dir>/pgdata`` (shared by every ioc command on this machine, so
``ioc catalog load`` in a second terminal reaches the database ``ioc up`` runs).
``IOC_MQTT_URL`` empty → an in-process MQTT broker for this process.
"""

from __future__ import annotations

import logging
import secrets
from contextlib import ExitStack
from pathlib import Path

from ioc.config import Settings
from ioc.embedded import EmbeddedBroker, EmbeddedPostgres, free_port

__all__ = ["Runtime", "secret_key"]

logger = logging.getLogger(__name__)

EMBEDDED_BROKER_PORT = 18830


def secret_key(settings: Settings) -> str:
    """The Flask secret: from settings, else generated once and kept in data_dir."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


class Runtime:
    """Starts embedded services when settings leave them empty; stops them on exit.

    ``with Runtime(settings, broker=True) as resolved:`` yields a copy of the
    settings whose URLs point at real servers.
    """

    def __init__(self, settings: Settings, *, database: bool = True, broker: bool = False) -> None:
        self.settings = settings
        self.want_database = database
        self.want_broker = broker
        self._stack = ExitStack()
        self.embedded_postgres: EmbeddedPostgres | None = None
        self.embedded_broker: EmbeddedBroker | None = None

    def __enter__(self) -> Settings:
        updates: dict[str, object] = {}
        try:
            if self.want_database and not self.settings.database_url:
                self.embedded_postgres = EmbeddedPostgres(Path(self.settings.data_dir) / "pgdata")
                updates["database_url"] = self.embedded_postgres.start()
                self._stack.callback(self.embedded_postgres.stop)
            if self.want_broker and not self.settings.mqtt_url:
                port = EMBEDDED_BROKER_PORT if _port_free(EMBEDDED_BROKER_PORT) else free_port()
                self.embedded_broker = EmbeddedBroker(port=port)
                updates["mqtt_url"] = self.embedded_broker.start()
                self._stack.callback(self.embedded_broker.stop)
        except BaseException:
            self._stack.close()
            raise
        return self.settings.model_copy(update=updates)

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
