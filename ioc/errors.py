"""The one exception hierarchy of ioc.

Every error a user or operator can meet derives from :class:`IocError`. Messages
name the offending thing (file, row, topic, field, setting) and say what to do.
"""

from __future__ import annotations

__all__ = [
    "IocError",
    "ConfigError",
    "StorageError",
    "DatabaseUnavailable",
    "MigrationError",
    "DataFileError",
    "ImportRefused",
    "PayloadRejected",
    "EmbeddedServiceError",
    "SourceError",
]


class IocError(Exception):
    """Root of every error raised by ioc on purpose."""


class ConfigError(IocError, ValueError):
    """A setting is missing or malformed; the message names the setting."""


class StorageError(IocError):
    """The storage layer could not do what was asked."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached now; callers may retry later."""


class MigrationError(StorageError):
    """A schema migration failed; the message names the migration file."""


class DataFileError(IocError, ValueError):
    """A domain data file (catalog, areas, weights ...) is invalid.

    Carries ``path``, ``row`` (1-based data row, header is row 1) and ``reason``
    of the first problem, and ``problems`` (every problem found, each with a
    ``row`` and ``reason``) so tools can report them all precisely.
    """

    def __init__(self, path: str, row: int | None, reason: str, *, problems: list | None = None) -> None:
        self.path = str(path)
        self.row = row
        self.reason = reason
        self.problems = list(problems or [])
        where = f"{self.path}, row {row}" if row is not None else self.path
        super().__init__(f"{where}: {reason}")


class ImportRefused(DataFileError):
    """An import file was refused whole; nothing of it was written."""


class PayloadRejected(IocError, ValueError):
    """A device or indicator payload failed validation; it goes to the dead letters."""

    def __init__(self, reason: str, *, topic: str | None = None) -> None:
        self.reason = reason
        self.topic = topic
        super().__init__(f"{topic}: {reason}" if topic else reason)


class EmbeddedServiceError(IocError):
    """An embedded PostgreSQL or MQTT broker could not be started."""


class SourceError(IocError):
    """A scheduled pull source failed (HTTP error, timeout, bad file)."""
