"""The weekly 766 notice of a district: ranking, components, changes and what to work on.

Modelled on the notice a district's 766 evaluation team (Tổ đánh giá 766) sends
its members and commune leaders every week. :func:`build_notice` is pure;
:func:`render_notice_html` fills ``templates/notice.html`` (printable A4);
:func:`render_notice_pdf` prints that HTML with headless Chromium
(``--print-to-pdf``) when a Chromium binary exists, and returns None otherwise
so callers fall back to the HTML (which prints to PDF from any browser).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ioc.formatting import format_change, format_date, format_datetime, format_number
from ioc.i18n import normalise_language, t
from ioc.score766.components import Component, top_level
from ioc.score766.scorecard import Scorecard, UnitResult

__all__ = ["FocusItem", "WeeklyNotice", "build_notice", "render_notice_html", "render_notice_pdf", "find_chromium",
           "streak_text"]

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
PASS_MARK = 70.0  # "7/7 phường trên 70 điểm": the count the notices report
_CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer")


@dataclass(frozen=True, slots=True)
class FocusItem:
    """A component to work on: the district's points lost and the communes losing most in it."""

    component: Component
    lost: float
    weakest: list[tuple[UnitResult, float]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class WeeklyNotice:
    """Everything the weekly notice of one district shows."""

    week: date
    district: UnitResult
    districts: list[UnitResult]
    districts_ranked: int
    communes: list[UnitResult]
    communes_ranked: int
    components: tuple[Component, ...]
    focus: list[FocusItem]
    issued_at: datetime

    @property
    def week_end(self) -> date:
        """The Sunday closing the week."""
        return self.week + timedelta(days=6)

    @property
    def communes_above_pass(self) -> int:
        """Communes at or above 70 points."""
        return sum(1 for c in self.communes if c.total is not None and c.total >= PASS_MARK)


def _focus(district: UnitResult, communes: list[UnitResult], components: tuple[Component, ...],
           limit: int) -> list[FocusItem]:
    by_code = {c.code: c for c in components}
    items = []
    for code, lost in district.losses[:limit]:
        component = by_code[code]
        weak = [(c, round(component.max_points - (c.scores.get(code) or 0.0), 2)) for c in communes if c.total is not None]
        weak = sorted((w for w in weak if w[1] > 0), key=lambda w: -w[1])[:3]
        items.append(FocusItem(component, lost, weak))
    return items


def build_notice(district_code: str, districts: Scorecard, communes: Scorecard | None, *,
                 focus_limit: int = 3, issued_at: datetime | None = None) -> WeeklyNotice:
    """The notice of ``district_code`` from the district and commune scorecards of one week."""
    district = districts.unit(district_code)
    if district is None:
        raise LookupError(f"district {district_code!r} has no 766 result in the week of {districts.week}; "
                          "pick a district listed in the ranking")
    children = communes.children(district_code) if communes is not None else []
    return WeeklyNotice(
        week=districts.week, district=district, districts=districts.units, districts_ranked=districts.ranked,
        communes=children, communes_ranked=communes.ranked if communes is not None else 0,
        components=districts.components, focus=_focus(district, children, districts.components, focus_limit),
        issued_at=issued_at or datetime.now(timezone.utc),
    )


def streak_text(unit: UnitResult, lang: str = "vi") -> str:
    """"10 tuần liên tiếp dẫn đầu" / "3 tuần liên tiếp ở hạng 2" (empty without a streak)."""
    streak = unit.streak
    if streak is None:
        return ""
    if streak.leading:
        return t("s766.streak_leading", lang, weeks=streak.weeks)
    return t("s766.streak_rank", lang, weeks=streak.weeks, rank=streak.rank)


def _environment(lang: str) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["points"] = lambda v: format_number(v, lang, decimals=2)
    env.filters["score"] = lambda v: format_number(v, lang, decimals=1)
    env.filters["maxp"] = lambda v: format_number(v, lang, decimals=0 if float(v).is_integer() else 1)
    env.filters["change"] = lambda v, d=2: format_change(v, lang, decimals=d)
    env.filters["day"] = lambda v: format_date(v, lang)
    env.globals.update(t=lambda key, **kw: t(key, lang, **kw), lang=lang, streak_text=lambda u: streak_text(u, lang),
                       format_datetime=lambda v: format_datetime(v, lang), top_level=top_level)
    return env


def render_notice_html(notice: WeeklyNotice, lang: str = "vi") -> str:
    """The notice as a standalone, printable HTML page (A4, inline CSS)."""
    lang = normalise_language(lang)
    return _environment(lang).get_template("notice.html").render(notice=notice)


def find_chromium() -> str | None:
    """Path of a Chromium binary (Debian's /usr/bin/chromium first), or None."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def render_notice_pdf(html: str, *, chromium: str | None = None, timeout: float = 60.0) -> bytes | None:
    """The HTML printed to PDF by headless Chromium, or None when no Chromium is installed."""
    binary = chromium or find_chromium()
    if binary is None:
        logger.info("no chromium found: the 766 notice is available as HTML only")
        return None
    with tempfile.TemporaryDirectory(prefix="ioc-notice-") as folder:
        source, target = Path(folder) / "notice.html", Path(folder) / "notice.pdf"
        source.write_text(html, encoding="utf-8")
        command = [binary, *_CHROMIUM_ARGS, f"--user-data-dir={folder}/profile", f"--print-to-pdf={target}",
                   source.as_uri()]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            logger.warning("chromium %s could not print the 766 notice: %s", binary, exc)
            return None
        if not target.exists():
            logger.warning("chromium %s printed no PDF for the 766 notice", binary)
            return None
        return target.read_bytes()
