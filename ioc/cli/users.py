"""``ioc users ...``: accounts and wall-display tokens."""

from __future__ import annotations

import typer

from ioc.auth import accounts
from ioc.cli._common import cli_settings, friendly_errors, open_database
from ioc.storage import users as users_store

app = typer.Typer(help="Accounts, roles and wall-display tokens.", no_args_is_help=True)
token_app = typer.Typer(help="Display tokens for wall screens.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _read_password(prompt: bool) -> str:
    return typer.prompt("Password", hide_input=True, confirmation_prompt=prompt)


@app.command("add")
@friendly_errors
def add(
    username: str,
    role: str = typer.Option(..., help="admin, leader, analyst or wall"),
    sectors: str = typer.Option("", help="comma-separated sector codes an analyst may read"),
    name: str = typer.Option("", help="display name"),
) -> None:
    """Add a user; the password is asked twice (or read from standard input)."""
    password = _read_password(True)
    with open_database(cli_settings()) as db:
        accounts.create_user(db, username, password, role=role,
                             sectors=[s.strip() for s in sectors.split(",") if s.strip()], display_name=name or None)
    typer.echo(f"user {username} added ({role})")


@app.command("passwd")
@friendly_errors
def passwd(username: str) -> None:
    """Set a user's password; their other sessions end."""
    password = _read_password(True)
    with open_database(cli_settings()) as db:
        accounts.change_password(db, username, password)
    typer.echo(f"password of {username} changed")


@app.command("disable")
@friendly_errors
def disable(username: str) -> None:
    """Disable a user: every session of theirs ends."""
    with open_database(cli_settings()) as db:
        accounts.disable_user(db, username)
    typer.echo(f"user {username} disabled")


@app.command("enable")
@friendly_errors
def enable(username: str) -> None:
    """Re-enable a disabled user."""
    with open_database(cli_settings()) as db:
        accounts.enable_user(db, username)
    typer.echo(f"user {username} enabled")


@app.command("list")
@friendly_errors
def list_users() -> None:
    """List users with role, sectors and state."""
    with open_database(cli_settings()) as db, db.connection() as conn:
        for user in users_store.list_users(conn):
            state = "disabled" if user.disabled else "active"
            typer.echo(f"{user.username:20} {user.role:8} {state:8} {','.join(user.sectors)}")


@token_app.command("add")
@friendly_errors
def token_add(name: str, playlist: str = typer.Option(..., help="playlist the screen shows")) -> None:
    """Create a display token; open /wall?token=... on the screen (shown once)."""
    with open_database(cli_settings()) as db:
        token = accounts.create_display_token(db, name, playlist)
    typer.echo(f"token for {name}: {token}\nopen: /wall?token={token}")


@token_app.command("revoke")
@friendly_errors
def token_revoke(token_id: int) -> None:
    """Revoke a display token: the screen is logged out at its next request."""
    with open_database(cli_settings()) as db:
        accounts.revoke_display_token(db, token_id)
    typer.echo(f"token {token_id} revoked")


@token_app.command("list")
@friendly_errors
def token_list() -> None:
    """List display tokens."""
    with open_database(cli_settings()) as db, db.connection() as conn:
        for tok in users_store.list_display_tokens(conn):
            state = "revoked" if tok.revoked_at else "active"
            typer.echo(f"{tok.id:4} {tok.name:20} {tok.playlist:15} {state}")
