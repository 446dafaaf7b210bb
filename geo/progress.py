"""Progress of long operations: a tqdm bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

__all__ = ["track"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


def track(items: Iterable[T], *, total: int | None, desc: str, unit: str = "row") -> Iterator[T]:
    """Yield ``items`` while showing progress (rate, remaining time) for ``desc``."""
    if sys.stderr.isatty():
        yield from tqdm(items, total=total, desc=desc, unit=unit, unit_scale=True, mininterval=0.5)
        return
    yield from _logged(items, total=total, desc=desc, unit=unit)


def _logged(items: Iterable[T], *, total: int | None, desc: str, unit: str) -> Iterator[T]:
    start = last = time.monotonic()
    done = 0
    for item in items:
        yield item
        done += 1
        now = time.monotonic()
        if now - last >= 5.0:
            last = now
            rate = done / (now - start)
            remaining = f", about {(total - done) / rate:.0f} s left" if total and rate else ""
            logger.info("%s: %s/%s done, %.0f %s/s%s", desc, done, total or "?", rate, unit, remaining)
    elapsed = time.monotonic() - start
    logger.info("%s: %s done in %.1f s", desc, done, elapsed)
