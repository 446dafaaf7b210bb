"""``ioc aggregate``: compute the device-fed area indicators of a past window now.

The scheduled aggregation job recomputes only the last ``IOC_AGGREGATE_HOURS``
complete hours. After a collector or scheduler outage longer than that, or after
importing old device readings, this command catches up: it recomputes the hourly
and daily values of the window, writing only what is new or changed (a rerun over
unchanged readings writes nothing).
"""

from __future__ import annotations

from datetime import datetime, timezone

import typer

from ioc.cli._common import cli_settings, friendly_errors, open_database
from ioc.errors import IocError

__all__ = ["register"]

MAX_DAYS = 400


def register(app: typer.Typer) -> None:
    """Attach ``ioc aggregate`` to the main app."""

    @app.command("aggregate")
    @friendly_errors
    def aggregate(
        hours: int = typer.Option(None, min=1, help="complete past hours to recompute (default: IOC_AGGREGATE_HOURS)"),
        since: str = typer.Option(None, help="recompute from this time on (ISO 8601, e.g. 2026-11-01 or 2026-11-01T00:00+07:00)"),
    ) -> None:
        """Recompute device-fed hourly and daily area indicators of a past window (catch up after an outage)."""
        from collectors.aggregation import aggregate_recent

        settings = cli_settings()
        now = datetime.now(timezone.utc)
        window = _hours_since(since, now) if since else (hours or settings.aggregate_hours)
        if window > MAX_DAYS * 24:
            raise IocError(f"the window is {window} hours long; at most {MAX_DAYS} days at a time")
        with open_database(settings) as db:
            result = aggregate_recent(db, hours=window, now=now)
        typer.echo(f"{window} hour(s): {result.values} area value(s) computed, "
                   f"{result.changed} new or changed in {result.series} series")


def _hours_since(text: str, now: datetime) -> int:
    """Whole hours from ``text`` (a time, UTC when it names no zone) up to the start of the current hour."""
    try:
        since = datetime.fromisoformat(text)
    except ValueError:
        raise IocError(f"--since {text!r} is not an ISO 8601 date or time (e.g. 2026-11-01T00:00+07:00)") from None
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    span = now.replace(minute=0, second=0, microsecond=0) - since
    if span.total_seconds() <= 0:
        raise IocError(f"--since {text} is not in the past")
    return max(1, -(-int(span.total_seconds()) // 3600))
