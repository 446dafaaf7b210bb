"""The alert evaluator: reads latest values, devices and events, opens/updates/resolves alerts.

Each ``evaluate_*`` step runs in one transaction; the changes are published
only after it commits, so no subscriber hears of an alert that was rolled back.
Deduplication is the database's: one unresolved alert per subject and rule.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

import psycopg

from ioc.alerts import rules
from ioc.alerts.notify import AlertNotifier
from ioc.alerts.policy import AlertPolicy
from ioc.storage import alert_inputs as inputs
from ioc.storage.alerts import (
    AlertChange,
    AlertDraft,
    AlertRecord,
    acknowledge,
    open_alerts_by_rule,
    open_or_update,
    resolve,
)
from ioc.storage.db import Database

__all__ = ["AlertEngine", "acknowledge_alert", "resolve_alert"]

logger = logging.getLogger(__name__)

_INCIDENT_CURSOR = "incident_events"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _names(s: inputs.SeriesSnapshot) -> dict:
    return {"name": (s.name_vi, s.name_en), "area": (s.area_vi, s.area_en), "metric": s.metric}


class AlertEngine:
    """Evaluates every alert rule against the database and notifies the changes."""

    def __init__(
        self,
        db: Database,
        *,
        policy: AlertPolicy | None = None,
        notifier: AlertNotifier | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.db = db
        self.policy = policy or AlertPolicy()
        self.notifier = notifier
        self.clock = clock
        # The staleness and alert jobs share one engine: evaluations run one at a time.
        self._lock = threading.Lock()

    def run_once(self) -> Counter:
        """Evaluate all rules once; return how many alerts changed, by kind of change."""
        counts: Counter = Counter()
        for step in (self.evaluate_series, self.evaluate_devices, self.evaluate_incidents):
            counts.update(c.change for c in step())
        return counts

    def _publish(self, changes: list[AlertChange]) -> list[AlertChange]:
        changes = [c for c in changes if c.notify]
        if self.notifier is not None:
            for change in changes:
                self.notifier.publish(change)
        return changes

    # Indicator series: thresholds, rate of change, staleness ----------------------------

    def evaluate_series(self, *, series_ids: Sequence[int] | None = None) -> list[AlertChange]:
        """Threshold, rate-of-change and staleness rules for indicator series (all, or the given ones)."""
        changes: list[AlertChange] = []
        with self._lock, self.db.connection() as conn:
            snapshots = inputs.series_snapshots(conn, rate_codes=list(self.policy.rate_of_change),
                                                series_ids=series_ids, max_depth=self.policy.max_area_depth)
            open_ = {(a.rule, a.series_id): a for a in open_alerts_by_rule(conn, ("threshold", "rate_of_change", "stale"))}
            seen: set[tuple[str, int]] = set()
            for snap in snapshots:
                for rule, check in (("threshold", self._threshold), ("rate_of_change", self._rate), ("stale", self._stale)):
                    current = open_.get((rule, snap.series_id))
                    seen.add((rule, snap.series_id))
                    if (change := check(conn, snap, current)) is not None:
                        changes.append(change)
            for (rule, series_id), alert in open_.items():
                in_scope = series_ids is None or series_id in series_ids
                if (rule, series_id) not in seen and in_scope:
                    changes.append(resolve(conn, alert.id, note="the rule no longer applies to this series"))
        return self._publish(changes)

    def _threshold(self, conn: psycopg.Connection, snap: inputs.SeriesSnapshot,
                   current: AlertRecord | None) -> AlertChange | None:
        if snap.warning is None and snap.critical is None:
            return resolve(conn, current.id, note="thresholds removed") if current else None
        severity = rules.severity_with_hysteresis(
            snap.value, direction=snap.direction, warning=snap.warning, critical=snap.critical,
            current=current.severity if current else None,
            band=lambda threshold: self.policy.band(snap.indicator_code, threshold),
        )
        if severity is None:
            if current is None:
                return None
            return resolve(conn, current.id, value=snap.value, note=f"value back to {snap.value:g}")
        if current is not None and current.severity == severity and current.value == snap.value:
            return None
        threshold = snap.critical if severity == "critical" else snap.warning
        vi, en = rules.threshold_message(**_names(snap), unit=snap.unit, decimals=snap.decimals,
                                         direction=snap.direction, value=snap.value, severity=severity,
                                         threshold=threshold)
        draft = AlertDraft("threshold", severity, vi, en, series_id=snap.series_id, value=snap.value,
                           details={"threshold": threshold, "direction": snap.direction, "ts": snap.ts.isoformat()})
        return open_or_update(conn, draft)

    def _rate(self, conn: psycopg.Connection, snap: inputs.SeriesSnapshot,
              current: AlertRecord | None) -> AlertChange | None:
        limit = self.policy.rate_of_change.get(snap.indicator_code)
        change = rules.relative_change(snap.value, snap.prev_value) if limit is not None else None
        if change is None or abs(change) <= limit:
            return resolve(conn, current.id, value=snap.value, note="change back within limit") if current else None
        if current is not None and current.value == snap.value:
            return None
        vi, en = rules.rate_message(**_names(snap), change=change, limit=limit)
        draft = AlertDraft("rate_of_change", "warning", vi, en, series_id=snap.series_id, value=snap.value,
                           details={"change": change, "limit": limit, "ts": snap.ts.isoformat()})
        return open_or_update(conn, draft)

    def _stale(self, conn: psycopg.Connection, snap: inputs.SeriesSnapshot,
               current: AlertRecord | None) -> AlertChange | None:
        if not snap.stale:
            return resolve(conn, current.id, note="new value received") if current else None
        if current is not None:
            return None
        vi, en = rules.stale_message(**_names(snap), last_ts=snap.ts, periods=self.policy.stale_periods)
        draft = AlertDraft("stale", "warning", vi, en, series_id=snap.series_id, value=snap.value,
                           details={"last_ts": snap.ts.isoformat(), "frequency": snap.frequency})
        return open_or_update(conn, draft)

    # Devices and incidents -----------------------------------------------------------------

    def evaluate_devices(self) -> list[AlertChange]:
        """Open ``device_offline`` for devices unseen too long or reported offline; resolve when they are back."""
        now = self.clock()
        changes: list[AlertChange] = []
        with self._lock, self.db.connection() as conn:
            quiet = inputs.quiet_devices(conn, seen_before=now - timedelta(minutes=self.policy.device_offline_minutes))
            open_ = {a.device_id: a for a in open_alerts_by_rule(conn, ("device_offline",))}
            for device in quiet:
                if device.id in open_:
                    continue
                vi, en = rules.offline_message(device_id=device.id, device_name=device.name, area=device.area_vi,
                                               last_seen=device.last_seen)
                last_seen = device.last_seen.isoformat() if device.last_seen else None
                draft = AlertDraft("device_offline", "warning", vi, en, device_id=device.id,
                                   details={"last_seen": last_seen, "kind": device.kind, "status": device.status})
                changes.append(open_or_update(conn, draft))
            quiet_ids = {d.id for d in quiet}
            for device_id, alert in open_.items():
                if device_id not in quiet_ids:
                    changes.append(resolve(conn, alert.id, note="device reporting again"))
        return self._publish(changes)

    def evaluate_incidents(self) -> list[AlertChange]:
        """Turn new incident events into alerts (one open per device); close quiet ones after a while."""
        now = self.clock()
        changes: list[AlertChange] = []
        with self._lock, self.db.connection() as conn:
            position = inputs.get_cursor(conn, _INCIDENT_CURSOR)
            since = now - timedelta(minutes=self.policy.incident_clear_minutes) if position == 0 else None
            events = inputs.incident_events_after(conn, position, kinds=self.policy.incident_kinds, since=since)
            open_ = {a.device_id: a for a in open_alerts_by_rule(conn, ("incident",))}
            for event in events:
                if event.device_id is None:
                    continue
                changes.append(self._incident(conn, event, open_.get(event.device_id)))
                open_[event.device_id] = changes[-1].alert
            if events:
                inputs.set_cursor(conn, _INCIDENT_CURSOR, events[-1].id)
            quiet_since = now - timedelta(minutes=self.policy.incident_clear_minutes)
            for alert in open_.values():
                last = alert.details.get("event_ts")
                if (datetime.fromisoformat(last) if last else alert.updated_at) < quiet_since:
                    changes.append(resolve(conn, alert.id, note="no new incident"))
        return self._publish(changes)

    def _incident(self, conn: psycopg.Connection, event: inputs.IncidentEvent,
                  current: AlertRecord | None) -> AlertChange:
        """Open an incident alert, or add a new incident to the camera's open one (never lowering it)."""
        severity = rules.incident_severity(event.severity)
        if current is not None and rules.SEVERITY_ORDER[current.severity] > rules.SEVERITY_ORDER[severity]:
            severity = current.severity
        vi, en = rules.incident_message(kind=event.kind, device_name=event.device_name, area=event.area_vi, ts=event.ts)
        count = int(current.details.get("events", 1)) + 1 if current is not None else 1
        draft = AlertDraft("incident", severity, vi, en, device_id=event.device_id,
                           details={"event_id": event.id, "kind": event.kind, "event_ts": event.ts.isoformat(),
                                    "events": count})
        change = open_or_update(conn, draft)
        return change if change.notify else AlertChange(change.alert, "repeated")


def acknowledge_alert(db: Database, alert_id: int, *, by: str, note: str | None = None,
                      notifier: AlertNotifier | None = None) -> AlertChange:
    """An operator acknowledges an alert (who, note; when = now); the change is published."""
    with db.connection() as conn:
        change = acknowledge(conn, alert_id, by, note)
    if notifier is not None and change.notify:
        notifier.publish(change)
    return change


def resolve_alert(db: Database, alert_id: int, *, by: str, note: str | None = None,
                  notifier: AlertNotifier | None = None) -> AlertChange:
    """An operator resolves an alert; the change is published. A condition still present reopens it."""
    with db.connection() as conn:
        change = resolve(conn, alert_id, by=by, note=note)
    if notifier is not None and change.notify:
        notifier.publish(change)
    return change
