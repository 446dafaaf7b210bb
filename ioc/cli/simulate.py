"""``ioc simulate ...`` and ``ioc devices ...``: demo fleet, live simulator, history backfill."""

from __future__ import annotations

import signal
import threading

import typer

from ioc.cli._common import cli_settings, friendly_errors, open_database

app = typer.Typer(help="Demo data: device fleet, live MQTT simulator, history backfill.", no_args_is_help=True)
devices_app = typer.Typer(help="The device registry.", no_args_is_help=True)


@app.command("fleet")
@friendly_errors
def fleet_command() -> None:
    """Regenerate ioc/data/devices/fleet.csv from corridors.csv, sites.csv and the area seats."""
    from collections import Counter

    from collectors.simulators.fleet import build_fleet, write_fleet

    cli_settings()
    devices = build_fleet()
    path = write_fleet(devices)
    counts = ", ".join(f"{n} {kind}" for kind, n in Counter(d.kind for d in devices).items())
    typer.echo(f"{len(devices)} devices written to {path}: {counts}")


@app.command("history")
@friendly_errors
def history_command(
    days: float = typer.Option(365, min=0.05, help="days of history before now"),
    devices: bool = typer.Option(True, "--devices/--no-devices", help="device readings and device-fed indicators"),
    indicators: bool = typer.Option(True, "--indicators/--no-indicators", help="scheduled indicators"),
    step: int = typer.Option(10800, min=60, help="seconds between device readings older than --hourly-days"),
    hourly_days: float = typer.Option(30, min=0, help="days of hourly device readings before the recent ones"),
    recent_step: int = typer.Option(600, min=60, help="seconds between device readings over --recent-days"),
    recent_days: float = typer.Option(2, min=0, help="days at the finest --recent-step"),
) -> None:
    """Backfill history (COPY, in chunks); safe to run again: what is there is skipped."""
    from collectors.simulators.history import backfill
    from collectors.simulators.seed import load_demo

    settings = cli_settings()
    with open_database(settings, migrate=True) as db:
        load_demo(db)
        result = backfill(db, days=days, devices=devices, indicators=indicators, step_s=step,
                          hourly_days=hourly_days, recent_step_s=recent_step, recent_days=recent_days)
    typer.echo(
        f"{result.rows:,} rows written for {result.series:,} series "
        f"({result.skipped_series:,} already had data in the window), {result.events:,} camera incidents, "
        f"in {result.seconds:.1f} s; "
        f"window {result.since:%Y-%m-%d %H:%M} → {result.until:%Y-%m-%d %H:%M} UTC"
    )


@app.command("live")
@friendly_errors
def live_command(
    seconds: float = typer.Option(0, min=0, help="stop after this many seconds (0 = until Ctrl-C)"),
    speed: float = typer.Option(None, min=0.01, help="time compression (default: setting or 1)"),
    interval: float = typer.Option(None, min=0.05, help="seconds between two readings of a device"),
) -> None:
    """Publish the demo fleet's telemetry, incidents, outages and scheduled indicators over MQTT."""
    from collectors.simulators.live import SimulatorOptions, SimulatorService

    settings = cli_settings()
    overrides = {k: v for k, v in (("speed", speed), ("interval", interval)) if v is not None}
    service = SimulatorService(settings, options=SimulatorOptions.from_settings(settings, **overrides))
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    service.start()
    try:
        done.wait(seconds or None)
    finally:
        service.stop()
    typer.echo(", ".join(f"{k}: {v}" for k, v in sorted(service.stats.items())) or "nothing published")


@devices_app.command("load")
@friendly_errors
def devices_load_command() -> None:
    """Register the demo fleet (ioc/data/devices/fleet.csv) in the database; safe to run again."""
    from collectors.simulators.seed import load_demo

    settings = cli_settings()
    with open_database(settings, migrate=True) as db:
        result = load_demo(db, catalog=False)
    typer.echo(f"{result.devices} devices registered ({result.areas} demo areas inserted)")


def register(main: typer.Typer) -> None:
    """Attach ``simulate`` and ``devices`` to the main app."""
    main.add_typer(app, name="simulate")
    main.add_typer(devices_app, name="devices")
