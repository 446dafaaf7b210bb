"""``ioc bench wall``: JS heap growth of the wall display over an accelerated run (prints JSON)."""

from __future__ import annotations

import json

import typer

from ioc.cli._common import cli_settings, friendly_errors, open_database

__all__ = ["wall", "register"]


@friendly_errors
def wall(
    minutes: float = typer.Option(10.0, help="length of the accelerated run"),
    interval: int = typer.Option(2, min=2, help="seconds per view (a real wall uses ~20)"),
    views: str = typer.Option("kpi,score766,traffic,alerts,environment", help="wall views to rotate"),
    url: str = typer.Option("", help="base URL of a running dashboard; empty = serve it in this process"),
    sample_s: float = typer.Option(60.0, help="seconds between heap samples"),
    token: str = typer.Option("", help="wall display token (`ioc users token add`); "
                                       "empty = a temporary one, when serving in this process"),
) -> None:
    """JS heap growth of the /wall page in headless Chromium over an accelerated rotation."""
    from layouts.bench_wall import run_wall_bench, serve_in_thread

    options = dict(minutes=minutes, interval=interval, views=views, sample_s=sample_s)
    if url:
        result = run_wall_bench(url.rstrip("/"), token=token or None, **options)
    else:
        from ioc.auth import accounts

        settings = cli_settings()
        with open_database(settings) as db:
            from app import server

            temporary = token or accounts.create_display_token(db, "bench-wall", "dieu-hanh", actor="bench")
            base, http = serve_in_thread(server)
            try:
                result = run_wall_bench(base, token=temporary, **options)
            finally:
                http.shutdown()
                if not token:
                    accounts.revoke_display_token_value(db, temporary, actor="bench")
    typer.echo(json.dumps(result, indent=2))


def register(bench_app: typer.Typer) -> None:
    """Add ``wall`` to the ``ioc bench`` sub-app."""
    bench_app.command("wall")(wall)
