"""Server CPU and requests per page view on cache hits, in-process: the figures of docs/load-test.md "Where the time goes".

Replays the load test's page views (``benchmarks/dash_renderer.py``: page GET, router,
every callback the page fires on load, then the chained ones) through Flask's test client of
the real app, signed in as an admin, against the configured database and shared cache (the
cache warmer's first pass fills it, then the timer is stopped). For each page it counts the
requests of one view and times ``--views`` views ``--repeat`` times with
``time.process_time`` taken around the WSGI app only (the server's CPU for the requests:
Flask, Dash, the session and principal checks, cache reads, JSON; not the replay's own work,
nor PostgreSQL's or Redis's CPU), and prints the median per view as JSON. Run it under ``flock /tmp/ioc-bench.lock`` like every measurement::

    IOC_DATABASE_URL=postgresql://.../ioc_load IOC_REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python benchmarks/view_cpu.py [--views 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from dash_renderer import Renderer, router_body, walk  # noqa: E402

ORIGIN = "http://localhost"


def _sign_in(client, username: str, password: str) -> None:
    page = client.get("/login")
    match = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    if match is None:
        return  # no login page: the security layer is not installed
    reply = client.post("/login", headers={"Origin": ORIGIN},
                        data={"csrf": match.group(1), "username": username, "password": password, "next": "/"})
    if reply.status_code not in (302, 303):
        raise SystemExit(f"view_cpu: login refused (HTTP {reply.status_code})")


def page_view(client, renderer: Renderer, shell: dict, path: str) -> list[tuple[str, int, int]]:
    """One page view as the renderer does it; (request, HTTP status, response bytes) of each request."""
    done = []
    reply = client.get(path)
    done.append((f"GET {path.partition('?')[0]}", reply.status_code, len(reply.data)))

    def post(name: str, body: dict) -> dict:
        answer = client.post("/_dash-update-component", json=body, headers={"Origin": ORIGIN})
        done.append((f"cb {name}", answer.status_code, len(answer.data)))
        return answer.get_json().get("response", {}) if answer.status_code == 200 else {}

    routed = post("router", router_body(path))
    components = dict(shell)
    walk(routed.get("_pages_content", {}).get("children"), components)
    changed = None
    for _round in range(3):
        calls = renderer.calls(components, changed)
        if not calls:
            break
        changed = set()
        for name, body in calls:
            for cid, props in post(name, body).items():
                components.setdefault(cid, {}).update(props)
                changed |= {f"{cid}.{p}" for p in props}
    return done


class CpuMeter:
    """WSGI middleware adding up this process's CPU spent inside the app (the response body included)."""

    def __init__(self, app) -> None:
        self.app = app
        self.ms = 0.0

    def __call__(self, environ, start_response):
        started = time.process_time()
        try:
            return list(self.app(environ, start_response))
        finally:
            self.ms += (time.process_time() - started) * 1000


def measure(views: int, repeat: int, pages: dict[str, str]) -> dict:
    """Requests, bytes and median CPU ms per view of each page."""
    from ioc.auth.accounts import create_user
    from ioc.config import load_settings
    from ioc.storage import users
    from ioc.storage.db import Database
    from ioc.storage.kpis import indicator_statuses

    settings = load_settings()
    db = Database(settings.database_url, max_size=2).open()
    name, password = f"view-cpu-{uuid.uuid4().hex[:6]}", f"Cpu-{uuid.uuid4().hex}"
    create_user(db, name, password, role="admin", actor="view-cpu")
    try:
        import app as app_module

        server = app_module.server
        warmer = server.extensions.get("ioc_cache_warmer")
        if warmer is not None:
            warmer.stop()  # its first pass filled the cache; no renewal behind the measured views
        meter = CpuMeter(server.wsgi_app)
        server.wsgi_app = meter
        client = server.test_client()
        _sign_in(client, name, password)
        shell: dict = {}
        walk(client.get("/_dash-layout").get_json(), shell)
        renderer = Renderer(client.get("/_dash-dependencies").get_json())
        with db.connection() as conn:
            code = next(item.code for item in indicator_statuses(conn) if item.value is not None)
        result = {}
        for page, path in pages.items():
            path = path.format(code=code)
            first = page_view(client, renderer, shell, path)  # fills what the warmer did not build
            bad = [r for r in first if r[1] != 200]
            per_view = []
            for _ in range(repeat):
                page_view(client, renderer, shell, path)  # rebuilds what expired (SHORT), unmeasured
                meter.ms = 0.0
                for _ in range(views):
                    page_view(client, renderer, shell, path)
                per_view.append(meter.ms / views)
            result[page] = {"path": path, "cpu_ms_per_view": round(statistics.median(per_view), 1),
                            "runs_ms": [round(v, 1) for v in per_view], "requests": len(first),
                            "bytes": sum(r[2] for r in first), "failed": bad,
                            "request_names": [r[0] for r in first]}
        return {"views": views, "repeat": repeat, "load_avg_1m": round(os.getloadavg()[0], 2),
                "cache": "redis" if settings.redis_url else "filesystem", "pages": result}
    finally:
        with db.connection() as conn:
            users.set_disabled(conn, name, True)
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=10, help="page views per timed run")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per page (the median is reported)")
    args = parser.parse_args()
    if not os.environ.get("IOC_DATABASE_URL"):
        parser.error("set IOC_DATABASE_URL (a database with the demo data, see docs/load-test.md)")
    pages = {"overview": "/", "indicator": "/indicator/{code}?range=30d", "map": "/ban-do"}
    print(json.dumps(measure(args.views, args.repeat, pages), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
