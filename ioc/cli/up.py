"""``ioc up``: the whole operations center in one command."""

from __future__ import annotations

import typer

from ioc.cli._common import cli_settings, friendly_errors


def register(app: typer.Typer) -> None:
    """Attach ``up`` to the main app."""

    @app.command("up")
    @friendly_errors
    def up(
        serve: bool = typer.Option(True, "--serve/--no-serve", help="serve the dashboard"),
        simulate: bool = typer.Option(True, "--simulate/--no-simulate", help="run the simulated feeds"),
        history_days: float = typer.Option(30, min=0, help="days of history to backfill on first start"),
        addresses: int = typer.Option(286_947, min=0, help="demo digital addresses to generate on first start"),
    ) -> None:
        """Migrations, demo data, collectors, scheduler, simulators and dashboard, until Ctrl-C."""
        from ioc.center import CenterOptions, OperationsCenter

        settings = cli_settings()
        options = CenterOptions(serve=serve, simulate=simulate, history_days=history_days, addresses=addresses)
        OperationsCenter(settings, options).run()
