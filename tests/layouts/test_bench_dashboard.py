"""``ioc bench dashboard`` measures what a signed-in leader sees, in its three cache states."""

from __future__ import annotations

import json

from ioc.auth.principal import act_as
from ioc.auth.roles import Principal, Role
from ioc.cache import cache
from layouts.bench import MODES, page_plans, run_dashboard_bench


def test_the_measured_pages_hold_a_leaders_data(dash_app):
    """A bench run as nobody would time empty pages (no sector granted): every step must show data."""
    server = dash_app.server
    cache.clear()
    with server.test_request_context("/"):
        act_as(Principal(name="bench", role=Role.LEADER))
        plans = {page: dict(plan) for page, plan in page_plans().items()}
        tiles = json.dumps(plans["overview"]["tiles"](), ensure_ascii=False)
        rows, title, _counts = plans["sector"]["grid"]()
        head = json.dumps(plans["indicator"]["head"](), ensure_ascii=False)
        series = plans["indicator_other"]["series_30d"]()
        found, _count = plans["catalog"]["search"]()
    assert '"kpi-tile"' in tiles
    assert rows and title
    assert "page-title" in head and "Không có chỉ số" not in head
    assert any(trace.get("y") for trace in series["data"])  # built output: plain JSON data
    assert found


def test_every_page_is_timed_in_each_cache_state(dash_app):
    result = run_dashboard_bench(dash_app.server, iterations=2)
    assert result["target_checked_against"] == "after_warmup" and result["warmup_pass_p95_ms"] > 0
    assert {"overview", "sector", "indicator", "indicator_other", "catalog"} <= result["pages"].keys()
    for page, figures in result["pages"].items():
        assert "error" not in figures, (page, figures)
        for mode in MODES:
            assert figures[mode]["p95_ms"] > 0 and figures[mode]["steps_p95_ms"], (page, mode)
        assert figures["meets_target"] == (figures["after_warmup"]["p95_ms"] < result["target_p95_ms"])
