"""Alerts: rules (pure), the evaluator, and notifications on MQTT and a webhook.

``AlertEngine(db, policy=..., notifier=AlertNotifier(settings)).run_once()``
evaluates thresholds (with direction and hysteresis), rate of change,
staleness, offline devices and incident events; storage is
:mod:`ioc.storage.alerts`.
"""

from __future__ import annotations

from ioc.alerts.engine import AlertEngine, acknowledge_alert, resolve_alert
from ioc.alerts.notify import AlertNotifier, alert_payload
from ioc.alerts.policy import AlertPolicy

__all__ = ["AlertEngine", "AlertNotifier", "AlertPolicy", "acknowledge_alert", "alert_payload", "resolve_alert"]
