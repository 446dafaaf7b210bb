"""The dashboard's shared cache (flask-caching): Redis when configured, else files.

Callbacks call memoized query functions (see ``layouts/data.py``) so repeated
views cost one query per timeout, and the cache is shared by every gunicorn
worker: Redis with ``IOC_REDIS_URL``, otherwise a filesystem cache in
``<data_dir>/cache``. ``lru_cache`` or module globals would not be shared.

Functions memoized with :func:`memoize` can be renewed: inside a :func:`refresh`
block each (function, arguments) pair recomputes once and overwrites its entry
(``LONG`` entries only in ``refresh(long=True)``). The cache warmer
(``layouts/warm.py``) renews entries before they expire, so viewers meet a filled
cache whose data is never older than the warm-up period.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import flask
from flask import Flask
from flask_caching import Cache

from ioc.config import Settings

__all__ = ["cache", "init_cache", "memoize", "refresh", "SHORT", "LONG"]

logger = logging.getLogger(__name__)

# Seconds. Live values change every few seconds; reference data hardly ever.
SHORT = 15
LONG = 300

cache = Cache()

_REFRESH_FLAG = "ioc_cache_refresh"
_RENEWED = "ioc_cache_renewed"

F = TypeVar("F", bound=Callable[..., Any])


def _renew(name: str, timeout: int, args: tuple, kwargs: dict) -> bool:
    """In a refresh pass: True the first time this function is called with these arguments."""
    if not flask.has_app_context():
        return False
    mode = flask.g.get(_REFRESH_FLAG)
    if mode is None or (timeout > SHORT and mode != "all"):
        return False
    renewed = flask.g.setdefault(_RENEWED, set())
    key = (name, repr(args), repr(sorted(kwargs.items())))
    if key in renewed:
        return False
    renewed.add(key)
    return True


def memoize(timeout: int) -> Callable[[F], F]:
    """``cache.memoize(timeout)`` whose entries a :func:`refresh` pass recomputes and overwrites."""

    def decorate(func: F) -> F:
        name = f"{func.__module__}.{func.__qualname__}"

        def renew(*args: Any, **kwargs: Any) -> bool:
            return _renew(name, timeout, args, kwargs)

        return cache.memoize(timeout=timeout, forced_update=renew)(func)  # type: ignore[return-value]

    return decorate


@contextmanager
def refresh(*, long: bool = False) -> Iterator[None]:
    """Within the block (in an app context) :func:`memoize` functions renew their entries (``LONG`` ones too)."""
    setattr(flask.g, _REFRESH_FLAG, "all" if long else "short")
    setattr(flask.g, _RENEWED, set())
    try:
        yield
    finally:
        flask.g.pop(_REFRESH_FLAG, None)
        flask.g.pop(_RENEWED, None)


def _config(settings: Settings) -> dict[str, object]:
    if settings.redis_url:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": settings.redis_url,
            "CACHE_KEY_PREFIX": f"{settings.cache_prefix}-dash:",
            "CACHE_DEFAULT_TIMEOUT": SHORT,
        }
    folder = settings.data_dir / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": str(folder),
        "CACHE_THRESHOLD": 5000,
        "CACHE_DEFAULT_TIMEOUT": SHORT,
    }


def init_cache(server: Flask, settings: Settings) -> Cache:
    """Attach the shared cache to the Flask server; return it."""
    config = _config(settings)
    cache.init_app(server, config=config)
    cache.app = server  # so memoized functions also work outside a request (bench, tests)
    logger.info("dashboard cache: %s", config["CACHE_TYPE"])
    return cache
