"""``ioc sources ...``: the scheduled pull sources — check the file, show status, run one now."""

from __future__ import annotations

import typer

from ioc.cli._common import cli_settings, friendly_errors, open_database
from ioc.errors import ConfigError
from ioc.formatting import format_datetime

app = typer.Typer(help="Scheduled pull sources (IOC_SOURCES_FILE).", no_args_is_help=True)


def _sources_file(settings):
    from collectors.pull.config import load_sources_file

    if settings.sources_file is None:
        raise ConfigError("IOC_SOURCES_FILE is not set; see docs/sources.md and collectors/pull/sources.example.toml")
    return load_sources_file(settings.sources_file)


@app.command("check")
@friendly_errors
def check_command() -> None:
    """Validate the sources file and list what it declares."""
    settings = cli_settings()
    config = _sources_file(settings)
    for source in config.source:
        flag = "" if source.enabled else "  (disabled)"
        typer.echo(f"{source.name:<28} {source.kind:<10} {source.schedule_text}{flag}")
    typer.echo(f"{settings.sources_file}: {len(config.source)} source(s), valid")


@app.command("list")
@friendly_errors
def list_command() -> None:
    """Status of every source: last run, last success, last error, next run, rows taken."""
    from ioc.storage.sources import list_sources

    settings = cli_settings()
    lang = settings.language
    with open_database(settings) as db, db.connection() as conn:
        rows = list_sources(conn)
    if not rows:
        typer.echo("no source has run yet")
    for s in rows:
        typer.echo(f"{s.name:<28} {s.kind:<10} {s.status:<8} {s.schedule or '':<18} "
                   f"success {format_datetime(s.last_success, lang):<17} next {format_datetime(s.next_run, lang):<17} "
                   f"rows {s.rows_taken}")
        if s.status == "error" and s.last_error:
            typer.echo(f"    last error ({format_datetime(s.last_error_at, lang)}, {s.failures} in a row): {s.last_error}")


@app.command("run")
@friendly_errors
def run_command(name: str = typer.Argument(..., help="source name from the sources file")) -> None:
    """Run one source now, with its timeout and retries, and record the outcome."""
    from collectors.scheduler import PullScheduler

    settings = cli_settings()
    config = _sources_file(settings)
    chosen = [s for s in config.source if s.name == name]
    if not chosen:
        raise ConfigError(f"no source named {name!r} in {settings.sources_file}; "
                          f"known: {', '.join(s.name for s in config.source) or 'none'}")
    with open_database(settings) as db:
        scheduler = PullScheduler(db, workers=2)
        scheduler.add_source(chosen[0])
        try:
            report = scheduler.run_source(name)
        finally:
            scheduler.shutdown(wait=False)
    if report.ok:
        typer.echo(f"{name}: {report.rows} new row(s) in {report.duration:.2f} s, {len(report.rejected)} refused")
        for reason in report.rejected[:20]:
            typer.echo(f"    refused: {reason}")
    else:
        typer.secho(f"{name}: failed after {report.attempts} attempt(s): {report.error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
