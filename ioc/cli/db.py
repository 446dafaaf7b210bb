"""``ioc db ...``: schema migrations."""

from __future__ import annotations

import typer

from ioc.cli._common import cli_settings, friendly_errors, open_database
from ioc.storage.migrate import upgrade

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
@friendly_errors
def upgrade_command() -> None:
    """Apply pending migrations (idempotent) and TimescaleDB features when available."""
    settings = cli_settings()
    with open_database(settings, migrate=False) as db:
        applied = upgrade(db, retention_days=settings.retention_days)
        mode = "TimescaleDB" if db.has_timescale else "plain PostgreSQL"
    typer.echo(f"{len(applied)} migration(s) applied ({mode}): {', '.join(applied) or 'none pending'}")
