"""The audit log: logins, failed logins, alert acknowledgements, exports, user changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

__all__ = ["record", "recent", "failed_logins_since"]


def record(
    conn: psycopg.Connection,
    action: str,
    *,
    actor: str | None = None,
    target: str | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry."""
    conn.execute(
        "INSERT INTO audit_log (actor, action, target, ip, details) VALUES (%s, %s, %s, %s, %s)",
        (actor, action, target, ip, Jsonb(details or {})),
    )


def recent(conn: psycopg.Connection, *, action: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Newest entries first, optionally of one action."""
    rows = conn.execute(
        "SELECT ts, actor, action, target, ip, details FROM audit_log "
        "WHERE %s::text IS NULL OR action = %s ORDER BY ts DESC, id DESC LIMIT %s",
        (action, action, limit),
    )
    keys = ("ts", "actor", "action", "target", "ip", "details")
    return [dict(zip(keys, row)) for row in rows]


def failed_logins_since(conn: psycopg.Connection, since: datetime, *, ip: str | None, username: str | None) -> int:
    """Failed logins from this address or for this user name since ``since`` (rate limiting)."""
    return conn.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'login_failed' AND ts >= %s "
        "AND (ip = %s OR target = %s)",
        (since, ip, username),
    ).fetchone()[0]
