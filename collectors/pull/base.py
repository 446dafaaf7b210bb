"""The polled-input interface of scheduled pull sources (Telegraf style).

A source is asked to :meth:`PullSource.gather` now and then; it returns a
:class:`PullResult` and never raises into the scheduler. A result holds
*batches*: each batch is written in one transaction (all rows of a file, all
rows of one API response), then its ``on_written`` hook runs (e.g. the file is
moved to ``done/``). ``error`` marks the whole run as failed (retried with
backoff); ``rejected`` lists items refused one by one (counted, not retried).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from ioc.model import Event, Reading

__all__ = ["PullBatch", "PullResult", "PullContext", "PullSource", "LOCAL_TZ"]

#: Times without a zone in source payloads are local time of the province.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class PullBatch:
    """Rows written together in one transaction, then acknowledged with ``on_written(rows_new)``."""

    readings: tuple[Reading, ...]
    events: tuple[Event, ...] = ()
    label: str = ""
    on_written: Callable[[int], None] | None = None


@dataclass(frozen=True)
class PullResult:
    """What one gather produced: batches to write, a run-level error, items refused."""

    batches: tuple[PullBatch, ...] = ()
    error: str | None = None
    rejected: tuple[str, ...] = ()
    notes: dict[str, object] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        readings: Sequence[Reading],
        events: Sequence[Event] = (),
        *,
        label: str = "",
        rejected: Sequence[str] = (),
    ) -> "PullResult":
        """A result of one batch."""
        batch = PullBatch(tuple(readings), tuple(events), label)
        return cls(batches=(batch,), rejected=tuple(rejected))

    @classmethod
    def failure(cls, message: str) -> "PullResult":
        """A failed run (the scheduler retries it with backoff)."""
        return cls(error=message)

    @property
    def ok(self) -> bool:
        """True when the run as a whole succeeded."""
        return self.error is None

    @property
    def readings(self) -> list[Reading]:
        """All readings of all batches."""
        return [r for b in self.batches for r in b.readings]

    @property
    def events(self) -> list[Event]:
        """All events of all batches."""
        return [e for b in self.batches for e in b.events]


@dataclass(frozen=True)
class PullContext:
    """What a source may consult while gathering: the codes it may write, and the time."""

    indicators: frozenset[str]
    areas: frozenset[str]
    departments: frozenset[str] = frozenset()
    now: datetime | None = None


@runtime_checkable
class PullSource(Protocol):
    """A polled input: ``gather`` returns what it found and reports errors in the result."""

    name: str
    kind: str

    def gather(self, ctx: PullContext) -> PullResult:
        """Fetch once; never raise for an expected failure (HTTP error, bad payload, bad file)."""
        ...
