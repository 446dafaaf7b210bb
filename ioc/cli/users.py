"""``ioc users ...``: accounts and wall-display tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import psycopg
import typer

from ioc.auth import accounts
from ioc.cli._common import cli_settings, friendly_errors, open_database
from ioc.storage import users as users_store
from ioc.storage.db import Database

app = typer.Typer(help="Accounts, roles and wall-display tokens.", no_args_is_help=True)
token_app = typer.Typer(help="Display tokens for wall screens.", no_args_is_help=True)
app.add_typer(token_app, name="token")

P = ParamSpec("P")
R = TypeVar("R")


def _on_database(action: Callable[Concatenate[Database, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``action(db, *args, **kwargs)`` on the configured database; its result."""
    with open_database(cli_settings()) as db:
        return action(db, *args, **kwargs)


def _echo_rows(query: Callable[[psycopg.Connection], list[R]], line: Callable[[R], str]) -> None:
    """Print one line a row of what ``query`` lists."""
    with open_database(cli_settings()) as db, db.connection() as conn:
        rows = query(conn)
    for row in rows:
        typer.echo(line(row))


def _read_password() -> str:
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@app.command("add")
@friendly_errors
def add(
    username: str,
    role: str = typer.Option(..., help="admin, leader, analyst or wall"),
    sectors: str = typer.Option("", help="comma-separated sector codes an analyst may read"),
    name: str = typer.Option("", help="display name"),
) -> None:
    """Add a user; the password is asked twice (or read from standard input)."""
    _on_database(accounts.create_user, username, _read_password(), role=role,
                 sectors=[s.strip() for s in sectors.split(",") if s.strip()], display_name=name or None)
    typer.echo(f"user {username} added ({role})")


@app.command("passwd")
@friendly_errors
def passwd(username: str) -> None:
    """Set a user's password; their other sessions end."""
    _on_database(accounts.change_password, username, _read_password())
    typer.echo(f"password of {username} changed")


@app.command("disable")
@friendly_errors
def disable(username: str) -> None:
    """Disable a user: every session of theirs ends."""
    _on_database(accounts.disable_user, username)
    typer.echo(f"user {username} disabled")


@app.command("enable")
@friendly_errors
def enable(username: str) -> None:
    """Re-enable a disabled user."""
    _on_database(accounts.enable_user, username)
    typer.echo(f"user {username} enabled")


@app.command("list")
@friendly_errors
def list_users() -> None:
    """List users with role, sectors and state."""
    _echo_rows(users_store.list_users, lambda user: f"{user.username:20} {user.role:8} "
               f"{'disabled' if user.disabled else 'active':8} {','.join(user.sectors)}")


@token_app.command("add")
@friendly_errors
def token_add(name: str, playlist: str = typer.Option(..., help="playlist the screen shows")) -> None:
    """Create a display token; open /wall?token=... on the screen (shown once)."""
    token = _on_database(accounts.create_display_token, name, playlist)
    typer.echo(f"token for {name}: {token}\nopen: /wall?token={token}")


@token_app.command("revoke")
@friendly_errors
def token_revoke(token_id: int) -> None:
    """Revoke a display token: the screen is logged out at its next request."""
    _on_database(accounts.revoke_display_token, token_id)
    typer.echo(f"token {token_id} revoked")


@token_app.command("list")
@friendly_errors
def token_list() -> None:
    """List display tokens."""
    _echo_rows(users_store.list_display_tokens, lambda token: f"{token.id:4} {token.name:20} {token.playlist:15} "
               f"{'revoked' if token.revoked_at else 'active'}")
