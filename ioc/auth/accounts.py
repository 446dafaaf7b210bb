"""Account operations shared by the CLI and ``ioc up``; each change is audited."""

from __future__ import annotations

import logging

import psycopg

from ioc.auth import passwords
from ioc.auth.roles import Role
from ioc.errors import IocError
from ioc.storage import audit, users
from ioc.storage.db import Database

__all__ = ["AccountError", "create_user", "change_password", "disable_user", "enable_user",
           "ensure_first_admin", "create_display_token", "revoke_display_token", "revoke_display_token_value"]

logger = logging.getLogger(__name__)


class AccountError(IocError):
    """A user-management request cannot be done (unknown user, taken name, weak password)."""


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}") from None


def create_user(db: Database, username: str, password: str, *, role: str, sectors: list[str] | None = None,
                display_name: str | None = None, actor: str = "cli") -> users.User:
    """Add a user with a hashed password."""
    checked = _check_role(role)
    if checked is Role.ANALYST and not sectors:
        raise AccountError(f"analyst {username!r} needs at least one sector (--sectors cchc,giao_thong)")
    try:
        hashed = passwords.hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    with db.connection() as conn:
        try:
            user = users.add_user(conn, username, password_hash=hashed, role=checked.value,
                                  sectors=sectors, display_name=display_name)
        except psycopg.errors.UniqueViolation:
            raise AccountError(f"user {username!r} exists already; use `ioc users passwd {username}`") from None
        audit.record(conn, "user_add", actor=actor, target=username, details={"role": checked.value, "sectors": sectors or []})
    return user


def change_password(db: Database, username: str, password: str, *, actor: str = "cli") -> None:
    """Set a new password; the user's other sessions end."""
    try:
        hashed = passwords.hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    with db.connection() as conn:
        if not users.set_password(conn, username, hashed):
            raise AccountError(f"no user named {username!r}")
        audit.record(conn, "user_passwd", actor=actor, target=username)


def disable_user(db: Database, username: str, *, actor: str = "cli") -> None:
    """Disable a user; every session of theirs ends at its next request."""
    with db.connection() as conn:
        if not users.set_disabled(conn, username, True):
            raise AccountError(f"no user named {username!r}")
        audit.record(conn, "user_disable", actor=actor, target=username)


def enable_user(db: Database, username: str, *, actor: str = "cli") -> None:
    with db.connection() as conn:
        if not users.set_disabled(conn, username, False):
            raise AccountError(f"no user named {username!r}")
        audit.record(conn, "user_enable", actor=actor, target=username)


def ensure_first_admin(db: Database) -> str | None:
    """With no user at all, create ``admin`` with a random password and return it (shown once)."""
    with db.connection() as conn:
        if users.count_users(conn):
            return None
    password = passwords.new_password()
    create_user(db, "admin", password, role=Role.ADMIN.value, display_name="Quản trị viên", actor="first-start")
    return password


def create_display_token(db: Database, name: str, playlist: str, *, actor: str = "cli") -> str:
    """A new wall-screen token (returned once; only its digest is stored)."""
    token = passwords.new_token()
    with db.connection() as conn:
        users.add_display_token(conn, token_hash=passwords.token_digest(token), name=name, playlist=playlist, created_by=actor)
        audit.record(conn, "token_add", actor=actor, target=name, details={"playlist": playlist})
    return token


def revoke_display_token_value(db: Database, token: str, *, actor: str = "cli") -> None:
    """Revoke a token known by its value (a temporary one a tool created)."""
    with db.connection() as conn:
        found = users.find_display_token(conn, passwords.token_digest(token))
    if found is not None:
        revoke_display_token(db, found.id, actor=actor)


def revoke_display_token(db: Database, token_id: int, *, actor: str = "cli") -> None:
    with db.connection() as conn:
        if not users.revoke_display_token(conn, token_id):
            raise AccountError(f"no active display token with id {token_id}")
        audit.record(conn, "token_revoke", actor=actor, target=str(token_id))
