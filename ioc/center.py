"""The whole operations center in one process group: what ``ioc up`` runs.

Order matters: servers (configured or embedded) → migrations → demo data when the
database is empty → the first admin account → collectors (MQTT input and the
batching writer) → scheduler (pull sources, maintenance, alerts) → simulated
feeds → the dashboard. Shutdown runs the same list backwards.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import ExitStack
from dataclasses import dataclass

from ioc.config import Settings
from ioc.runtime import Runtime
from ioc.storage.db import Database, set_database
from ioc.storage.migrate import upgrade

__all__ = ["CenterOptions", "OperationsCenter"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CenterOptions:
    """What ``ioc up`` starts besides the collectors."""

    serve: bool = True
    simulate: bool = True
    history_days: float = 30.0
    addresses: int = 286_947


class OperationsCenter:
    """Starts every part of the IOC for one process and stops them on a signal."""

    def __init__(self, settings: Settings, options: CenterOptions | None = None) -> None:
        self.settings = settings
        self.options = options or CenterOptions()
        self._stop = threading.Event()
        self._http = None

    def run(self) -> None:
        """Start everything and block until SIGINT/SIGTERM."""
        with ExitStack() as stack:
            settings = stack.enter_context(Runtime(self.settings, database=True, broker=True))
            # app.py and the pages read settings from the environment: point them here too.
            os.environ["IOC_DATABASE_URL"] = settings.database_url
            os.environ["IOC_MQTT_URL"] = settings.mqtt_url
            db = stack.enter_context(Database(settings.database_url, max_size=settings.db_pool_max))
            set_database(db)
            stack.callback(set_database, None)
            upgrade(db, retention_days=settings.retention_days)
            self._prepare_data(db)
            self._announce_admin(db)
            self._start_services(stack, settings, db)
            self._install_signal_handlers()
            if self.options.serve:
                self._serve(settings)
            else:
                self._stop.wait()
            logger.info("stopping the operations center")

    def stop(self) -> None:
        """Ask :meth:`run` to return (from a signal handler or another thread)."""
        self._stop.set()
        if self._http is not None:
            threading.Thread(target=self._http.shutdown, daemon=True).start()

    def _prepare_data(self, db: Database) -> None:
        from collectors.simulators.history import backfill
        from collectors.simulators.seed import load_demo
        from geo.loading import load_demo as load_demo_territory
        from ioc.storage.addresses import count_addresses

        with db.connection() as conn:
            has_areas = conn.execute("SELECT EXISTS (SELECT 1 FROM area)").fetchone()[0]
            has_history = conn.execute("SELECT EXISTS (SELECT 1 FROM observation)").fetchone()[0]
            addresses = count_addresses(conn)
        if not has_areas or (addresses == 0 and self.options.addresses):
            logger.info("loading the demo territory and %d digital addresses", self.options.addresses)
            load_demo_territory(db, addresses=self.options.addresses if addresses == 0 else 0)
        load_demo(db)  # catalog and fleet: upserted from the shipped files every start
        if not has_history and self.options.history_days > 0:
            logger.info("first start: backfilling %.0f days of history", self.options.history_days)
            backfill(db, days=self.options.history_days)

    def _announce_admin(self, db: Database) -> None:
        from ioc.auth.accounts import ensure_first_admin

        password = ensure_first_admin(db)
        if password:
            banner = "=" * 64
            print(f"\n{banner}\n  Tài khoản quản trị / admin account: admin\n"
                  f"  Mật khẩu / password (shown once): {password}\n"
                  f"  Change it with: ioc users passwd admin\n{banner}\n", flush=True)

    def _start_services(self, stack: ExitStack, settings: Settings, db: Database) -> None:
        from collectors.scheduler import scheduler_from_settings
        from collectors.service import CollectorService

        collector = CollectorService(settings, db).start()
        stack.callback(collector.stop)
        scheduler = scheduler_from_settings(settings, db)
        scheduler.start()
        stack.callback(scheduler.shutdown)
        if self.options.simulate and settings.simulate:
            from collectors.simulators.live import SimulatorService

            simulator = SimulatorService(settings)
            simulator.start()
            stack.callback(simulator.stop)

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop())

    def _serve(self, settings: Settings) -> None:
        from werkzeug.serving import make_server

        from app import server

        self._http = make_server(settings.host, settings.port, server, threaded=True)
        print(f"IOC dashboard: http://{settings.host}:{settings.port}", flush=True)
        if self._stop.is_set():
            return
        self._http.serve_forever()
