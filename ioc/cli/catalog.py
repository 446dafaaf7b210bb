"""``ioc catalog ...``: validate, expand, load and count the indicator catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ioc.catalog import default_catalog_dir, fold_text, load_catalog
from ioc.catalog.expand import expand_families, render_indicators, write_indicators
from ioc.cli._common import cli_settings, friendly_errors, open_database
from ioc.errors import DataFileError, StorageError

__all__ = ["app"]

app = typer.Typer(help="Indicator catalog: sectors, departments, indicators.", no_args_is_help=True)

PathOption = Annotated[Optional[Path], typer.Option("--path", help="catalog folder (default: the packaged one)")]


@app.command("validate")
@friendly_errors
def validate_command(path: Annotated[Path, typer.Argument(help="catalog folder to check")]) -> None:
    """Check every catalog file of PATH; print each problem with file, row and reason."""
    catalog = load_catalog(path)
    typer.echo(f"ok: {len(catalog.indicators)} indicators, {len(catalog.sectors)} sectors, "
               f"{len(catalog.departments)} departments in {path}")


@app.command("expand")
@friendly_errors
def expand_command(
    path: PathOption = None,
    check: Annotated[bool, typer.Option("--check", help="only report whether indicators.csv is up to date")] = False,
) -> None:
    """Regenerate indicators.csv from families.csv × dimensions.csv."""
    folder = path or default_catalog_dir()
    if check:
        expected = render_indicators(expand_families(folder))
        current = (folder / "indicators.csv").read_text(encoding="utf-8") if (folder / "indicators.csv").exists() else ""
        if current != expected:
            raise DataFileError(str(folder / "indicators.csv"), None,
                                "out of date with families.csv; run `ioc catalog expand`")
        typer.echo("indicators.csv is up to date")
        return
    target, count = write_indicators(folder)
    typer.echo(f"wrote {count} indicators to {target}")


@app.command("load")
@friendly_errors
def load_command(path: PathOption = None) -> None:
    """Validate the catalog and upsert it into the configured database (re-runnable)."""
    from ioc.storage.catalog import upsert_catalog

    catalog = load_catalog(path)
    settings = cli_settings()
    with open_database(settings, migrate=True) as db, db.connection() as conn:
        counts = upsert_catalog(conn, catalog)
    note = f" ({counts['not_in_files']} older indicator(s) kept)" if counts["not_in_files"] else ""
    typer.echo(f"loaded {counts['indicators']} indicators, {counts['sectors']} sectors, "
               f"{counts['departments']} departments{note}")


@app.command("list")
@friendly_errors
def list_command(
    path: PathOption = None,
    sector: Annotated[Optional[str], typer.Option("--sector", help="only this sector code")] = None,
    search: Annotated[Optional[str], typer.Option("--search", help="words to find, accents optional")] = None,
) -> None:
    """List indicators of the catalog files: code, unit, frequency, Vietnamese name."""
    tokens = fold_text(search).split() if search else []
    shown = 0
    for ind in load_catalog(path).indicators:
        words = ind.search_text.split()
        if sector and ind.sector_code != sector:
            continue
        if not all(any(w.startswith(t) for w in words) for t in tokens):
            continue
        typer.echo(f"{ind.code:34} {ind.unit:14} {ind.frequency:9} {ind.name_vi}")
        shown += 1
    typer.echo(f"{shown} indicator(s)", err=True)


@app.command("stats")
@friendly_errors
def stats_command(
    path: PathOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Counts of the catalog files (per sector, source, frequency), plus the database's when one is configured."""
    stats: dict[str, object] = load_catalog(path).stats()
    settings = cli_settings()
    if settings.database_url:
        from ioc.storage.catalog import catalog_counts

        try:
            with open_database(settings) as db, db.connection() as conn:
                stats["database"] = catalog_counts(conn)
        except StorageError as exc:  # the file figures stay useful when the database is down
            stats["database_error"] = str(exc)
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{stats['indicators']} indicators, {stats['sectors']} sectors, {stats['departments']} departments")
    for sector, count in stats["by_sector"].items():  # type: ignore[union-attr]
        typer.echo(f"  {sector:8} {count:5}")
    if "database" in stats:
        typer.echo(f"database: {stats['database']}")
    if "database_error" in stats:
        typer.secho(f"database: {stats['database_error']}", fg=typer.colors.YELLOW, err=True)
