"""The ``ioc`` command line: one Typer app, one sub-app module per area.

Each ``ioc/cli/<area>.py`` defines ``app = typer.Typer(...)`` and is registered
below under its command name.
"""

from __future__ import annotations

import typer

from ioc.cli import db as db_cli
from ioc.cli import run as run_cli

__all__ = ["app", "main"]

app = typer.Typer(
    name="ioc",
    help="Intelligent Operations Center: collectors, storage and dashboard.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_cli.app, name="db")
run_cli.register(app)


def main() -> None:
    """Entry point of the ``ioc`` console script."""
    app()
