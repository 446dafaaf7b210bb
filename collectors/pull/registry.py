"""Registry of pull-source kinds: kind name → (options schema, constructor)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from collectors.pull.base import PullSource
from collectors.pull.file_drop import FileDropOptions, FileDropSource
from collectors.pull.http_json import HttpJsonOptions, HttpJsonSource
from collectors.pull.one_stop import OneStopOptions, OneStopSource
from collectors.pull.score766 import Score766Options, Score766Source

__all__ = ["SourceKind", "KINDS"]


@dataclass(frozen=True)
class SourceKind:
    """A kind of pull source: how its options are checked and how it is built."""

    options: type[BaseModel]
    build: Callable[..., PullSource]


KINDS: dict[str, SourceKind] = {
    "http_json": SourceKind(HttpJsonOptions, HttpJsonSource),
    "file_drop": SourceKind(FileDropOptions, FileDropSource),
    "score766": SourceKind(Score766Options, Score766Source),
    "one_stop": SourceKind(OneStopOptions, OneStopSource),
}
