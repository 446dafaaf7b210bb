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
import time
from pathlib import Path
from typing import Any

from gevent.pool import Pool
from locust import HttpUser, between, events, task

PAGES = {"overview": "/", "map": "/ban-do"}
PARALLEL = 6  # a browser's connections per host (HTTP/1.1): the renderer sends a round's callbacks at once
INDICATORS = [c for c in os.environ.get("IOC_LOAD_INDICATORS", "").split(",") if c]
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
_COOKIES_FILE = os.environ.get("IOC_LOAD_COOKIES")
_SIGNED_IN = Path(_COOKIES_FILE).read_text().split() if _COOKIES_FILE else []
SESSIONS = itertools.cycle(_SIGNED_IN) if _SIGNED_IN else None  # session cookies of signed-in users


def _walk(node: Any, found: dict[str, dict]) -> None:
    """Collect every component's props by its id (dict ids as sorted JSON) from a layout tree."""
    if isinstance(node, list):
        for item in node:
            _walk(item, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and "type" in node:
            if "id" in props:
                found[_key(props["id"])] = props
            for value in props.values():
                _walk(value, found)


def _key(component_id: Any) -> str:
    return json.dumps(component_id, sort_keys=True, separators=(",", ":")) if isinstance(component_id, dict) else str(component_id)


def _parse_outputs(spec: str) -> list[tuple[str, str]]:
    """``..a.b...c.d..`` or ``a.b`` → [(id, property)]; dict ids keep their JSON text."""
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    return [tuple(p.rsplit(".", 1)) for p in parts]


def _matches(pattern: dict, candidate: Any) -> bool:
    if not isinstance(candidate, dict) or set(candidate) != set(pattern):
        return False
    return all(isinstance(v, list) or candidate[k] == v for k, v in pattern.items())


class Renderer:
    """The part of the Dash renderer that decides which callbacks a fresh layout fires."""

    def __init__(self, dependencies: list[dict]) -> None:
        self.deps = [d for d in dependencies if not d.get("clientside_function") and not d.get("background")
                     and d["output"] != ROUTER_OUTPUT]

    def calls(self, components: dict[str, dict], changed: set[str] | None) -> list[tuple[str, dict]]:
        """(name, request body) of each callback to run: initial ones (changed None) or those fed by ``changed``."""
        out = []
        for dep in self.deps:
            if changed is None and dep.get("prevent_initial_call"):
                continue
            for body in self._bodies(dep, components):
                fired = {f"{_key(i['id'])}.{i['property']}" for i in _flat(body["inputs"])}
                if changed is None or fired & changed:
                    out.append((dep["output"], body))
        return out

    def _bodies(self, dep: dict, components: dict[str, dict]) -> list[dict]:
        specs = dep["inputs"] + dep.get("state", [])
        outputs = _parse_outputs(dep["output"])
        patterns = [json.loads(s["id"]) if s["id"].startswith("{") else None for s in specs]
        if not any(patterns) and not any(o[0].startswith("{") for o in outputs):
            if not all(o[0] in components for o in outputs) or not all(s["id"] in components for s in specs):
                return []
            return [self._body(dep, outputs, specs, [s["id"] for s in specs], components, None)]
        # Pattern-matching: one call per MATCH value present in the layout (ALL: every match at once).
        ids = {k: json.loads(k) for k in components if k.startswith("{")}
        first = next((p for p in patterns if p), None)
        if first is None:
            return []
        match_keys = [k for k, v in first.items() if v == ["MATCH"]]
        values = {tuple(i[k] for k in match_keys) for i in ids.values() if _matches(first, i)}
        bodies = []
        for value in values:
            bound = dict(zip(match_keys, value))
            concrete = []
            for spec, pattern in zip(specs, patterns):
                if pattern is None:
                    concrete.append(spec["id"])
                    continue
                want = {k: (bound.get(k, v) if v == ["MATCH"] else v) for k, v in pattern.items()}
                hits = [i for i in ids.values() if _matches(want, i)]
                if any(v == ["ALL"] for v in pattern.values()):
                    concrete.append(hits)
                elif hits:
                    concrete.append(hits[0])
                else:
                    break
            else:
                bodies.append(self._body(dep, outputs, specs, concrete, components, bound))
        return bodies

    @staticmethod
    def _body(dep, outputs, specs, concrete, components, bound) -> dict:
        def entry(component_id: Any, prop: str) -> dict:
            props = components.get(_key(component_id), {})
            return {"id": component_id, "property": prop, "value": props.get(prop)}

        values = [[entry(c, s["property"]) for c in cid] if isinstance(cid, list) else entry(cid, s["property"])
                  for s, cid in zip(specs, concrete)]
        n_inputs = len(dep["inputs"])
        outs = []
        for oid, prop in outputs:
            if oid.startswith("{"):
                pattern = json.loads(oid)
                oid = {k: (bound.get(k, v) if v == ["MATCH"] else v) for k, v in pattern.items()}
            outs.append({"id": oid, "property": prop})
        return {"output": dep["output"], "outputs": outs if len(outs) > 1 else outs[0],
                "inputs": values[:n_inputs], "state": values[n_inputs:],
                "changedPropIds": [f"{_key(i['id'])}.{i['property']}" for i in _flat(values[:n_inputs])]}


def _flat(entries: list) -> list[dict]:
    return [e for item in entries for e in (item if isinstance(item, list) else [item])]


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
        _walk(shell, self.shell)
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
                return {}
            return reply.json().get("response", {})

    def view(self, page: str, path: str) -> None:
        """One page view, reported whole as request type PAGE."""
        start = time.perf_counter()
        failed = None
        try:
            self.client.get(path, name=f"GET {page}")
            pathname, _, search = path.partition("?")
            routed = self._callback("router", {
                "output": ROUTER_OUTPUT,
                "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
                "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                           {"id": "_pages_location", "property": "search", "value": f"?{search}" if search else ""}],
                "changedPropIds": ["_pages_location.pathname"], "state": []})
            components = dict(self.shell)
            _walk(routed.get("_pages_content", {}).get("children"), components)
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
