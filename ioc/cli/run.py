"""``ioc up``, ``ioc serve``, ``ioc collect``: the long-running commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the run commands to the main app."""

    @app.command("serve")
    def serve(
        host: str = typer.Option(None, help="interface to listen on (default: IOC_HOST)"),
        port: int = typer.Option(None, help="port to listen on (default: IOC_PORT)"),
    ) -> None:
        """Serve the Dash dashboard (development server; use gunicorn app:server in production)."""
        from ioc.cli._common import cli_settings, friendly_errors, open_database

        @friendly_errors
        def run() -> None:
            settings = cli_settings()
            with open_database(settings):
                from app import app as dash_app

                dash_app.run(host=host or settings.host, port=port or settings.port, debug=False)

        run()

    @app.command("collect")
    def collect(
        metrics_port: int = typer.Option(0, help="serve Prometheus /metrics on this port (0 = off)"),
        migrate: bool = typer.Option(True, help="apply pending migrations first"),
        schedule: bool = typer.Option(True, "--schedule/--no-schedule",
                                      help="also run the scheduler: pull sources, maintenance, alerts"),
    ) -> None:
        """Run the MQTT collector (and the scheduler) until Ctrl-C.

        Each MQTT message is acknowledged only after it is stored. With several
        collector processes, run the scheduler in one of them (``--no-schedule``
        in the others) or in all: alerts are opened once either way.
        """
        from ioc.cli._common import cli_settings, friendly_errors, open_database

        @friendly_errors
        def run() -> None:
            from collectors.service import CollectorService, run_forever

            settings = cli_settings()
            with open_database(settings, migrate=migrate) as db:
                scheduler = None
                if schedule:
                    from collectors.scheduler import scheduler_from_settings

                    scheduler = scheduler_from_settings(settings, db)
                    scheduler.start()
                try:
                    run_forever(CollectorService(settings, db, metrics_port=metrics_port or None))
                finally:
                    if scheduler is not None:
                        scheduler.shutdown()

        run()
