"""Fixtures of the alert tests: a fresh database with the small alert catalog."""

from __future__ import annotations

import pytest

from ioc.storage.db import Database
from tests.ioc.alerts._support import seed_alert_data


@pytest.fixture
def alert_db(empty_db: Database) -> Database:
    """A fresh migrated database holding the alert fixture catalog."""
    seed_alert_data(empty_db)
    return empty_db
