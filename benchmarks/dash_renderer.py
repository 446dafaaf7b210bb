"""What the Dash renderer requests for a page view: the callbacks a fresh layout fires, and in which rounds.

Shared by the locust users (``benchmarks/locustfile.py``) and the in-process CPU count
(``benchmarks/view_cpu.py``), so both replay the same page views. Callbacks are found from
``/_dash-dependencies`` and the layout, so the replay follows the pages as they change: a
callback with ``prevent_initial_call`` does not fire on load, a callback whose inputs or
outputs are missing from the layout does not fire at all.
"""

from __future__ import annotations

import json
from typing import Any

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


def router_body(path: str) -> dict:
    """The page router's request for ``path`` (``/indicator/X?range=7d``)."""
    pathname, _, search = path.partition("?")
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": f"?{search}" if search else ""}],
        "changedPropIds": ["_pages_location.pathname"], "state": []}


def walk(node: Any, found: dict[str, dict]) -> None:
    """Collect every component's props by its id (dict ids as sorted JSON) from a layout tree."""
    if isinstance(node, list):
        for item in node:
            walk(item, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and "type" in node:
            if "id" in props:
                found[_key(props["id"])] = props
            for value in props.values():
                walk(value, found)


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
