"""Private, restartable servers and processes for the reliability tests.

Never the machine's shared PostgreSQL or Mosquitto: other runs use them. Each
test gets its own Mosquitto (subprocess, persistence on), its own embedded
PostgreSQL when it restarts the database, collector and gunicorn processes,
and a QoS 1 publisher that records what the broker acknowledged.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
import requests
from paho.mqtt.client import CallbackAPIVersion

from collectors.mqtt.const import telemetry_topic
from ioc.embedded import free_port
from ioc.storage.db import Database

__all__ = [
    "BIN",
    "wait_for",
    "wait_port",
    "pace",
    "PrivateMosquitto",
    "CollectorProcess",
    "AckedStream",
    "Gunicorn",
    "login",
    "stored_per_series",
    "tail",
    "evaluate_alerts_process",
]

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.1) -> object:
    """Poll ``predicate`` until truthy; fail the test naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not reached within {timeout:.0f} s (last value {value!r})")
        time.sleep(interval)


def wait_port(port: int, timeout: float = 20.0) -> None:
    """Wait until something listens on 127.0.0.1:``port``."""

    def up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
            return True
        except OSError:
            return False

    wait_for(up, timeout, f"a server on port {port}")


def pace(start: float, sent: int, rate: float) -> None:
    """Sleep until ``sent`` messages are due at ``rate`` per second since ``start`` (time.monotonic)."""
    lag = start + sent / rate - time.monotonic()
    if lag > 0:
        time.sleep(lag)


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file (for failure messages)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class PrivateMosquitto:
    """A Mosquitto of one test: persistence on, so QoS 1 sessions survive a restart.

    Also the ``private_broker`` fixture of the collector tests (tests/collectors/conftest.py).
    """

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not os.path.exists(self.binary):
            pytest.fail("mosquitto not found: apt-get install mosquitto")
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.config = folder / "mosquitto.conf"
        user = "user root\n" if os.geteuid() == 0 else ""  # as root it would drop to 'mosquitto' and lose tmp_path
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n{user}persistence true\n"
            f"persistence_location {folder}/\nautosave_interval 1\nmax_queued_messages 1000000\n"
            "max_inflight_messages 0\nlog_dest none\n"
        )
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> "PrivateMosquitto":
        self.proc = subprocess.Popen([self.binary, "-c", str(self.config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, 10)
        return self

    def stop(self) -> None:
        """SIGTERM: the broker writes its sessions and queued messages to disk first."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)
        self.proc = None


class CollectorProcess:
    """``ioc collect`` as a subprocess (the deployment's unit), restartable with the same client id."""

    def __init__(self, db_url: str, mqtt_url: str, prefix: str, log: Path, *, client_id: str | None = None,
                 shared_group: str | None = None) -> None:
        self.client_id = client_id or f"ioc-rel-{uuid.uuid4().hex[:6]}"
        self.log = log
        self.env = {
            **os.environ,
            "IOC_DATABASE_URL": db_url,
            "IOC_MQTT_URL": mqtt_url,
            "IOC_MQTT_TOPIC_PREFIX": prefix,
            "IOC_MQTT_CLIENT_ID": self.client_id,
            "IOC_WRITER_FLUSH_INTERVAL": "0.1",
            "IOC_LOG_LEVEL": "INFO",
        }
        if shared_group:
            self.env["IOC_MQTT_SHARED_GROUP"] = shared_group
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> "CollectorProcess":
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts} at {time.time():.3f}\n".encode())
        self.proc = subprocess.Popen([str(BIN / "ioc"), "collect", "--no-migrate"], env=self.env,
                                     stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        return self

    def wait_connected(self, timeout: float = 30.0) -> None:
        """Wait until this start's process logged its broker connection."""
        marker = f"--- start {self.starts} at".encode()

        def connected() -> bool:
            text = self.log.read_bytes()
            return b"connected to" in text[text.rfind(marker):]

        wait_for(connected, timeout, f"collector {self.client_id} connected\n{tail(self.log)}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


class AckedStream:
    """A steady QoS 1 stream of single readings; remembers which messages the broker acknowledged.

    Each message is one reading ``(device, pm25, ts, value)`` with a unique
    ``ts`` per device. :meth:`acked_per_series` gives count and sum per series
    of the messages whose PUBACK arrived — what must end up stored exactly once.
    """

    def __init__(self, url: str, prefix: str, devices: list[str], *, rate: float, seconds: float) -> None:
        from ioc.config import MqttEndpoint

        endpoint = MqttEndpoint(url)
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"rel-pub-{uuid.uuid4().hex[:8]}",
                                  protocol=mqtt.MQTTv5)
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(1000)
        self.client.reconnect_delay_set(min_delay=0.2, max_delay=1)
        self.acked: set[int] = set()  # message ids whose PUBACK arrived (fewer than 65,535: never reused)
        self.client.on_publish = lambda client, userdata, mid, reason_code, properties: self.acked.add(mid)
        self.client.connect(endpoint.host, endpoint.port)
        self.client.loop_start()
        self.topics = [telemetry_topic(prefix, d) for d in devices]
        self.devices = devices
        self.rate = rate
        self.seconds = seconds
        self.sent: list[tuple[mqtt.MQTTMessageInfo, str, float]] = []
        self.thread = threading.Thread(target=self._run, name="acked-stream", daemon=True)

    def _run(self) -> None:
        start = time.monotonic()
        base = time.time() - 1800  # half an hour ago, one millisecond apart: unique, within the 30-day window
        total = min(int(self.rate * self.seconds), 65_000)
        for i in range(total):
            k = i % len(self.devices)
            value = float(i % 97) + 0.5
            ts = datetime.fromtimestamp(base + i * 0.001, timezone.utc).isoformat()
            payload = b'{"metric":"pm25","value":%.1f,"ts":"%s"}' % (value, ts.encode())
            info = self.client.publish(self.topics[k], payload, qos=1)
            self.sent.append((info, self.devices[k], value))
            pace(start, i + 1, self.rate)

    def start(self) -> "AckedStream":
        self.thread.start()
        return self

    def finish(self, timeout: float = 40.0) -> int:
        """Wait for the last publish and for the acknowledgements; return how many are unacknowledged."""
        self.thread.join(self.seconds + timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.acked) < len(self.sent):
            time.sleep(0.2)
        self.client.disconnect()
        self.client.loop_stop()
        return sum(1 for info, _, _ in self.sent if info.mid not in self.acked)

    def acked_per_series(self) -> dict[str, tuple[int, float]]:
        """(count, sum) of the broker-acknowledged readings per device."""
        out: dict[str, list] = {}
        for info, device, value in self.sent:
            if info.mid in self.acked:
                slot = out.setdefault(device, [0, 0.0])
                slot[0] += 1
                slot[1] += value
        return {d: (n, round(s, 3)) for d, (n, s) in out.items()}


def stored_per_series(db: Database, devices: list[str]) -> dict[str, tuple[int, float]]:
    """(count, sum) of the stored readings per device."""
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT s.device_id, count(*), sum(o.value) FROM observation o JOIN series s ON s.id = o.series_id"
            " WHERE s.device_id = ANY(%s) GROUP BY 1",
            (devices,),
        ).fetchall()
    return {d: (int(n), round(float(total), 3)) for d, n, total in rows}


class Gunicorn:
    """``gunicorn app:server`` as a subprocess; the access log names the worker pid of each request."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 1) -> None:
        self.port = free_port()
        self.log = log
        self.access = log.with_suffix(".access")
        self.env = {**os.environ, **env}
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "Gunicorn":
        cmd = [str(BIN / "gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "60",
               "--access-logfile", str(self.access), "--access-logformat", "%(p)s %(s)s %(U)s", "app:server"]
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        wait_for(lambda: self._healthy(), timeout, f"gunicorn on {self.port}\n{tail(self.log)}", interval=0.5)
        return self

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.proc.returncode}\n{tail(self.log)}")
        try:
            return requests.get(self.url + "/_dash-layout", timeout=5, allow_redirects=False).status_code < 500
        except requests.RequestException:
            return False

    def worker_of_requests(self) -> list[tuple[int, int, str]]:
        """(worker pid, status, path) of every request so far."""
        out = []
        for line in self.access.read_text().splitlines() if self.access.exists() else []:
            match = re.match(r"<(\d+)> (\d+) (\S+)", line)
            if match:
                out.append((int(match.group(1)), int(match.group(2)), match.group(3)))
        return out

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


def login(session: requests.Session, base: str, username: str, password: str) -> bool:
    """Log in through /login when the app has it (security installed); True when it did."""
    page = session.get(f"{base}/login", timeout=30)
    match = re.search(r'name="csrf"\s+value="([^"]+)"', page.text)
    if page.status_code == 404 or match is None:
        return False  # no login route: Dash's own page router answered (security not installed)
    reply = session.post(f"{base}/login", data={"csrf": match.group(1), "username": username, "password": password,
                                                "next": "/"}, headers={"Origin": base}, allow_redirects=False, timeout=30)
    if reply.status_code not in (302, 303):
        pytest.fail(f"login refused ({reply.status_code}): {reply.text[:300]}")
    return True


def evaluate_alerts_process(url: str, barrier, results) -> None:
    """Body of a spawned process: one alert engine's ``run_once`` started in step with the others."""
    from ioc.alerts.engine import AlertEngine

    try:
        with Database(url, max_size=2) as db:
            engine = AlertEngine(db)
            barrier.wait(60)
            counts = engine.run_once()
        results.put(dict(counts))
    except Exception as exc:  # reported to the test, which fails on it
        results.put({"error": f"{type(exc).__name__}: {exc}"})
