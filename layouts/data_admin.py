"""Cached read functions of the public-administration pages: the 766 scorecard, dossier statistics, the notice.

Memoized in the shared cache (:mod:`ioc.cache`) by their arguments; weeks are
passed as ISO dates and periods by name, never as moving timestamps.
"""

from __future__ import annotations

import logging
from datetime import date

from ioc.cache import LONG, SHORT, cache
from ioc.errors import IocError
from ioc.procedures import DossierStats, dossier_stats as _dossier_stats
from ioc.score766.components import Component, default_components
from ioc.score766.notice import build_notice, render_notice_html, render_notice_pdf
from ioc.score766.results import load_scorecard, result_weeks
from ioc.score766.scorecard import Scorecard
from ioc.storage.db import get_database

__all__ = ["components", "weeks", "scorecard", "dossier_stats", "notice_html", "notice_pdf"]

logger = logging.getLogger(__name__)


def components() -> tuple[Component, ...]:
    """The 766 components of the catalog, or () when the catalog defines none yet."""
    try:
        return default_components()
    except IocError as exc:
        logger.warning("766 components unavailable: %s", exc)
        return ()


@cache.memoize(timeout=LONG)
def weeks(level: str) -> list[date]:
    """Mondays of the weeks with 766 results at ``level``, newest first."""
    if not components():
        return []
    return result_weeks(get_database(), level=level, components=components())


@cache.memoize(timeout=SHORT)
def scorecard(level: str, week: str | None = None) -> Scorecard | None:
    """The scorecard of ``level`` for the week (ISO Monday) or the latest week; None without data."""
    if not components():
        return None
    return load_scorecard(get_database(), level=level, week=date.fromisoformat(week) if week else None,
                          components=components())


@cache.memoize(timeout=SHORT)
def dossier_stats(by: str, period: str, parent_code: str | None = None) -> DossierStats:
    """Dossier statistics per ``department``, ``district`` or ``commune`` over a named period."""
    return _dossier_stats(get_database(), by=by, period=period, parent_code=parent_code)


def _notice(district: str, week: str | None):
    districts = scorecard("district", week)
    if districts is None:
        raise LookupError("no 766 results yet: nothing to put in a notice")
    communes = scorecard("commune", districts.week.isoformat())
    return build_notice(district, districts, communes)


def notice_html(district: str, week: str | None, lang: str) -> str:
    """The weekly notice of a district as printable HTML."""
    return render_notice_html(_notice(district, week), lang)


def notice_pdf(district: str, week: str | None, lang: str) -> bytes | None:
    """The weekly notice as PDF (None when no Chromium is installed: use the HTML)."""
    return render_notice_pdf(notice_html(district, week, lang))
