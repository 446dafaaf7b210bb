"""Test support for pull sources: fixture catalog data and a real local HTTP server."""

from __future__ import annotations

import json
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ioc.catalog.models import Catalog, Department, Indicator, Sector
from ioc.storage.areas import AreaRecord, upsert_areas
from ioc.storage.catalog import upsert_catalog
from ioc.storage.db import Database

AREAS = [
    AreaRecord("74", "Bình Dương", "province", name_en="Binh Duong"),
    AreaRecord("724", "Dĩ An", "district", name_en="Di An", parent_code="74", depth=1),
    AreaRecord("725", "Thuận An", "district", name_en="Thuan An", parent_code="74", depth=1),
    AreaRecord("25942", "Tân Bình", "commune", name_en="Tan Binh", parent_code="724", depth=2),
]

# (code, name_vi, name_en, unit, frequency, direction)
INDICATORS = [
    ("TEST.AIR_PM25", "Bụi PM2.5", "PM2.5", "µg/m³", "hourly", "lower_better"),
    ("TEST.DOSSIER_ON_TIME_RATE", "Tỷ lệ hồ sơ đúng hạn", "On-time dossier rate", "%", "daily", "higher_better"),
]


def fixture_catalog(indicators: list[tuple[str, str, str, str, str, str]], **thresholds: tuple) -> Catalog:
    """A one-sector catalog with two departments and the given indicators.

    Each indicator is (code, name_vi, name_en, unit, frequency, direction); ``thresholds``
    maps a code to (warning, critical).
    """
    return Catalog(
        sectors=(Sector(code="CCHC", name_vi="Cải cách hành chính", name_en="Administrative reform"),),
        departments=(Department(code="VPUBND", name_vi="Văn phòng UBND tỉnh", name_en="PPC Office"),
                     Department(code="STTTT", name_vi="Sở Thông tin và Truyền thông", name_en="Dept of Information")),
        units=(), levels=(), device_metrics=(),
        indicators=tuple(
            Indicator(code=code, name_vi=name_vi, name_en=name_en, sector_code="CCHC", department_code="VPUBND",
                      unit=unit, frequency=frequency, agg_time="last", agg_area="mean", direction=direction,
                      warning=thresholds.get(code, (None, None))[0], critical=thresholds.get(code, (None, None))[1],
                      levels=("province", "district", "commune"), source="pull",
                      decimals=0 if unit == "hồ sơ" else 1)
            for code, name_vi, name_en, unit, frequency, direction in indicators
        ),
    )


def seed_reference_data(db: Database, indicators: list[tuple[str, str, str, str, str, str]] = INDICATORS) -> None:
    """Four areas and a small catalog, through the storage API (test fixture data)."""
    with db.connection() as conn:
        upsert_areas(conn, AREAS)
        upsert_catalog(conn, fixture_catalog(indicators))


def count_observations(db: Database) -> int:
    """Rows in the observation table."""
    with db.connection() as conn:
        return conn.execute("SELECT count(*) FROM observation").fetchone()[0]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        server: LocalServer = self.server  # type: ignore[assignment]
        server.hits[self.path] += 1
        script = server.routes.get(self.path)
        if not script:
            status, body, delay = 404, b"not found", 0.0
        else:
            status, body, delay = script.pop(0) if len(script) > 1 else script[0]
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


class LocalServer(ThreadingHTTPServer):
    """A real HTTP server on a free local port; each path answers from a script of responses."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, list[tuple[int, bytes, float]]] = {}
        self.hits: Counter = Counter()

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that gave up (timeout tests) break the pipe: expected, not worth a traceback."""

    def answer(self, path: str, *responses: tuple[int, object] | tuple[int, object, float]) -> str:
        """Script a path: responses are (status, JSON-able body or bytes[, delay s]); the last repeats."""
        script = []
        for status, body, *delay in responses:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            script.append((status, raw, delay[0] if delay else 0.0))
        self.routes[path] = script
        return f"http://127.0.0.1:{self.server_address[1]}{path}"
