"""Wall endurance: the JS heap of /wall stays flat over an accelerated run (IOC_WALL_BENCH_MINUTES, default 0.5)."""

from __future__ import annotations

import json
import os

import pytest

from layouts.bench_wall import run_wall_bench, serve_in_thread
from tests.layouts.browser_helpers import SCREENSHOTS
from tests.layouts.ops_fixtures import ops_components, ops_data  # noqa: F401


@pytest.mark.browser
@pytest.mark.slow
def test_wall_heap_stays_flat(dash_app, dash_db, ops_data):  # noqa: F811
    from ioc.auth import accounts

    minutes = float(os.environ.get("IOC_WALL_BENCH_MINUTES", "0.5"))
    token = accounts.create_display_token(dash_db[0], "test-wall-bench", "dieu-hanh", actor="test")
    base, server = serve_in_thread(dash_app.server)
    try:
        # Signs in with a display token, as a real wall screen does.
        result = run_wall_bench(base, minutes=minutes, interval=2, sample_s=min(60.0, minutes * 30), token=token)
    finally:
        server.shutdown()
        accounts.revoke_display_token_value(dash_db[0], token, actor="test")
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / "wall_bench.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}))
    assert result["server_answers"] >= result["view_changes"] * 0.8  # the wall kept talking to the server
    assert "MẤT TÍN HIỆU" not in result["final_status"]
    assert result["heap_growth_mb"] < 3.0, result  # flat: no per-rotation leak
    assert result["dom_nodes_end"] < result["dom_nodes_start"] * 1.5 + 500
