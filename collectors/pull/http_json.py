"""Pull source ``http_json``: a department's HTTP API that returns indicator values as JSON.

Accepted bodies (see docs/sources.md)::

    [{"indicator": "<code>", "area": "<code>", "ts": "2026-11-24T08:00:00+07:00", "value": 84.2}, ...]
    {"readings": [ ...same items... ]}

``ts`` may also be a date (``2026-11-24``, ``24/11/2026``) or a period
(``2026-11``, ``2026-Q3``, ``2026-W47``); without a zone it is Vietnam time.
``area`` may be left out when the source sets ``default_area``. An item with an
unknown indicator or area, a bad time or a bad value is refused alone and
counted; a body of another shape fails the run.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from collectors.pull._json_api import JsonApiSource
from collectors.pull._parse import parse_number, parse_timestamp
from collectors.pull.base import PullContext, PullResult
from ioc.errors import SourceError
from ioc.model import Reading, SeriesKey

__all__ = ["HttpJsonOptions", "HttpJsonSource", "parse_readings"]

logger = logging.getLogger(__name__)


class HttpJsonOptions(BaseModel):
    """Options of an ``http_json`` source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(description="http(s):// or file:// URL of the JSON document")
    headers: dict[str, str] = Field(default_factory=dict, description="extra request headers, e.g. Authorization")
    default_area: str | None = Field(None, description="area code for items without one")


def _items(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("readings"), list):
        return body["readings"]
    raise SourceError('expected a JSON list of readings or an object {"readings": [...]}')


def _reading(item: Any, ctx: PullContext, default_area: str | None) -> Reading:
    if not isinstance(item, dict):
        raise ValueError("is not an object")
    indicator = item.get("indicator")
    area = item.get("area", default_area)
    if indicator not in ctx.indicators:
        raise ValueError(f"unknown indicator {indicator!r}")
    if area not in ctx.areas:
        raise ValueError(f"unknown area {area!r}")
    if "ts" not in item or "value" not in item:
        raise ValueError("needs 'ts' and 'value'")
    ts = parse_timestamp(item["ts"])
    return Reading(SeriesKey.for_indicator(indicator, area), ts, parse_number(item["value"]))


def parse_readings(body: Any, ctx: PullContext, *, default_area: str | None = None) -> tuple[list[Reading], list[str]]:
    """Readings of a JSON body, and the reasons items were refused (raises SourceError on a bad shape)."""
    readings: list[Reading] = []
    rejected: list[str] = []
    for index, item in enumerate(_items(body), start=1):
        try:
            readings.append(_reading(item, ctx, default_area))
        except ValueError as exc:
            rejected.append(f"item {index}: {exc}")
    return readings, rejected


class HttpJsonSource(JsonApiSource):
    """Polls one URL and turns its JSON body into readings."""

    kind = "http_json"
    what = "item"

    def parse(self, body: Any, ctx: PullContext) -> tuple[list[Reading], list[str]]:
        """Readings and refused items of one fetched body."""
        return parse_readings(body, ctx, default_area=self.options.default_area)
