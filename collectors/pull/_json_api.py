"""The shape every JSON-over-HTTP pull source shares: fetch once, parse, report.

Subclasses set ``kind`` and ``what`` (the item word in log lines) and implement
:meth:`JsonApiSource.parse`; fetching, error reporting and logging live here once.
"""

from __future__ import annotations

import logging
from typing import Any

from collectors.pull._http import fetch_json, safe_url
from collectors.pull.base import PullContext, PullResult
from ioc.errors import SourceError
from ioc.model import Reading

__all__ = ["JsonApiSource"]

logger = logging.getLogger(__name__)


class JsonApiSource:
    """A polled input reading one JSON document per run (options need ``url`` and ``headers``)."""

    kind = "json"
    what = "item"

    def __init__(self, name: str, options: Any, *, timeout: float) -> None:
        self.name = name
        self.options = options
        self.timeout = timeout

    def parse(self, body: Any, ctx: PullContext) -> tuple[list[Reading], list[str]]:
        """Readings and per-item refusals from one JSON body; raise SourceError for a wrong shape."""
        raise TypeError(f"{type(self).__name__} must define parse()")

    def gather(self, ctx: PullContext) -> PullResult:
        """Fetch the document once; failures are reported in the result, never raised."""
        url = safe_url(self.options.url)
        try:
            body = fetch_json(self.options.url, timeout=self.timeout, headers=self.options.headers)
        except SourceError as exc:
            return PullResult.failure(str(exc))
        try:
            readings, rejected = self.parse(body, ctx)
        except SourceError as exc:
            return PullResult.failure(f"{url}: {exc}")
        if rejected:
            logger.warning("source %s: %d %s(s) refused, first: %s", self.name, len(rejected), self.what, rejected[0])
        return PullResult.of(readings, label=url, rejected=rejected)
