"""Alerts and their history: open or update, acknowledge, resolve, list.

At most one unresolved alert exists per subject (series or device) and rule
(unique index ``alert_one_open_idx``); :func:`open_or_update` relies on it, so
two evaluators running at once still never open a duplicate. Every change of
state or severity appends a row to ``alert_history``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from ioc.errors import StorageError

__all__ = [
    "AlertRecord",
    "AlertDraft",
    "AlertChange",
    "AlertHistoryEntry",
    "AlertNotFound",
    "SEVERITY_RANK",
    "open_or_update",
    "acknowledge",
    "resolve",
    "get_alert",
    "get_open_alert",
    "list_open_alerts",
    "open_alerts_by_rule",
    "alert_history",
]

SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}

_SELECT = """
SELECT a.id, a.series_id, a.device_id, a.rule, a.severity, a.state, a.value, a.message_vi, a.message_en,
       a.opened_at, a.updated_at, a.acked_by, a.acked_at, a.ack_note, a.resolved_at, a.details,
       s.indicator_code, coalesce(s.area_code, d.area_code) AS area_code
FROM alert a
LEFT JOIN series s ON s.id = a.series_id
LEFT JOIN device d ON d.id = a.device_id
"""


class AlertNotFound(StorageError, LookupError):
    """No alert with this id (or it is already resolved when a change needs it open)."""


@dataclass(frozen=True)
class AlertRecord:
    """One alert as stored, with the indicator and area of its series when it has one."""

    id: int
    series_id: int | None
    device_id: str | None
    rule: str
    severity: str
    state: str
    value: float | None
    message_vi: str
    message_en: str
    opened_at: datetime
    updated_at: datetime
    acked_by: str | None = None
    acked_at: datetime | None = None
    ack_note: str | None = None
    resolved_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    indicator_code: str | None = None
    area_code: str | None = None


@dataclass(frozen=True)
class AlertDraft:
    """What a rule found: the subject, rule, severity and the bilingual message."""

    rule: str
    severity: str
    message_vi: str
    message_en: str
    series_id: int | None = None
    device_id: str | None = None
    value: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AlertChange:
    """The outcome of a write: the alert after it and what happened (``unchanged`` notifies nobody)."""

    alert: AlertRecord
    change: str  # opened, escalated, deescalated, acknowledged, resolved, unchanged

    @property
    def notify(self) -> bool:
        """Whether this change is a state change worth telling subscribers about."""
        return self.change != "unchanged"


@dataclass(frozen=True)
class AlertHistoryEntry:
    """One step of an alert's life."""

    ts: datetime
    state: str
    actor: str | None
    note: str | None


def _fetch(conn: psycopg.Connection, where: str, params: tuple, *, lock: bool = False) -> AlertRecord | None:
    cur = conn.cursor(row_factory=class_row(AlertRecord))
    suffix = " FOR UPDATE OF a" if lock else ""
    return cur.execute(f"{_SELECT} WHERE {where}{suffix}", params).fetchone()


def _history(conn: psycopg.Connection, alert_id: int, state: str, actor: str | None, note: str | None) -> None:
    conn.execute(
        "INSERT INTO alert_history (alert_id, state, actor, note) VALUES (%s, %s, %s, %s)",
        (alert_id, state, actor, note),
    )


def get_alert(conn: psycopg.Connection, alert_id: int) -> AlertRecord | None:
    """One alert by id."""
    return _fetch(conn, "a.id = %s", (alert_id,))


def get_open_alert(
    conn: psycopg.Connection, *, rule: str, series_id: int | None = None, device_id: str | None = None
) -> AlertRecord | None:
    """The unresolved alert of a subject and rule, if any (locked for this transaction)."""
    return _fetch(
        conn,
        "coalesce(a.series_id, 0) = coalesce(%s, 0) AND coalesce(a.device_id, '') = coalesce(%s, '')"
        " AND a.rule = %s AND a.state <> 'resolved'",
        (series_id, device_id, rule),
        lock=True,
    )


def _insert(conn: psycopg.Connection, draft: AlertDraft) -> int | None:
    row = conn.execute(
        """
        INSERT INTO alert (series_id, device_id, rule, severity, value, message_vi, message_en, details)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (coalesce(series_id, 0), coalesce(device_id, ''), rule) WHERE state <> 'resolved'
        DO NOTHING RETURNING id
        """,
        (draft.series_id, draft.device_id, draft.rule, draft.severity, draft.value,
         draft.message_vi, draft.message_en, Jsonb(draft.details)),
    ).fetchone()
    return row[0] if row else None


def open_or_update(conn: psycopg.Connection, draft: AlertDraft) -> AlertChange:
    """Open an alert, or update the open one of the same subject and rule.

    A higher severity escalates the same alert (and puts an acknowledged one back
    to open); a lower one de-escalates it; the same severity only refreshes the
    value and message (``unchanged``).
    """
    existing = get_open_alert(conn, rule=draft.rule, series_id=draft.series_id, device_id=draft.device_id)
    if existing is None:
        new_id = _insert(conn, draft)
        if new_id is not None:
            _history(conn, new_id, "open", "system", f"opened ({draft.severity}): {draft.message_en}")
            return AlertChange(get_alert(conn, new_id), "opened")
        # Another evaluator opened it between our look and our insert: update theirs.
        existing = get_open_alert(conn, rule=draft.rule, series_id=draft.series_id, device_id=draft.device_id)
        if existing is None:
            raise StorageError(f"alert {draft.rule} for series {draft.series_id} / device {draft.device_id} "
                               "vanished while being opened; evaluate again")
    old, new = SEVERITY_RANK[existing.severity], SEVERITY_RANK[draft.severity]
    change = "escalated" if new > old else "deescalated" if new < old else "unchanged"
    state = "open" if change == "escalated" else existing.state
    conn.execute(
        """
        UPDATE alert SET severity = %s, state = %s, value = %s, message_vi = %s, message_en = %s,
                         details = details || %s, updated_at = now()
         WHERE id = %s
        """,
        (draft.severity, state, draft.value, draft.message_vi, draft.message_en, Jsonb(draft.details), existing.id),
    )
    if change != "unchanged":
        _history(conn, existing.id, state, "system",
                 f"{change} {existing.severity} → {draft.severity}: {draft.message_en}")
    return AlertChange(get_alert(conn, existing.id), change)


def acknowledge(conn: psycopg.Connection, alert_id: int, by: str, note: str | None = None) -> AlertChange:
    """An operator takes an open alert in hand: who, when (now) and a note."""
    if not by or not by.strip():
        raise ValueError("acknowledging an alert needs the name of who does it")
    current = _fetch(conn, "a.id = %s", (alert_id,), lock=True)
    if current is None or current.state == "resolved":
        raise AlertNotFound(f"alert {alert_id} is {'resolved' if current else 'unknown'}; "
                            "list open alerts with `ioc alerts list`")
    if current.state == "acknowledged":
        return AlertChange(current, "unchanged")
    conn.execute(
        "UPDATE alert SET state = 'acknowledged', acked_by = %s, acked_at = now(), ack_note = %s,"
        " updated_at = now() WHERE id = %s",
        (by.strip(), note, alert_id),
    )
    _history(conn, alert_id, "acknowledged", by.strip(), note)
    return AlertChange(get_alert(conn, alert_id), "acknowledged")


def resolve(conn: psycopg.Connection, alert_id: int, *, by: str = "system", note: str | None = None,
            value: float | None = None) -> AlertChange:
    """Close an alert (condition cleared, or closed by an operator); its history is kept."""
    current = _fetch(conn, "a.id = %s", (alert_id,), lock=True)
    if current is None:
        raise AlertNotFound(f"alert {alert_id} is unknown; list open alerts with `ioc alerts list`")
    if current.state == "resolved":
        return AlertChange(current, "unchanged")
    conn.execute(
        "UPDATE alert SET state = 'resolved', resolved_at = now(), updated_at = now(),"
        " value = coalesce(%s, value) WHERE id = %s",
        (value, alert_id),
    )
    _history(conn, alert_id, "resolved", by, note)
    return AlertChange(get_alert(conn, alert_id), "resolved")


def list_open_alerts(
    conn: psycopg.Connection, sector_code: str | None = None, *, sectors: Sequence[str] | None = None, limit: int = 200
) -> list[AlertRecord]:
    """Unresolved alerts, critical first then newest, optionally of one sector's indicators.

    ``sectors`` (a viewer's grant; None = all) keeps alerts of those sectors' indicators and of
    devices whose kind feeds an indicator of those sectors.
    """
    cur = conn.cursor(row_factory=class_row(AlertRecord))
    return cur.execute(
        f"""{_SELECT}
        LEFT JOIN indicator i ON i.code = s.indicator_code
        WHERE a.state <> 'resolved' AND (%(sector)s::text IS NULL OR i.sector_code = %(sector)s)
          AND (%(sectors)s::text[] IS NULL OR i.sector_code = ANY(%(sectors)s)
               OR (i.code IS NULL AND EXISTS (
                   SELECT 1 FROM device dv JOIN indicator di ON di.device_kind = dv.kind
                   WHERE dv.id = a.device_id AND di.sector_code = ANY(%(sectors)s))))
        ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.opened_at DESC, a.id DESC
        LIMIT %(limit)s
        """,
        {"sector": sector_code, "sectors": list(sectors) if sectors is not None else None, "limit": limit},
    ).fetchall()


def open_alerts_by_rule(conn: psycopg.Connection, rules: tuple[str, ...]) -> list[AlertRecord]:
    """Unresolved alerts of the given rules (the evaluator's current state)."""
    cur = conn.cursor(row_factory=class_row(AlertRecord))
    return cur.execute(f"{_SELECT} WHERE a.state <> 'resolved' AND a.rule = ANY(%s)", (list(rules),)).fetchall()


def alert_history(conn: psycopg.Connection, alert_id: int) -> list[AlertHistoryEntry]:
    """Every step of one alert, oldest first."""
    cur = conn.cursor(row_factory=class_row(AlertHistoryEntry))
    return cur.execute(
        "SELECT ts, state, actor, note FROM alert_history WHERE alert_id = %s ORDER BY ts, id", (alert_id,)
    ).fetchall()
