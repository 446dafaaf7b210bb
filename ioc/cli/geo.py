"""``ioc geo ...``: administrative boundaries and digital addresses."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ioc.cli._common import cli_settings, friendly_errors, open_database

app = typer.Typer(help="Boundaries and digital addresses (địa chỉ số).", no_args_is_help=True)

_FILE = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="file to import")


@app.command("import-areas")
@friendly_errors
def import_areas_command(
    file: Path = _FILE,
    level: str = typer.Option(..., help="level name of these units, e.g. district, commune, ward"),
    code_field: str = typer.Option(..., help="field holding the official code"),
    name_field: str = typer.Option(..., help="field holding the Vietnamese name"),
    parent_field: Optional[str] = typer.Option(None, help="field holding the parent's code"),
    parent: Optional[str] = typer.Option(None, help="one parent code for every feature (no parent field)"),
    layer: Optional[str] = typer.Option(None, help="layer of a GeoPackage or multi-layer file"),
    name_en_field: Optional[str] = typer.Option(None, help="field holding the English name"),
    unit_type_field: Optional[str] = typer.Option(None, help="field holding the unit type (Phường, Xã ...)"),
    population_field: Optional[str] = typer.Option(None, help="field holding the population"),
) -> None:
    """Import real boundaries (GeoJSON, Shapefile, GeoPackage) as one level; re-import updates."""
    from geo.loading import import_area_file

    if parent_field and parent:
        raise typer.BadParameter("give --parent-field or --parent, not both")
    settings = cli_settings()
    with open_database(settings, migrate=True) as db:
        summary = import_area_file(
            db, file, level=level, code_field=code_field, name_field=name_field,
            parent_field=parent_field, parent_code=parent, layer=layer, name_en_field=name_en_field,
            unit_type_field=unit_type_field, population_field=population_field,
        )
    typer.echo(f"{summary.areas} {level} area(s) imported from {file} in {summary.seconds:.1f} s")


@app.command("import-addresses")
@friendly_errors
def import_addresses_command(file: Path = _FILE) -> None:
    """Import digital addresses from CSV or GeoJSON; a file with any bad row is refused whole."""
    from geo.loading import import_address_file

    settings = cli_settings()
    with open_database(settings, migrate=True) as db:
        summary = import_address_file(db, file)
    typer.echo(f"{summary.addresses:,} address(es) loaded from {file} in {summary.seconds:.1f} s "
               f"({summary.addresses_total:,} stored)")


@app.command("load-demo")
@friendly_errors
def load_demo_command(
    addresses: int = typer.Option(286_947, min=0, help="number of demo addresses (0 = areas only)"),
    seed: int = typer.Option(2022, help="random seed: the same seed gives the same addresses"),
) -> None:
    """Load Bình Dương's units with schematic geometry and the demo digital addresses (idempotent)."""
    from geo.loading import load_demo

    settings = cli_settings()
    with open_database(settings, migrate=True) as db:
        summary = load_demo(db, addresses=addresses, seed=seed)
    typer.echo(f"demo territory: {summary.areas} area(s), {summary.addresses:,} address(es) loaded "
               f"in {summary.seconds:.1f} s ({summary.addresses_total:,} stored)")


@app.command("export-addresses")
@friendly_errors
def export_addresses_command(
    file: Path = typer.Argument(..., dir_okay=False, help="CSV, or GeoJSON when it ends in .geojson"),
    area: Optional[str] = typer.Option(None, help="only this area and the areas below it"),
) -> None:
    """Export stored digital addresses to CSV or GeoJSON."""
    from geo.loading import export_address_file

    settings = cli_settings()
    with open_database(settings) as db:
        count = export_address_file(db, file, area_code=area)
    typer.echo(f"{count:,} address(es) written to {file}")
