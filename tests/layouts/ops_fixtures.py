"""Fixtures of the public-administration, traffic and wall page tests (import them into a test module)."""

from __future__ import annotations

import pytest

from ioc.score766.components import Component, default_components
from tests.layouts.seed_ops import OpsSeeded, seed_ops


@pytest.fixture(scope="session")
def ops_components() -> tuple[Component, ...]:
    """The 766 components the pages use: the packaged catalog's."""
    return default_components()


# Test modules import these fixtures, so each module has its own session fixture: seed once per database.
_SEEDED: dict[str, OpsSeeded] = {}


@pytest.fixture(scope="session")
def ops_data(dash_db, dash_app, ops_components) -> OpsSeeded:
    """The dashboard database with 766 scores, dossiers, cameras and incidents added (once)."""
    database, _ = dash_db
    if database.url not in _SEEDED:
        _SEEDED[database.url] = seed_ops(database, ops_components)
        from ioc.cache import cache

        cache.clear()
    return _SEEDED[database.url]
