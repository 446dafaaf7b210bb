"""A page layout's first panel states, read built from the shared cache, with a notice while the database is down.

The overview and indicator pages carry their panels' first content in the layout the page
router returns (the built views of :mod:`layouts.rendered`), so the browser fires no callback
to fill them: one request per page view instead of seven, each of which costs about
3 ms of server CPU before any work (session, principal, cache reads, JSON). A panel whose
data cannot be read while PostgreSQL is down shows the "data unavailable" notice instead of
the whole page failing; its refresh callback (the 30 s tick, or the viewer's next choice)
fills it once the database is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from ioc.errors import DatabaseUnavailable

__all__ = ["first_state"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


def first_state(build: Callable[[], T], fallback: Callable[[], T], *, what: str) -> T:
    """``build()``, or ``fallback()`` (logged) when the database is unavailable."""
    try:
        return build()
    except DatabaseUnavailable as exc:
        logger.warning("database unavailable while opening %s: %s", what, exc)
        return fallback()
