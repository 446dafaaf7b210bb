"""Fixtures of the simulator tests: the demo fleet and catalog loaded into a fresh database."""

from __future__ import annotations

import pytest

from collectors.simulators.seed import load_demo
from ioc.storage.db import Database


@pytest.fixture
def demo_db(empty_db: Database) -> Database:
    """A fresh database holding the catalog, the demo areas and the demo fleet."""
    load_demo(empty_db)
    return empty_db
