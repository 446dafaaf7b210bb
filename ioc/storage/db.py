"""Connection pool to the operations center's PostgreSQL / TimescaleDB.

One :class:`Database` per process wraps a psycopg_pool. Query modules take a
``Database`` (or a connection) as their first argument; nothing outside
``ioc.storage`` opens connections.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ioc.errors import DatabaseUnavailable

__all__ = ["Database", "get_database", "set_database", "close_database"]

logger = logging.getLogger(__name__)


class Database:
    """A pooled PostgreSQL database, with the features detected on first use."""

    def __init__(self, url: str, *, max_size: int = 10, timeout: float = 10.0, name: str = "ioc") -> None:
        self.url = url
        self.timeout = timeout
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            timeout=timeout,
            open=False,
            name=name,
            check=ConnectionPool.check_connection,
            reconnect_timeout=0,  # keep trying: an outage is survived, not fatal
        )
        self._timescale: bool | None = None

    def open(self, *, wait: bool = True) -> "Database":
        """Open the pool; with ``wait`` raise :class:`DatabaseUnavailable` if no connection comes."""
        self._pool.open(wait=False)
        if wait:
            try:
                self._pool.wait(timeout=self.timeout)
            except PoolTimeout:
                raise DatabaseUnavailable(
                    f"couldn't connect to the database {self.safe_url} after {self.timeout:.0f} s; "
                    "check IOC_DATABASE_URL and that PostgreSQL is running"
                ) from None
        return self

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.close()

    def __enter__(self) -> "Database":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def safe_url(self) -> str:
        """The URL without its password, for logs and messages."""
        info = psycopg.conninfo.conninfo_to_dict(self.url)
        host = info.get("host", "localhost")
        return f"postgresql://{info.get('user', '')}@{host}:{info.get('port', 5432)}/{info.get('dbname', '')}"

    @contextmanager
    def connection(self, *, timeout: float | None = None) -> Iterator[psycopg.Connection]:
        """A pooled connection in a transaction committed on success, rolled back on error."""
        try:
            with self._pool.connection(timeout=timeout) as conn:
                yield conn
        except PoolTimeout:
            raise DatabaseUnavailable(
                f"no database connection available from {self.safe_url} "
                f"after {timeout or self.timeout:.1f} s"
            ) from None
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"database {self.safe_url} unavailable: {exc}") from exc

    @property
    def has_timescale(self) -> bool:
        """Whether the TimescaleDB extension is installed in this database."""
        if self._timescale is None:
            with self.connection() as conn:
                row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
            self._timescale = row is not None
        return self._timescale


_lock = threading.Lock()
_current: Database | None = None


def set_database(db: Database | None) -> Database | None:
    """Make ``db`` this process's database (CLI, app factory, tests); return the previous one."""
    global _current
    with _lock:
        previous, _current = _current, db
    return previous


def get_database() -> Database:
    """This process's database, opened from settings on first use."""
    global _current
    with _lock:
        if _current is None:
            from ioc.config import load_settings

            settings = load_settings()
            if not settings.database_url:
                raise DatabaseUnavailable(
                    "IOC_DATABASE_URL is not set; start with `ioc up` (embedded PostgreSQL) "
                    "or set IOC_DATABASE_URL=postgresql://..."
                )
            _current = Database(settings.database_url, max_size=settings.db_pool_max).open(wait=False)
        return _current


def close_database() -> None:
    """Close and forget this process's database."""
    global _current
    with _lock:
        if _current is not None:
            _current.close()
        _current = None
