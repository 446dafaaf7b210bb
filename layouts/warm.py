"""The cache warmer: a leader opening the dashboard meets views already built, never a cold page.

At start (``app.py``) and then every ``IOC_CACHE_WARM_SECONDS`` seconds, one
process of the deployment at a time (a lock entry in the shared cache) renews
what leaders open first, for the all-sectors scope (leaders, admins, wall
screens) in the default language and theme: the freshness marker, the overview
(tiles, sector cards, map picker and map, open alerts), the statuses every sector page lists
(one query for all) and each headline indicator's page (head, 30-day series and
breakdown of the province). A renewal recomputes and
overwrites the entries (:func:`ioc.cache.refresh`) instead of waiting for them to
expire, so their data are never older than one period; ``LONG`` entries (areas,
sector names, the map picker) are renewed every ``LONG / 2`` seconds. Other
views (an analyst's scope, another language, the long tail of indicators) are
built by their first viewer and cached as usual.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask

from ioc.auth.principal import act_as
from ioc.auth.roles import Principal, Role
from ioc.cache import LONG, cache, refresh

__all__ = ["warm_views", "CacheWarmer", "install_cache_warmer"]

logger = logging.getLogger(__name__)

_LOCK = "ioc-cache-warmer"
_LONG_LOCK = "ioc-cache-warmer-long"
_WARMER = Principal(name="cache-warmer", role=Role.LEADER)  # reads every sector, like a leader


def warm_views(server: Flask, *, lang: str, theme: str, long: bool = False) -> int:
    """Renew the first views' entries now (``LONG`` ones too when ``long``); return how many views were built."""
    from layouts import data
    from layouts.callbacks import indicator, overview

    # A context of its own (its own flask.g), even when called inside a request (the benchmark).
    with server.app_context(), server.test_request_context("/"), refresh(long=long):
        act_as(_WARMER)
        data.freshness()
        overview.tiles_view(lang, theme, None)
        overview.sectors_view(lang, None)
        _options, default = overview.map_options_view(lang, None)
        overview.map_view(default, lang, theme, None)
        overview.alerts_view(lang, None, True)  # the open alerts, with the Ack buttons leaders see
        data.seed_sector_statuses(None)  # every sector page's statuses from one query
        built = 4
        root = data.root_area()
        for item in data.headline(None):
            indicator.head_view(item.code, lang, None)
            if root is not None:
                indicator.series_view(item.code, root.code, "30d", None, None, (), lang, theme, None)
                indicator.breakdown_view(item.code, root.code, lang, theme, None)
            built += 3 if root is not None else 1
    return built


class CacheWarmer:
    """Renews the first views every ``every`` seconds in a daemon thread; one process per period does it."""

    def __init__(self, server: Flask, *, every: float, lang: str, theme: str) -> None:
        self.server = server
        self.every = every
        self.lang = lang
        self.theme = theme
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> bool:
        """Warm now unless another process did within the period; True when this one did."""
        if self.server.config.get("TESTING"):
            return False  # tests set their own data and clear the cache: no renewal behind their back
        try:
            if not cache.add(_LOCK, os.getpid(), timeout=max(1, int(self.every) - 1)):
                return False
            long = bool(cache.add(_LONG_LOCK, os.getpid(), timeout=LONG // 2))
            started = time.perf_counter()
            views = warm_views(self.server, lang=self.lang, theme=self.theme, long=long)
        except Exception as exc:  # noqa: BLE001 — a database or cache outage must not stop the timer
            logger.warning("cache warm-up failed, retrying in %.0f s: %s: %s", self.every, type(exc).__name__, exc)
            return False
        logger.debug("cache warm-up: %d views renewed%s in %.0f ms", views, " (and LONG entries)" if long else "",
                     (time.perf_counter() - started) * 1000)
        return True

    def start(self) -> None:
        """Run :meth:`tick` every ``every`` seconds until :meth:`stop`."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="ioc-cache-warmer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the timer (the current renewal, if any, finishes)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.tick()


def install_cache_warmer(server: Flask, *, every: float, lang: str, theme: str) -> CacheWarmer | None:
    """Warm the first views now and every ``every`` seconds (0: never); the warmer is ``server.extensions``'."""
    if every <= 0:
        return None
    warmer = CacheWarmer(server, every=every, lang=lang, theme=theme)
    warmer.tick()
    warmer.start()
    server.extensions["ioc_cache_warmer"] = warmer
    return warmer
