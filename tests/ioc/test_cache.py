"""The dashboard cache: Redis when configured (shared by workers), else files in data_dir."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask_caching import Cache

from ioc.cache import _config
from ioc.config import load_settings


def _two_workers(config: dict) -> tuple[Cache, Cache]:
    """Two caches over the same backend, as two gunicorn workers would have."""
    caches = []
    for _ in range(2):
        server = Flask(f"worker-{uuid.uuid4().hex[:4]}")
        cache = Cache(server, config=config)
        caches.append(cache)
    return caches[0], caches[1]


def test_filesystem_cache_lives_in_data_dir_and_is_shared(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, redis_url=None, database_url=None)
    config = _config(settings)
    assert config["CACHE_TYPE"] == "FileSystemCache" and Path(config["CACHE_DIR"]) == tmp_path / "cache"
    first, second = _two_workers(config)
    first.set("ioc-test-key", {"value": 77.84})
    assert second.get("ioc-test-key") == {"value": 77.84}


def test_redis_cache_is_shared_between_workers(redis_url: str | None, tmp_path: Path) -> None:
    if redis_url is None:
        pytest.skip("no Redis here (IOC_TEST_REDIS_URL unset, nothing on 127.0.0.1:6379)")
    settings = load_settings(data_dir=tmp_path, redis_url=redis_url, database_url=None)
    config = _config(settings)
    assert config["CACHE_TYPE"] == "RedisCache"
    first, second = _two_workers(config)
    key = f"ioc-test-{uuid.uuid4().hex}"
    first.set(key, [1, 2, 3], timeout=30)
    assert second.get(key) == [1, 2, 3]
    second.delete(key)
