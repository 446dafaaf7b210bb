"""The dashboard's shared cache (flask-caching): Redis when configured, else files.

Callbacks call memoized query functions (see ``layouts/data.py``) so repeated
views cost one query per timeout, and the cache is shared by every gunicorn
worker: Redis with ``IOC_REDIS_URL``, otherwise a filesystem cache in
``<data_dir>/cache``. ``lru_cache`` or module globals would not be shared.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask_caching import Cache

from ioc.config import Settings

__all__ = ["cache", "init_cache", "SHORT", "LONG"]

logger = logging.getLogger(__name__)

# Seconds. Live values change every few seconds; reference data hardly ever.
SHORT = 15
LONG = 300

cache = Cache()


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
