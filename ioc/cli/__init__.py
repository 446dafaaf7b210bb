"""The ``ioc`` command line: one Typer app, one sub-app module per area.

Each ``ioc/cli/<area>.py`` defines ``app = typer.Typer(...)`` and is registered
below under its command name.
"""

from __future__ import annotations

import typer

from ioc.cli import aggregate as aggregate_cli
from ioc.cli import alerts as alerts_cli
from ioc.cli import bench as bench_cli
from ioc.cli import bench_wall as bench_wall_cli
from ioc.cli import catalog as catalog_cli
from ioc.cli import db as db_cli
from ioc.cli import geo as geo_cli
from ioc.cli import run as run_cli
from ioc.cli import simulate as simulate_cli
from ioc.cli import sources as sources_cli
from ioc.cli import up as up_cli
from ioc.cli import users as users_cli

__all__ = ["app", "main"]

app = typer.Typer(
    name="ioc",
    help="Intelligent Operations Center: collectors, storage and dashboard.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(alerts_cli.app, name="alerts")
app.add_typer(bench_cli.app, name="bench")
bench_wall_cli.register(bench_cli.app)
app.add_typer(catalog_cli.app, name="catalog")
app.add_typer(db_cli.app, name="db")
app.add_typer(geo_cli.app, name="geo")
app.add_typer(sources_cli.app, name="sources")
app.add_typer(users_cli.app, name="users")
run_cli.register(app)
aggregate_cli.register(app)
up_cli.register(app)
simulate_cli.register(app)


def main() -> None:
    """Entry point of the ``ioc`` console script."""
    app()
