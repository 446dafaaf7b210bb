"""Progress of a long operation: a tqdm bar with rate and remaining time on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

from tqdm import tqdm

__all__ = ["Progress"]

logger = logging.getLogger(__name__)


class Progress:
    """Counts units of work toward a total; draw a bar on a TTY, else log every ``log_every`` seconds."""

    def __init__(
        self, total: int, *, what: str, unit: str = "rows", stream: TextIO | None = None,
        tty: bool | None = None, log_every: float = 10.0,
    ) -> None:
        self.total, self.what, self.unit = max(int(total), 0), what, unit
        self.done = 0
        self.started = time.monotonic()
        self._last_log = self.started
        self.log_every = log_every
        stream = stream or sys.stderr
        use_bar = stream.isatty() if tty is None else tty
        self._bar = tqdm(total=self.total, desc=what, unit=unit, unit_scale=True, file=stream, dynamic_ncols=True) if use_bar else None

    def update(self, n: int) -> None:
        """Record ``n`` more units done."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last_log >= self.log_every:
            self._last_log = now
            self._log(now)

    def _log(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        pct = 100.0 * self.done / self.total if self.total else 100.0
        logger.info("%s: %d/%d %s (%.0f%%), %.0f %s/s, about %.0f s left",
                    self.what, self.done, self.total, self.unit, pct, rate, self.unit, left)

    def close(self) -> float:
        """Finish the bar or log a last line; return the elapsed seconds."""
        elapsed = time.monotonic() - self.started
        if self._bar is not None:
            self._bar.close()
        else:
            logger.info("%s: %d %s in %.1f s (%.0f %s/s)", self.what, self.done, self.unit, elapsed,
                        self.done / max(elapsed, 1e-9), self.unit)
        return elapsed

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
