"""Scheduled pull sources: polled inputs declared in the sources file (``IOC_SOURCES_FILE``).

Kinds: ``http_json`` (a department's JSON API), ``file_drop`` (CSV / Excel
spreadsheets dropped in a folder), ``score766`` (weekly Bộ chỉ số 766 scores)
and ``one_stop`` (daily dossier statistics of Một cửa điện tử). Each returns a
:class:`~collectors.pull.base.PullResult`; :mod:`collectors.scheduler` runs them.
"""

from __future__ import annotations

from collectors.pull.base import PullBatch, PullContext, PullResult, PullSource
from collectors.pull.config import SourceConfig, SourcesFile, load_sources_file, parse_sources
from collectors.pull.registry import KINDS

__all__ = [
    "KINDS",
    "PullBatch",
    "PullContext",
    "PullResult",
    "PullSource",
    "SourceConfig",
    "SourcesFile",
    "build_source",
    "load_sources_file",
    "parse_sources",
]


def build_source(config: SourceConfig) -> PullSource:
    """Construct the source a configuration entry describes."""
    return KINDS[config.kind].build(config.name, config.validated_options(), timeout=config.timeout)
