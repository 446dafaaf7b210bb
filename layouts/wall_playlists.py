"""Wall-display playlists: saved ones from ``ioc/data/wall/playlists.csv``, overridden by URL parameters.

``/wall?playlist=giao-thong`` plays a saved playlist; ``/wall?views=traffic,alerts&interval=15``
plays an ad-hoc one (``views`` separated by ``,`` or ``|``). Unknown views in a
URL are dropped (a typo must not blank a wall screen); unknown views in the
data file are a :class:`~ioc.errors.DataFileError` naming the row.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ioc.errors import DataFileError

__all__ = ["VIEWS", "DEFAULT_PLAYLIST", "Playlist", "load_playlists", "resolve_playlist", "MIN_INTERVAL", "MAX_INTERVAL"]

logger = logging.getLogger(__name__)

VIEWS = ("kpi", "score766", "traffic", "alerts", "environment")
DEFAULT_PLAYLIST = "dieu-hanh"
MIN_INTERVAL, MAX_INTERVAL = 2, 3600


@dataclass(frozen=True, slots=True)
class Playlist:
    """Views shown in turn, each for ``interval_s`` seconds."""

    code: str
    name_vi: str
    name_en: str
    views: tuple[str, ...]
    interval_s: int

    @property
    def refresh_s(self) -> int:
        """How often the shown view re-reads its data: at most every 15 s, at least once per view."""
        return max(1, min(self.interval_s, 15))

    @property
    def stale_after_s(self) -> int:
        """Seconds without an answer from the server after which the wall says it lost the signal."""
        return max(3 * self.refresh_s, 6)


def _default_path() -> Path:
    return Path(str(resources.files("ioc") / "data" / "wall" / "playlists.csv"))


def _rows(handle):
    return csv.DictReader(line for line in handle if not line.startswith("#"))


def load_playlists(path: Path | None = None) -> dict[str, Playlist]:
    """Saved playlists by code, validated (file, row, reason on error)."""
    path = path or _default_path()
    playlists: dict[str, Playlist] = {}
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DataFileError(str(path), None, f"cannot read the wall playlists: {exc}") from exc
    with handle:
        for number, row in enumerate(_rows(handle), start=2):
            code = (row.get("code") or "").strip()
            views = tuple(v.strip() for v in (row.get("views") or "").split("|") if v.strip())
            unknown = [v for v in views if v not in VIEWS]
            if not code or not views:
                raise DataFileError(str(path), number, "code and views are required")
            if unknown:
                raise DataFileError(str(path), number, f"unknown view(s) {unknown}; use {', '.join(VIEWS)}")
            try:
                interval = int(row.get("interval_s") or 20)
            except ValueError:
                raise DataFileError(str(path), number, f"interval_s {row.get('interval_s')!r} is not a whole number") from None
            if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
                raise DataFileError(str(path), number, f"interval_s {interval} outside {MIN_INTERVAL}–{MAX_INTERVAL}")
            if code in playlists:
                raise DataFileError(str(path), number, f"duplicate playlist {code!r}")
            playlists[code] = Playlist(code, (row.get("name_vi") or code).strip(), (row.get("name_en") or code).strip(),
                                       views, interval)
    return playlists


def resolve_playlist(playlist: str | None = None, views: str | None = None, interval: str | int | None = None,
                     *, saved: dict[str, Playlist] | None = None) -> Playlist:
    """The playlist a wall URL asks for: a saved one (default ``dieu-hanh``) with URL overrides."""
    saved = saved if saved is not None else load_playlists()
    base = saved.get(playlist or DEFAULT_PLAYLIST) or saved.get(DEFAULT_PLAYLIST) or next(iter(saved.values()))
    if playlist and playlist not in saved:
        logger.warning("wall playlist %s unknown; playing %s", playlist, base.code)
    chosen = base.views
    if views:
        asked = [v.strip() for v in views.replace("|", ",").split(",") if v.strip()]
        known = tuple(v for v in asked if v in VIEWS)
        if len(known) < len(asked):
            logger.warning("wall views %s unknown; kept %s", [v for v in asked if v not in VIEWS], known)
        chosen = known or base.views
    seconds = base.interval_s
    if interval is not None and str(interval).strip():
        try:
            seconds = min(MAX_INTERVAL, max(MIN_INTERVAL, int(float(str(interval)))))
        except ValueError:
            logger.warning("wall interval %r is not a number; keeping %s s", interval, seconds)
    return Playlist(base.code if not views else "url", base.name_vi, base.name_en, chosen, seconds)
