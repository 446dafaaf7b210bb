"""Accounts and wall-display tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

__all__ = [
    "User",
    "DisplayToken",
    "add_user",
    "get_user",
    "get_user_by_id",
    "list_users",
    "set_password",
    "set_disabled",
    "set_sectors",
    "record_login",
    "count_users",
    "add_display_token",
    "find_display_token",
    "revoke_display_token",
    "list_display_tokens",
]


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str | None
    password_hash: str
    role: str
    sectors: list[str]
    disabled: bool
    session_version: int
    last_login_at: datetime | None


@dataclass(frozen=True)
class DisplayToken:
    id: int
    name: str
    playlist: str
    created_by: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


_USER_COLUMNS = "id, username, display_name, password_hash, role, sectors, disabled, session_version, last_login_at"
_TOKEN_COLUMNS = "id, name, playlist, created_by, created_at, revoked_at, last_used_at"


def add_user(
    conn: psycopg.Connection,
    username: str,
    *,
    password_hash: str,
    role: str,
    display_name: str | None = None,
    sectors: list[str] | None = None,
) -> User:
    """Create a user; raises psycopg's UniqueViolation when the name is taken."""
    cur = conn.cursor(row_factory=class_row(User))
    return cur.execute(
        f"INSERT INTO app_user (username, display_name, password_hash, role, sectors) "
        f"VALUES (%s, %s, %s, %s, %s) RETURNING {_USER_COLUMNS}",
        (username, display_name, password_hash, role, sectors or []),
    ).fetchone()


def get_user(conn: psycopg.Connection, username: str) -> User | None:
    cur = conn.cursor(row_factory=class_row(User))
    return cur.execute(f"SELECT {_USER_COLUMNS} FROM app_user WHERE username = %s", (username,)).fetchone()


def get_user_by_id(conn: psycopg.Connection, user_id: int) -> User | None:
    cur = conn.cursor(row_factory=class_row(User))
    return cur.execute(f"SELECT {_USER_COLUMNS} FROM app_user WHERE id = %s", (user_id,)).fetchone()


def list_users(conn: psycopg.Connection) -> list[User]:
    cur = conn.cursor(row_factory=class_row(User))
    return cur.execute(f"SELECT {_USER_COLUMNS} FROM app_user ORDER BY username").fetchall()


def count_users(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT count(*) FROM app_user").fetchone()[0]


def set_password(conn: psycopg.Connection, username: str, password_hash: str) -> bool:
    """Replace the hash and end the user's other sessions; False when no such user."""
    cur = conn.execute(
        "UPDATE app_user SET password_hash = %s, session_version = session_version + 1, updated_at = now() "
        "WHERE username = %s",
        (password_hash, username),
    )
    return cur.rowcount == 1


def set_disabled(conn: psycopg.Connection, username: str, disabled: bool) -> bool:
    """Disable (ending every session) or re-enable a user; False when no such user."""
    cur = conn.execute(
        "UPDATE app_user SET disabled = %s, session_version = session_version + 1, updated_at = now() "
        "WHERE username = %s",
        (disabled, username),
    )
    return cur.rowcount == 1


def set_sectors(conn: psycopg.Connection, username: str, sectors: list[str]) -> bool:
    cur = conn.execute(
        "UPDATE app_user SET sectors = %s, updated_at = now() WHERE username = %s", (sectors, username)
    )
    return cur.rowcount == 1


def record_login(conn: psycopg.Connection, user_id: int) -> None:
    conn.execute("UPDATE app_user SET last_login_at = now() WHERE id = %s", (user_id,))


def add_display_token(conn: psycopg.Connection, *, token_hash: str, name: str, playlist: str, created_by: str | None) -> DisplayToken:
    cur = conn.cursor(row_factory=class_row(DisplayToken))
    return cur.execute(
        f"INSERT INTO display_token (token_hash, name, playlist, created_by) VALUES (%s, %s, %s, %s) "
        f"RETURNING {_TOKEN_COLUMNS}",
        (token_hash, name, playlist, created_by),
    ).fetchone()


def find_display_token(conn: psycopg.Connection, token_hash: str) -> DisplayToken | None:
    """The unrevoked token with this hash (and mark it used), or None."""
    cur = conn.cursor(row_factory=class_row(DisplayToken))
    return cur.execute(
        f"UPDATE display_token SET last_used_at = now() WHERE token_hash = %s AND revoked_at IS NULL "
        f"RETURNING {_TOKEN_COLUMNS}",
        (token_hash,),
    ).fetchone()


def revoke_display_token(conn: psycopg.Connection, token_id: int) -> bool:
    cur = conn.execute(
        "UPDATE display_token SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL", (token_id,)
    )
    return cur.rowcount == 1


def list_display_tokens(conn: psycopg.Connection) -> list[DisplayToken]:
    cur = conn.cursor(row_factory=class_row(DisplayToken))
    return cur.execute(f"SELECT {_TOKEN_COLUMNS} FROM display_token ORDER BY id").fetchall()
