"""``ioc bench ...``: benchmarks that print JSON."""

from __future__ import annotations

import json

import typer

from ioc.cli._common import cli_settings, friendly_errors, open_database

app = typer.Typer(help="Benchmarks that print JSON.", no_args_is_help=True)


def _stop_cache_warmer(server) -> None:
    """Stop the app's cache-warmer timer (``layouts/warm.py``) in this benchmarking process."""
    warmer = server.extensions.get("ioc_cache_warmer")
    if warmer is not None:
        warmer.stop()


@app.command("ingest")
@friendly_errors
def ingest(
    seconds: float = typer.Option(30.0, help="duration of each measured phase"),
    collectors: int = typer.Option(1, min=1, help="collector processes sharing a $share subscription"),
    devices: int = typer.Option(100, min=1, help="simulated devices (series) per phase"),
    latency_rate: float = typer.Option(5000.0, help="message rate of the latency phase"),
    as_json: bool = typer.Option(True, "--json/--no-json", help="print the figures as JSON"),
    keep: bool = typer.Option(False, help="keep the benchmark devices and their data"),
) -> None:
    """Persisted readings/s through broker → collector → PostgreSQL, next to the raw limits."""
    from collectors.bench_ingest import run_ingest_bench

    settings = cli_settings()
    if not settings.mqtt_url:
        raise typer.BadParameter("IOC_MQTT_URL must name the broker to measure")
    with open_database(settings, migrate=True) as db:
        result = run_ingest_bench(
            settings, db, seconds=seconds, collectors=collectors, devices=devices,
            latency_rate=latency_rate, keep=keep,
        )
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        typer.echo(
            f"single {result['single']['readings_per_s']}/s (×{result['ratio_to_broker']} broker), "
            f"batch {result['batch100']['readings_per_s']}/s (×{result['ratio_to_copy']} COPY), "
            f"p99 {result['latency']['latency_p99_s']} s"
        )


@app.command("dashboard")
@friendly_errors
def dashboard(
    iterations: int = typer.Option(20, min=1, help="runs of each page (cold and warm cache each)"),
    target_ms: float = typer.Option(300.0, help="p95 server time a page must stay under"),
    as_json: bool = typer.Option(True, "--json/--no-json", help="print the figures as JSON"),
) -> None:
    """p50/p95 server time of each dashboard page's callbacks against the configured database.

    Measure a database holding a year of history (`ioc simulate history --days 365`).
    Each page is timed cold (cache cleared), after one cache warm-up pass (what a user
    meets; the target is checked against it) and warm (a second viewer).
    """
    settings = cli_settings()
    with open_database(settings):
        from app import server
        from layouts import data
        from layouts.bench import run_dashboard_bench

        _stop_cache_warmer(server)  # the benchmark runs its warm-up passes itself, never behind a measured request
        result = run_dashboard_bench(server, iterations=iterations, target_ms=target_ms)
        with server.app_context():
            result["indicators"] = sum(s.total for s in data.sectors())
        result["cache"] = "redis" if settings.redis_url else "filesystem"
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        for page, figures in result["pages"].items():
            p95 = {mode: figures.get(mode, {}).get("p95_ms") for mode in ("cold", "after_warmup", "warm")}
            typer.echo(f"{page:20s} p95 cold {p95['cold']} ms, after warm-up {p95['after_warmup']} ms, "
                       f"warm {p95['warm']} ms  {figures.get('error', '')}")


@app.command("addresses")
@friendly_errors
def addresses(
    count: int = typer.Option(286_947, min=1, help="addresses to generate and import"),
) -> None:
    """Seconds to generate and import the demo digital addresses (in a scratch database)."""
    from geo.bench_addresses import run_address_bench

    settings = cli_settings()
    with open_database(settings, migrate=False) as db:
        result = run_address_bench(db.url, count=count)
    typer.echo(json.dumps(result, indent=2))


@app.command("map")
@friendly_errors
def map_bench(
    runs: int = typer.Option(30, min=1, help="runs of each zoom (small pans around its centre)"),
    browser: bool = typer.Option(False, "--browser/--no-browser", help="also time the first map load in Chromium"),
    user: str = typer.Option("", help="account the browser run signs in as (default: the first admin or leader)"),
    as_json: bool = typer.Option(True, "--json/--no-json", help="print the figures as JSON"),
) -> None:
    """Payload bytes and server time of the map callbacks at province, district and street zoom."""
    from geo.bench_map import first_load_seconds, run_map_bench

    settings = cli_settings()
    with open_database(settings):
        from app import server

        _stop_cache_warmer(server)  # no warm-up pass competing with the measured requests
        with server.app_context():
            result = run_map_bench(runs=runs)
        if browser:
            result["first_load"] = first_load_seconds(server, user=user or None)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        for name, figures in result["scenarios"].items():
            typer.echo(f"{name:9s} p95 {figures['p95_ms']} ms  {figures['bytes_max']} bytes  {figures['address_mode']}")


@app.command("load")
def load(
    users: int = typer.Option(50, min=1, help="concurrent dashboard users (locust)"),
    seconds: int = typer.Option(60, min=5, help="duration of the measured load"),
    warmup: int = typer.Option(10, min=0, help="seconds of ingest after the logins, before the users browse"),
    rate: float = typer.Option(5000.0, min=0, help="MQTT messages/s during the load (0 = dashboard only)"),
    workers: int = typer.Option(4, min=1, help="gunicorn workers"),
    threads: int = typer.Option(4, min=1, help="threads per gunicorn worker"),
    collectors: int = typer.Option(1, min=1, help="collector processes on a $share subscription"),
    web_nice: int = typer.Option(10, min=0, max=19, help="niceness of gunicorn and locust (0 = same as ingest)"),
    login_parallel: int = typer.Option(2, min=1, help="logins at once in the login phase"),
    mqtt_url: str = typer.Option("", help="an existing broker (its drops count as lost); default: a private one"),
) -> None:
    """p50/p95 per dashboard page under load while ingest runs, and the ingest rate held (docs/load-test.md)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "load_test.py"
    if not script.exists():
        raise typer.BadParameter(f"{script} not found: the load test runs from a source checkout")
    raise typer.Exit(subprocess.call([sys.executable, str(script), *load_args(
        users=users, seconds=seconds, warmup=warmup, rate=rate, workers=workers, threads=threads,
        collectors=collectors, web_nice=web_nice, login_parallel=login_parallel, mqtt_url=mqtt_url)]))


def load_args(*, users: int, seconds: int, warmup: int, rate: float, workers: int, threads: int, collectors: int,
              web_nice: int, login_parallel: int, mqtt_url: str) -> list[str]:
    """The command line of ``benchmarks/load_test.py`` for these options (no ``--mqtt-url``: a private broker)."""
    args = ["--users", str(users), "--seconds", str(seconds), "--warmup", str(warmup), "--rate", str(rate),
            "--workers", str(workers), "--threads", str(threads), "--collectors", str(collectors),
            "--web-nice", str(web_nice), "--login-parallel", str(login_parallel)]
    return [*args, "--mqtt-url", mqtt_url] if mqtt_url else args
