"""Locust users browsing the dashboard like a browser does: overview, indicator and map pages.

A page view is what the Dash renderer does for it: GET the page, run the page
router callback (which returns the page layout), then every callback the
layout triggers on load (sent together, up to 6 at once like a browser), then
the callbacks chained from their outputs. Each
request is reported under its own name (``cb overview-map.figure``) and the
whole view once more as request type ``PAGE`` (name ``overview``,
``indicator``, ``map``): those are the per-page figures of docs/load-test.md.

Environment: ``IOC_LOAD_COOKIES`` (a file of session cookies, one a line: the
users were signed in before, by ``load_test.py``'s timed login phase, so the
measured run is page browsing only) or else ``IOC_LOAD_USER`` /
``IOC_LOAD_PASSWORD`` (each user logs in on start when the app has a login
page), ``IOC_LOAD_INDICATORS`` (comma-separated codes to open).
Run: ``locust -f benchmarks/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8050``
(``benchmarks/load_test.sh`` starts everything and runs this).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path

from gevent.pool import Pool
from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dash_renderer import Renderer, router_body, walk  # noqa: E402

PAGES = {"overview": "/", "map": "/ban-do"}
PARALLEL = 6  # a browser's connections per host (HTTP/1.1): the renderer sends a round's callbacks at once
INDICATORS = [c for c in os.environ.get("IOC_LOAD_INDICATORS", "").split(",") if c]
_COOKIES_FILE = os.environ.get("IOC_LOAD_COOKIES")
_SIGNED_IN = Path(_COOKIES_FILE).read_text().split() if _COOKIES_FILE else []
SESSIONS = itertools.cycle(_SIGNED_IN) if _SIGNED_IN else None  # session cookies of signed-in users


class DashboardUser(HttpUser):
    """An analyst or leader opening pages every few seconds."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.origin = {"Origin": self.host.rstrip("/"), "Content-Type": "application/json"}
        if SESSIONS is not None:
            self.client.cookies.set("ioc_session", next(SESSIONS))
        else:
            self._login()
        shell = self.client.get("/_dash-layout", name="_dash-layout").json()
        self.shell: dict[str, dict] = {}
        walk(shell, self.shell)
        self.renderer = Renderer(self.client.get("/_dash-dependencies", name="_dash-dependencies").json())

    def _login(self) -> None:
        page = self.client.get("/login", name="login page")
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        if match is None:
            return  # no login route: the security layer is not installed
        self.client.post("/login", name="login", allow_redirects=False, headers={"Origin": self.host.rstrip("/")},
                         data={"csrf": match.group(1), "username": os.environ.get("IOC_LOAD_USER", "load"),
                               "password": os.environ.get("IOC_LOAD_PASSWORD", ""), "next": "/"})

    def _callback(self, name: str, body: dict) -> dict:
        with self.client.post("/_dash-update-component", data=json.dumps(body), headers=self.origin,
                              name=f"cb {name}", catch_response=True) as reply:
            if reply.status_code == 204:
                reply.success()
                return {}
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}: {reply.text[:200]}")
                self.failed_requests += 1
                return {}
            return reply.json().get("response", {})

    def view(self, page: str, path: str) -> None:
        """One page view, reported whole as request type PAGE."""
        start = time.perf_counter()
        failed = None
        self.failed_requests = 0
        try:
            self.client.get(path, name=f"GET {page}").raise_for_status()
            routed = self._callback("router", router_body(path))
            components = dict(self.shell)
            walk(routed.get("_pages_content", {}).get("children"), components)
            changed = None
            for _round in range(3):  # initial callbacks, then what their outputs trigger
                calls = self.renderer.calls(components, changed)
                if not calls:
                    break
                changed = set()
                replies = Pool(PARALLEL).map(lambda call: self._callback(*call), calls)
                for reply in replies:
                    for cid, props in reply.items():
                        components.setdefault(cid, {}).update(props)
                        changed |= {f"{cid}.{p}" for p in props}
            if self.failed_requests:
                raise RuntimeError(f"{self.failed_requests} callback(s) of the view failed")
        except Exception as exc:  # reported as a failed page view, the user goes on
            failed = exc
        events.request.fire(request_type="PAGE", name=page, response_time=(time.perf_counter() - start) * 1000,
                            response_length=0, exception=failed, context={})

    @task(3)
    def overview(self) -> None:
        self.view("overview", PAGES["overview"])

    @task(3)
    def indicator(self) -> None:
        code = random.choice(INDICATORS) if INDICATORS else "UNKNOWN"
        area_range = random.choice(["", "?range=7d", "?range=1y", "?range=30d"])
        self.view("indicator", f"/indicator/{code}{area_range}")

    @task(2)
    def map(self) -> None:
        self.view("map", PAGES["map"])
