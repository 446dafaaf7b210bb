"""Progress of long operations: a bar with rate and time left on a terminal, log lines otherwise."""

from __future__ import annotations

import io
import logging

from collectors.simulators.progress import Progress


def test_without_a_terminal_progress_is_logged_with_rate_and_time_left(caplog):
    caplog.set_level(logging.INFO, logger="collectors.simulators.progress")
    with Progress(1000, what="history backfill", tty=False, log_every=0) as progress:
        progress.update(250)
        progress.update(250)
    lines = [r.getMessage() for r in caplog.records]
    assert any("500/1000 rows (50%)" in line and "rows/s" in line and "s left" in line for line in lines)
    assert "history backfill: 500 rows in" in lines[-1]


def test_on_a_terminal_a_bar_shows_rate_and_remaining_time():
    stream = io.StringIO()
    with Progress(1000, what="history backfill", stream=stream, tty=True) as progress:
        progress.update(400)
    text = stream.getvalue()
    assert "history backfill" in text and "400/1.00k" in text and "rows/s" in text and "<" in text  # elapsed<left
