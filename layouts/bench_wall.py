"""Wall-display endurance benchmark: JS heap and DOM size of headless Chromium over an accelerated run.

The wall rotates every ``interval`` seconds (instead of 20) and re-reads its
data as often, so ``minutes`` of run stand for many hours of a real screen. The
heap is measured through the Chrome DevTools Protocol after a forced garbage
collection, once after a warm-up rotation and then every ``sample_s`` seconds;
growth is the last sample against the first.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "run_wall_bench", "serve_in_thread"]

logger = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def serve_in_thread(wsgi_app: Any) -> tuple[str, Any]:
    """Serve ``wsgi_app`` with werkzeug on a free local port; return (base URL, server to shut down)."""
    from werkzeug.serving import make_server

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, wsgi_app, threaded=True)
    threading.Thread(target=server.serve_forever, name="wall-bench", daemon=True).start()
    return f"http://127.0.0.1:{port}", server


def _sample(cdp: Any, page: Any) -> dict[str, float]:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "heap_used_mb": round(metrics.get("JSHeapUsedSize", 0) / 2**20, 3),
        "heap_total_mb": round(metrics.get("JSHeapTotalSize", 0) / 2**20, 3),
        "dom_nodes": int(metrics.get("Nodes", 0)),
        "listeners": int(metrics.get("JSEventListeners", 0)),
        "rotations": page.evaluate("() => window.__iocWall ? window.__iocWall.answers : 0"),
    }


def run_wall_bench(
    base_url: str,
    *,
    minutes: float = 10.0,
    interval: int = 2,
    views: str = "kpi,score766,traffic,alerts,environment",
    sample_s: float = 60.0,
    chromium: str = CHROMIUM,
    token: str | None = None,
) -> dict[str, Any]:
    """Drive ``/wall`` for ``minutes`` and return heap/DOM samples and their growth.

    ``token`` is a wall display token (``ioc users token add``): the screen signs in with it
    first, as a real wall does.
    """
    if not Path(chromium).exists():
        raise FileNotFoundError(f"{chromium} not found: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    count = len([v for v in views.split(",") if v.strip()])
    url = f"{base_url}/wall?views={views}&interval={interval}"
    samples: list[dict[str, float]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        if token:
            page.goto(f"{base_url}/wall?token={token}")
        page.goto(url)
        page.wait_for_selector("#wall-stage [data-view]", timeout=30_000)
        time.sleep(interval * count + 2)  # warm-up: one full rotation
        start = time.monotonic()
        samples.append(_sample(cdp, page) | {"t_s": 0.0})
        deadline = start + minutes * 60
        while time.monotonic() < deadline:
            time.sleep(min(sample_s, max(deadline - time.monotonic(), 0)))
            samples.append(_sample(cdp, page) | {"t_s": round(time.monotonic() - start, 1)})
            logger.info("wall bench: %s", samples[-1])
        status = page.inner_text("#wall-status")
        browser.close()
    first, last = samples[0], samples[-1]
    elapsed = last["t_s"] or 1.0
    return {
        "url": url,
        "minutes": round(elapsed / 60, 2),
        "interval_s": interval,
        "views": count,
        "view_changes": int(elapsed / interval),
        "equivalent_hours_at_20s": round(elapsed / interval * 20 / 3600, 1),
        "heap_start_mb": first["heap_used_mb"],
        "heap_end_mb": last["heap_used_mb"],
        "heap_growth_mb": round(last["heap_used_mb"] - first["heap_used_mb"], 3),
        "heap_growth_pct": round(100 * (last["heap_used_mb"] - first["heap_used_mb"]) / max(first["heap_used_mb"], 1e-9), 1),
        "heap_max_mb": max(s["heap_used_mb"] for s in samples),
        "dom_nodes_start": first["dom_nodes"],
        "dom_nodes_end": last["dom_nodes"],
        "server_answers": last["rotations"],
        "final_status": status,
        "samples": samples,
    }
