"""In-memory copy of the known devices, indicators and areas, refreshed from the database.

A lookup miss refreshes the copy (at most every ``refresh_every`` seconds), so a
device registered while the collector runs is accepted within seconds.
"""

from __future__ import annotations

import logging
import threading
import time

from ioc.errors import IocError
from ioc.storage.db import Database
from ioc.storage.ingest import known_areas, known_devices, known_indicators

__all__ = ["Registry"]

logger = logging.getLogger(__name__)


class Registry:
    """Known subjects of the MQTT messages: device → kind, indicator → unit, area codes."""

    def __init__(self, db: Database, *, refresh_every: float = 5.0) -> None:
        self.db = db
        self.refresh_every = refresh_every
        self.devices: dict[str, str] = {}
        self.indicators: dict[str, str] = {}
        self.areas: set[str] = set()
        self._loaded_at = -float("inf")
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Reload from the database; keep the old copy (and return False) when it is unreachable."""
        with self._lock:
            self._loaded_at = time.monotonic()
            try:
                with self.db.connection(timeout=2.0) as conn:
                    devices, indicators, areas = known_devices(conn), known_indicators(conn), known_areas(conn)
            except IocError as exc:
                logger.warning("couldn't refresh the device/indicator registry: %s", exc)
                return False
            self.devices, self.indicators, self.areas = devices, indicators, areas
        logger.debug("registry: %d devices, %d indicators, %d areas", len(devices), len(indicators), len(areas))
        return True

    def _stale(self) -> bool:
        return time.monotonic() - self._loaded_at >= self.refresh_every

    def device_kind(self, device_id: str) -> str | None:
        """Kind of a registered device, or None when it is not registered."""
        kind = self.devices.get(device_id)
        if kind is None and self._stale() and self.refresh():
            kind = self.devices.get(device_id)
        return kind

    def indicator_unit(self, code: str) -> str | None:
        """Unit of a catalog indicator, or None when it is not in the catalog."""
        unit = self.indicators.get(code)
        if unit is None and self._stale() and self.refresh():
            unit = self.indicators.get(code)
        return unit

    def has_area(self, code: str) -> bool:
        """Whether an administrative area code is known."""
        if code in self.areas:
            return True
        return bool(self._stale() and self.refresh() and code in self.areas)
