"""``ioc up``, ``ioc serve``, ``ioc collect``: the long-running commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the run commands to the main app."""
