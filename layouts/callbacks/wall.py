"""Callbacks of the wall display: the server renders the current view; the browser rotates and watches.

Recovery without a person: the clientside callbacks (rotation, clock, status)
keep running whatever the server does. Each answer of the server callback
carries the time it was served and the server's build id; when no answer has
come for ``stale_after`` seconds the marker says "MẤT TÍN HIỆU" and the view is
dimmed. The refresh interval keeps asking, so the first answer after a restart
brings the page back. If the answer comes from a different build (new code,
different callbacks), the page reloads itself; if nothing has come for
``reload_after`` seconds, the page checks that the server answers a plain GET
before reloading — never reloading into a browser error page.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta, timezone
from importlib import metadata
from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, no_update

from ioc.auth.view_sectors import view_sectors
from ioc.errors import IocError
from ioc.formatting import LOCAL_TZ
from layouts import data, data_admin, data_traffic
from layouts.access import may_read_device_kind, may_read_view, scope
from layouts.components import wall_panels
from layouts.inputs import refused

__all__ = ["build_id", "render_view", "STALE_AFTER"]

logger = logging.getLogger(__name__)

# How old a view's newest data may be before the wall calls it stale.
STALE_AFTER = {
    "kpi": timedelta(hours=3),
    "environment": timedelta(hours=3),
    "alerts": timedelta(hours=3),
    "traffic": timedelta(minutes=15),
    "score766": timedelta(days=14),
}


def build_id() -> str:
    """An id of the running code: the package version and the app's callback graph."""
    try:
        version = metadata.version("ioc")
    except metadata.PackageNotFoundError:
        version = "0"
    try:
        callbacks = sorted(dash.get_app().callback_map)
    except Exception:  # noqa: BLE001 — outside an app (unit tests): the version alone
        callbacks = []
    return hashlib.sha1("\n".join([version, *callbacks]).encode()).hexdigest()[:12]


def _newest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def _panel(name: str, lang: str, now: datetime):
    """(view, newest data time) of one wall view."""
    if name == "kpi":
        return wall_panels.kpi_panel(data.headline(scope()), lang), data.freshness()
    if name == "environment":
        # The environment view shows the sector(s) mapped to it in ioc/data/view_sectors.csv.
        items = [i for code in sorted(view_sectors().get("environment", ())) for i in data.sector_statuses(code, scope())]
        return wall_panels.environment_panel(items, lang), _newest(*(i.ts for i in items))
    if name == "alerts":
        return wall_panels.alerts_panel(data.open_alerts(200, scope()), lang), data.freshness()
    if name == "score766":
        card = data_admin.scorecard("district") if may_read_view("score766") else None
        published = datetime.combine(card.week, datetime.min.time(), LOCAL_TZ) if card else None
        return wall_panels.score766_panel(card, lang), published
    cameras = data_traffic.cameras() if may_read_device_kind("camera") else []
    local = now.astimezone(LOCAL_TZ)
    profile = data_traffic.profile(local.date().isoformat()) if cameras else None
    view = wall_panels.traffic_panel(cameras, data_traffic.incidents(24) if cameras else [], profile, lang, now=local)
    return view, _newest(*(c.updated_at for c in cameras))


def _wall_config(config: Any) -> tuple[list[str], str]:
    """(views, language) of the ``wall-config`` store; a value the page did not write gives the KPI view."""
    if not isinstance(config, dict):
        refused("render_view", "wall-config.data", config, "the wall page's configuration object")
        config = {}
    sent = config.get("views")
    views = [v for v in sent if isinstance(v, str) and v in STALE_AFTER] if isinstance(sent, list) else []
    if sent is not None and (not views or len(views) != len(sent)):
        refused("render_view", "wall-config.data.views", sent, f"a list of {', '.join(STALE_AFTER)}")
    lang = config.get("lang")
    return views or ["kpi"], lang if lang in ("vi", "en") else "vi"


@callback(
    Output("wall-stage", "children"),
    Output("wall-served", "data"),
    Input("wall-index", "data"),
    Input("wall-refresh", "n_intervals"),
    State("wall-config", "data"),
)
def render_view(index: int | None, _tick: int | None, config: dict):
    """Render the current view; on a storage error keep the old one and report the failure."""
    views, lang = _wall_config(config)
    if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
        refused("render_view", "wall-index.data", index, "a view number")
        index = 0
    name = views[(index or 0) % len(views)]
    now = datetime.now(timezone.utc)
    served = {"at": now.isoformat(), "build": build_id(), "view": name}
    try:
        view, data_at = _panel(name, lang, now)
    except IocError as exc:
        logger.warning("wall view %s unavailable: %s", name, exc)
        return no_update, served | {"ok": False, "stale": True, "data_at": None}
    stale = data_at is None or now - data_at > STALE_AFTER[name]
    return view, served | {"ok": True, "stale": stale, "data_at": data_at.isoformat() if data_at else None}


clientside_callback(
    """
    function(n, config) {
        const k = (config && config.views && config.views.length) || 1;
        const i = (n || 0) % k;
        return [i, config.views.map((v, j) => j === i ? '\u25cf' : '\u25cb').join(' ')];
    }
    """,
    Output("wall-index", "data"),
    Output("wall-pager", "children"),
    Input("wall-rotate", "n_intervals"),
    State("wall-config", "data"),
)

clientside_callback(
    """
    function(n, served, config, boot) {
        const w = window.__iocWall = window.__iocWall || {okAt: Date.now(), probing: false, seen: null, answers: 0};
        if (served && served.at !== w.seen) {
            w.seen = served.at;
            if (served.ok) { w.okAt = Date.now(); w.dataAt = served.data_at; w.stale = served.stale; w.answers += 1; }
            if (boot && served.build && served.build !== boot.build) { window.location.reload(); }
        }
        const tz = 'Asia/Ho_Chi_Minh';
        const hm = {timeZone: tz, hour: '2-digit', minute: '2-digit', hour12: false};
        const dm = {timeZone: tz, day: '2-digit', month: '2-digit'};
        const now = new Date();
        // en-GB writes day/month as 30/11, the way Vietnamese dates read (vi-VN gives 30-11).
        const day = (d) => new Intl.DateTimeFormat('en-GB', dm).format(d);
        const fmt = (iso) => {
            if (!iso) { return '\u2014'; }
            const d = new Date(iso);
            return d.toLocaleTimeString('vi-VN', hm) + (day(d) === day(now) ? '' : ' ' + day(d));
        };
        const clock = [now.toLocaleTimeString('vi-VN', hm), day(now)];
        const L = config.labels;
        const age = (Date.now() - w.okAt) / 1000;
        if (age > config.stale_after) {
            if (age > config.reload_after && !w.probing) {
                w.probing = true;
                fetch(window.location.href, {cache: 'no-store'})
                    .then(r => { if (r.ok) { window.location.reload(); } else { w.probing = false; } })
                    .catch(() => { w.probing = false; });
            }
            return [clock.join(' '), L.lost + ' \u00b7 ' + L.old_since.replace('{time}', fmt(w.dataAt)),
                    'wall-status lost', 'wall-root is-lost'];
        }
        if (!w.answers) { return [clock.join(' '), L.waiting, 'wall-status', 'wall-root']; }
        if (w.stale) {
            return [clock.join(' '), L.stale.replace('{time}', fmt(w.dataAt)), 'wall-status stale', 'wall-root is-stale'];
        }
        return [clock.join(' '), L.updated.replace('{time}', fmt(w.dataAt)), 'wall-status ok', 'wall-root'];
    }
    """,
    Output("wall-clock", "children"),
    Output("wall-status", "children"),
    Output("wall-status", "className"),
    Output("wall-root", "className"),
    Input("wall-tick", "n_intervals"),
    Input("wall-served", "data"),
    State("wall-config", "data"),
    State("wall-boot", "data"),
)
