"""Fixtures of the catalog tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._files import write_catalog


@pytest.fixture
def mini_catalog(tmp_path: Path) -> Path:
    """A valid 4-indicator catalog folder."""
    return write_catalog(tmp_path / "catalog")
