"""``ioc bench dashboard``: server time of each page's callbacks, p50/p95, in three cache states.

A page's time is its layout function plus every callback the browser fires when
the page opens, each output serialised to JSON as Dash would send it, for a
signed-in leader (every sector) in the default language and theme. Each run is
timed three ways:

- ``cold``: the shared cache cleared just before (every query hits the database,
  every view is built): what nobody meets while the app's cache warmer runs, and
  the first viewer of a view the warmer does not cover meets in part;
- ``after_warmup``: the cache cleared, then one pass of the app's cache warmer
  (``layouts/warm.py``, as at start and every ``IOC_CACHE_WARM_SECONDS``), then the
  page: what a user meets. The target is checked against this one;
- ``warm``: the same page again at once, as a second viewer sees it.

Pages: the overview, the largest sector, the first headline indicator (its page is
warmed), another indicator with district values (not warmed), range switches and a
catalog search.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable

import dash
from plotly.io.json import to_json_plotly

from ioc.auth.principal import act_as
from ioc.auth.roles import Principal, Role
from ioc.cache import cache
from layouts import data
from layouts.warm import warm_views

__all__ = ["run_dashboard_bench", "page_plans"]

logger = logging.getLogger(__name__)

Plan = list[tuple[str, Callable[[], object]]]


def _raw(func: Callable) -> Callable:
    """The undecorated callback (dash.callback wraps it with functools.wraps)."""
    return getattr(func, "__wrapped__", func)


def _layout(path_name: str) -> Callable:
    for page in dash.page_registry.values():
        if page["name"] == path_name:
            return page["layout"]
    raise LookupError(f"page {path_name!r} is not registered")


def page_plans() -> dict[str, Plan]:
    """Per page: (step name, zero-argument call) in the order the browser triggers them."""
    from layouts.callbacks import catalog, indicator, overview, sector, shell

    headline = data.headline()
    sectors = data.sectors()
    code = headline[0].code if headline else None
    sector_code = max(sectors, key=lambda s: s.total).code if sectors else None
    state = {"code": code, "area": None, "range": "30d", "from": None, "to": None, "compare": []}
    root = data.root_area()
    area = root.code if root else None
    warmed = {item.code for item in headline}
    other_code = next((c for c, _vi, _en in data.map_indicators(1) if c not in warmed), code)
    other = {**state, "code": other_code}

    def indicator_page(view: dict) -> Plan:
        return [
            ("layout", lambda: _layout("indicator")(code=view["code"])),
            ("area", lambda: indicator.choose_area(None, view, None, None, None)),
            ("head", lambda: _raw(indicator.update_head)(view, 0)),
            ("series_30d", lambda: _raw(indicator.update_series)(view, area, "30d", None, None, [])),
            ("breakdown", lambda: _raw(indicator.update_breakdown)(view, area)),
        ]

    def overview_map() -> object:
        _options, chosen = _raw(overview.update_map_options)(0, None)
        return _raw(overview.update_map)(chosen)

    plans: dict[str, Plan] = {
        "overview": [
            ("layout", lambda: _layout("overview")()),
            ("freshness", lambda: _raw(shell.update_freshness)(0)),
            ("tiles", lambda: _raw(overview.update_tiles)(0)),
            ("sectors", lambda: _raw(overview.update_sectors)(0)),
            ("map", overview_map),
            ("alerts", lambda: _raw(overview.update_alerts)(0)),
        ],
        "sector": [
            ("layout", lambda: _layout("sector")(sector_code=sector_code)),
            ("grid", lambda: _raw(sector.update_sector)(sector_code, 0)),
        ],
        "indicator": indicator_page(state),  # a headline KPI, as opened from its tile
        "indicator_other": indicator_page(other),  # one the warmer does not cover
        # Interactions on the indicator page: switching the range reads raw data or the daily rollups.
        "indicator_range_24h": [("series", lambda: _raw(indicator.update_series)(state, area, "24h", None, None, []))],
        "indicator_range_1y": [("series", lambda: _raw(indicator.update_series)(state, area, "1y", None, None, []))],
        "catalog": [
            ("layout", lambda: _layout("catalog")(q="ho so")),
            ("search", lambda: _raw(catalog.update_results)("ho so")),
        ],
    }
    return plans


def _percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _run_once(plan: Plan) -> tuple[float, dict[str, float]]:
    steps: dict[str, float] = {}
    for name, call in plan:
        started = time.perf_counter()
        to_json_plotly(call())
        steps[name] = (time.perf_counter() - started) * 1000
    return sum(steps.values()), steps


def _summary(totals: list[float], steps: list[dict[str, float]]) -> dict:
    return {
        "p50_ms": round(_percentile(totals, 50), 1),
        "p95_ms": round(_percentile(totals, 95), 1),
        "max_ms": round(max(totals), 1),
        "steps_p95_ms": {name: round(_percentile([s[name] for s in steps], 95), 1) for name in steps[0]},
    }


MODES = ("cold", "after_warmup", "warm")


def run_dashboard_bench(server, *, iterations: int = 20, target_ms: float = 300.0) -> dict:
    """Time every page ``iterations`` times in each cache state; return the JSON-ready figures."""
    lang, theme = server.config["IOC_LANGUAGE"], server.config["IOC_THEME"]
    results: dict[str, dict] = {}
    warmup_ms: list[float] = []
    with server.test_request_context("/"):
        act_as(Principal(name="bench", role=Role.LEADER))  # a leader sees every sector, as on the wall
        plans = page_plans()
        for page, plan in plans.items():
            try:
                runs: dict[str, tuple[list, list]] = {mode: ([], []) for mode in MODES}
                for _ in range(iterations):
                    for mode in MODES:
                        if mode != "warm":
                            cache.clear()
                        if mode == "after_warmup":
                            started = time.perf_counter()
                            warm_views(server, lang=lang, theme=theme, long=True)
                            warmup_ms.append((time.perf_counter() - started) * 1000)
                        total, steps = _run_once(plan)
                        runs[mode][0].append(total)
                        runs[mode][1].append(steps)
            except Exception as exc:  # a page that cannot run is reported, the others still measured
                logger.warning("page %s could not be measured: %s", page, exc)
                results[page] = {"error": f"{type(exc).__name__}: {exc}"}
                continue
            results[page] = {mode: _summary(*runs[mode]) for mode in MODES}
            results[page]["meets_target"] = results[page]["after_warmup"]["p95_ms"] < target_ms
            results[page]["meets_target_cold"] = results[page]["cold"]["p95_ms"] < target_ms
    return {"iterations": iterations, "target_p95_ms": target_ms, "target_checked_against": "after_warmup",
            "warmup_pass_p95_ms": round(_percentile(warmup_ms, 95), 1) if warmup_ms else None, "pages": results}
