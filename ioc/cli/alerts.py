"""``ioc alerts ...``: list open alerts, acknowledge, resolve, show history."""

from __future__ import annotations

import typer

from ioc.cli._common import cli_settings, friendly_errors, open_database
from ioc.formatting import format_datetime

app = typer.Typer(help="Alerts: list, acknowledge, resolve.", no_args_is_help=True)


@app.command("list")
@friendly_errors
def list_command(
    sector: str = typer.Option(None, help="only alerts of this sector's indicators"),
    limit: int = typer.Option(100, help="at most this many"),
) -> None:
    """Open and acknowledged alerts, critical first."""
    from ioc.storage.alerts import list_open_alerts

    settings = cli_settings()
    with open_database(settings) as db, db.connection() as conn:
        alerts = list_open_alerts(conn, sector, limit=limit)
    for a in alerts:
        message = a.message_vi if settings.language == "vi" else a.message_en
        typer.echo(f"#{a.id:<6} {a.severity:<8} {a.state:<12} {a.rule:<14} "
                   f"{format_datetime(a.opened_at, settings.language):<17} {message}")
    typer.echo(f"{len(alerts)} open alert(s)")


def _change(action: str, alert_id: int, by: str, note: str | None) -> None:
    from ioc.alerts import AlertNotifier, acknowledge_alert, resolve_alert

    settings = cli_settings()
    notifier = AlertNotifier(settings)
    act = acknowledge_alert if action == "ack" else resolve_alert
    try:
        with open_database(settings) as db:
            change = act(db, alert_id, by=by, note=note, notifier=notifier)
    finally:
        notifier.close()
    typer.echo(f"alert #{alert_id}: {change.change if change.notify else 'already ' + change.alert.state}")


@app.command("ack")
@friendly_errors
def ack_command(
    alert_id: int = typer.Argument(...),
    by: str = typer.Option(..., "--by", help="who takes the alert in hand"),
    note: str = typer.Option(None, help="what is being done"),
) -> None:
    """Acknowledge an alert (who, when, note); published on MQTT."""
    _change("ack", alert_id, by, note)


@app.command("resolve")
@friendly_errors
def resolve_command(
    alert_id: int = typer.Argument(...),
    by: str = typer.Option(..., "--by", help="who closes the alert"),
    note: str = typer.Option(None, help="how it was resolved"),
) -> None:
    """Resolve an alert; published on MQTT. A condition still present opens a new alert."""
    _change("resolve", alert_id, by, note)


@app.command("history")
@friendly_errors
def history_command(alert_id: int = typer.Argument(...)) -> None:
    """Every step of one alert."""
    from ioc.storage.alerts import alert_history

    settings = cli_settings()
    with open_database(settings) as db, db.connection() as conn:
        steps = alert_history(conn, alert_id)
    for h in steps:
        typer.echo(f"{format_datetime(h.ts, settings.language):<17} {h.state:<12} {h.actor or '':<20} {h.note or ''}")
