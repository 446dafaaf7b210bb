"""Load test: 50 dashboard users browsing while ingest runs at 5,000 messages/s; prints JSON.

Starts, on the configured PostgreSQL and Redis: a private Mosquitto configured
as docs/operations.md recommends (or ``--mqtt-url``), ``gunicorn -w N app:server``
(Redis shared cache) at lower CPU priority than ingest (``nice -n 10``, the
``Nice=`` of the unit file), ``ioc collect`` (one or several on a ``$share``
subscription), a QoS 1 publisher at the target rate
(``collectors.bench_procs.publisher``, its own process) and, once the users
are signed in (the login phase, timed and reported apart), locust headless
with ``benchmarks/locustfile.py``. Reports p50/p95/p99 per page (the whole page
view: page GET, router callback, every callback the page fires) and per
request, and the ingest rate held during the load (readings stored per second
in the window) with the backlog at the end and the readings lost. The
benchmark devices, user and cache keys are removed afterwards. Usage:
``benchmarks/load_test.sh --help``.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tempfile import mkdtemp

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"load test: {what} not ready after {timeout:.0f} s")
        time.sleep(0.5)


def _http_ok(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=5, allow_redirects=False).status_code < 500
    except requests.RequestException:
        return False


# The gunicorn settings docs/operations.md recommends (app.py itself builds Dash's callback map
# at import, so no warm-up hook is needed). Keep-alive longer than the users' think time avoids
# reset races.
GUNICORN_CONF = """
keepalive = 30
"""


# The broker of docs/operations.md ("Mosquitto"): a client may have 100,000 messages queued
# before the broker drops QoS 1 messages for it (Mosquitto's default is 1,000).
MOSQUITTO_CONF = """listener {port} 127.0.0.1
allow_anonymous true
{user}persistence false
max_queued_messages 100000
max_inflight_messages 0
log_dest file {log}
log_type error
log_type warning
"""


def _start_mosquitto(work: Path) -> tuple[subprocess.Popen, str]:
    """A Mosquitto of this run (configured like production); its process and URL."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = _free_port()
    user = "user root\n" if os.geteuid() == 0 else ""  # as root it would drop to 'mosquitto' and lose the folder
    (work / "mosquitto.conf").write_text(MOSQUITTO_CONF.format(port=port, user=user, log=work / "mosquitto.log"))
    proc = subprocess.Popen([binary, "-c", str(work / "mosquitto.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    _wait(listening, 10, "mosquitto")
    return proc, f"mqtt://127.0.0.1:{port}"


def _broker_drops(work: Path) -> int | None:
    """Mosquitto's "messages are being dropped" warnings in the private broker's log (None: not ours)."""
    log = work / "mosquitto.log"
    if not log.exists():
        return None
    return sum("dropped" in line for line in log.read_text(errors="replace").splitlines())


def _sign_in(host: str, username: str, password: str, sessions: int, parallel: int) -> tuple[list[str], dict]:
    """Log ``sessions`` users in before the measured window; their session cookies and the login times.

    Logins (argon2id, CPU-heavy on purpose) happen once a day in an operations
    room, not 50 at once every minute: they are timed here, ``parallel`` at a
    time, and reported apart from the page views.
    """
    import requests

    def one(_: int) -> tuple[str | None, float]:
        client = requests.Session()
        page = client.get(f"{host}/login", timeout=120)
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        if match is None:
            return "", 0.0  # no login page: the security layer is not installed
        started = time.perf_counter()
        reply = client.post(f"{host}/login", allow_redirects=False, timeout=120, headers={"Origin": host},
                            data={"csrf": match.group(1), "username": username, "password": password, "next": "/"})
        took = time.perf_counter() - started
        return (client.cookies.get("ioc_session") if reply.status_code in (302, 303) else None), took

    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        done = list(pool.map(one, range(sessions)))
    wall = time.perf_counter() - started
    times = sorted(t * 1000 for _, t in done)
    cookies = [c for c, _ in done if c]

    def pct(q: float) -> float:
        return round(times[min(len(times) - 1, int(q * len(times)))]) if times else 0

    return cookies, {"sessions": sessions, "parallel": parallel, "failed": sum(c is None for c, _ in done),
                     "p50_ms": pct(0.50), "p95_ms": pct(0.95), "max_ms": round(times[-1]) if times else 0,
                     "wall_seconds": round(wall, 1)}


def _stats(csv_path: Path) -> dict:
    """Per-page (type PAGE) and per-request figures from locust's ``_stats.csv``."""
    pages, requests_ = {}, {}
    with csv_path.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            figures = {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "max_ms": round(float(row["Max Response Time"] or 0)),
                "per_s": round(float(row["Requests/s"] or 0), 2),
            }
            (pages if row["Type"] == "PAGE" else requests_)[f"{row['Type']} {row['Name']}" if row["Type"] != "PAGE" else row["Name"]] = figures
    return {"pages": pages, "requests": dict(sorted(requests_.items(), key=lambda kv: -kv[1]["p95_ms"]))}


def _setup(db, run: str, devices: int) -> tuple[list[str], str, list[str]]:
    from ioc.auth.accounts import create_user
    from ioc.storage.kpis import indicator_statuses
    from ioc.storage.devices import Device, upsert_devices

    ids = [f"load-{run}-{i}" for i in range(devices)]
    with db.connection() as conn:
        upsert_devices(conn, [Device(i, "air", f"Tải thử {i}") for i in ids])
        codes = [item.code for item in indicator_statuses(conn) if item.value is not None][:40]
    password = f"Load-{uuid.uuid4().hex}"
    create_user(db, f"load-{run}", password, role="admin", actor="load-test")
    return ids, password, codes


def _cleanup(db, run: str, ids: list[str], redis_url: str | None) -> None:
    from ioc.storage import users
    from ioc.storage.ingest import purge_devices

    with db.connection() as conn:
        purge_devices(conn, ids)
        users.set_disabled(conn, f"load-{run}", True)  # kept (audit trail), never usable again
    if redis_url:
        import redis

        store = redis.Redis.from_url(redis_url)
        for key in store.scan_iter("ioc-dash:*"):
            store.delete(key)


def run(args: argparse.Namespace) -> dict:
    """Start everything, run locust, measure, stop everything; return the figures."""
    from collectors import bench_procs
    from collectors.mqtt.const import telemetry_topic
    from ioc.storage.db import Database
    from ioc.storage.ingest import count_device_readings

    run_id = uuid.uuid4().hex[:6]
    work = Path(mkdtemp(prefix="ioc-load-"))
    db = Database(args.database_url, max_size=2).open()
    ids, password, codes = _setup(db, run_id, args.devices)
    prefix = f"ioc-load-{run_id}/ioc/v1"
    env = {**os.environ, "IOC_DATABASE_URL": args.database_url,
           "IOC_MQTT_TOPIC_PREFIX": prefix, "IOC_DATA_DIR": str(work / "data"), "IOC_SECRET_KEY": uuid.uuid4().hex,
           "IOC_LOG_LEVEL": "WARNING"}
    if args.redis_url:
        env["IOC_REDIS_URL"] = args.redis_url
    else:
        env.pop("IOC_REDIS_URL", None)
    port = _free_port()
    procs: list[subprocess.Popen] = []
    publisher = broker = None
    nice = ["nice", "-n", str(args.web_nice)] if args.web_nice else []
    try:
        if args.mqtt_url is None:
            broker, args.mqtt_url = _start_mosquitto(work)
        env["IOC_MQTT_URL"] = args.mqtt_url
        (work / "gunicorn.conf.py").write_text(GUNICORN_CONF)
        procs.append(subprocess.Popen(
            [*nice, str(BIN / "gunicorn"), "-c", str(work / "gunicorn.conf.py"), "-w", str(args.workers),
             "--threads", str(args.threads), "-b", f"127.0.0.1:{port}", "--timeout", "120", "app:server"],
            cwd=REPO, env=env, stdout=(work / "gunicorn.log").open("wb"), stderr=subprocess.STDOUT))
        for k in range(args.collectors):
            cenv = {**env, "IOC_MQTT_CLIENT_ID": f"ioc-load-{run_id}-{k}", "IOC_LOG_LEVEL": "INFO"}
            if args.collectors > 1:
                cenv["IOC_MQTT_SHARED_GROUP"] = f"load-{run_id}"
            procs.append(subprocess.Popen([str(BIN / "ioc"), "collect", "--no-migrate"], env=cenv,
                                          stdout=(work / f"collector-{k}.log").open("wb"), stderr=subprocess.STDOUT))
        host = f"http://127.0.0.1:{port}"
        _wait(lambda: _http_ok(host + "/_dash-layout"), 90, "gunicorn")
        _wait(lambda: all(b"connected to" in (work / f"collector-{k}.log").read_bytes()
                          for k in range(args.collectors)), 60, "collectors")

        ctx = multiprocessing.get_context("spawn")
        done, results = ctx.Event(), ctx.Queue()
        # Ingest runs through the login phase (at most --login-seconds), the warm-up and the browsing.
        publish_seconds = args.login_seconds + args.warmup + args.seconds
        load_at_start = round(os.getloadavg()[0], 2)
        t_publish = time.time()
        if args.rate > 0:
            publisher = ctx.Process(target=bench_procs.publisher, args=({
                "mqtt_url": args.mqtt_url, "topics": [telemetry_topic(prefix, i) for i in ids], "per_message": 1,
                "seconds": publish_seconds, "window": 0, "rate": args.rate}, None, done, results))
            publisher.start()
        else:  # dashboard only
            results.put({"published": 0, "start": time.time(), "end": time.time()})

        with db.connection() as conn:
            stored_login_start, _ = count_device_readings(conn, ids)
        t_login = time.time()
        cookies, login = _sign_in(host, f"load-{run_id}", password, args.users, args.login_parallel)
        with db.connection() as conn:
            stored_login_end, _ = count_device_readings(conn, ids)
        login_span = max(time.time() - t_login, 1e-9)
        login["stored_readings_per_s"] = round((stored_login_end - stored_login_start) / login_span)
        (work / "cookies.txt").write_text("\n".join(cookies))
        time.sleep(max(0.0, t_publish + args.login_seconds + args.warmup - time.time()))

        with db.connection() as conn:
            stored_start, _ = count_device_readings(conn, ids)
        t_start = time.time()
        locust_env = {**env, "IOC_LOAD_USER": f"load-{run_id}", "IOC_LOAD_PASSWORD": password,
                      "IOC_LOAD_INDICATORS": ",".join(codes), "IOC_LOAD_COOKIES": str(work / "cookies.txt")}
        locust = subprocess.run(
            [*nice, str(BIN / "locust"), "-f", str(REPO / "benchmarks" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s", "--host", host,
             "--reset-stats", "--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING",
             "--stop-timeout", "10"],
            env=locust_env, cwd=REPO, capture_output=True, text=True)
        t_end = time.time()
        with db.connection() as conn:
            stored_end, _ = count_device_readings(conn, ids)
        published = results.get(timeout=publish_seconds + 120)
        if publisher is not None:
            publisher.join(30)
        drain_start = time.time()
        stored_final = stored_end
        while time.time() - drain_start < 120:
            with db.connection() as conn:
                stored_final, _ = count_device_readings(conn, ids)
            if stored_final >= published["published"]:
                break
            time.sleep(1.0)
        window = t_end - t_start
        pub_seconds = published["end"] - published["start"]
        result = {
            "users": args.users, "seconds": args.seconds, "gunicorn_workers": args.workers,
            "gunicorn_threads": args.threads,
            "collectors": args.collectors, "cache": "redis" if args.redis_url else "filesystem",
            "web_nice": args.web_nice, "broker": "private (max_queued_messages 100000)" if broker else args.mqtt_url,
            "login": login,
            **_stats(work / "locust_stats.csv"),
            "ingest": {
                "target_msgs_per_s": args.rate,
                "published": published["published"],
                "published_per_s": round(published["published"] / max(pub_seconds, 1e-9)),
                "stored_during_load_per_s": round((stored_end - stored_start) / max(window, 1e-9)),
                "backlog_at_load_end": published["published"] - stored_end
                if published["end"] <= t_end else None,
                "stored_total": stored_final,
                "lost": published["published"] - stored_final,
                "broker_drop_warnings": _broker_drops(work),
                "drain_seconds_after_publish": round(max(0.0, time.time() - drain_start), 1)
                if stored_final >= published["published"] else None,
            },
            "locust_exit_code": locust.returncode,
            "machine": {"cpus": os.cpu_count(), "load_avg_1m_at_start": load_at_start,
                        "load_avg_1m_at_end": round(os.getloadavg()[0], 2)},
            "logs": str(work),
        }
        if locust.returncode not in (0, 1):
            result["locust_stderr"] = locust.stderr[-2000:]
        return result
    finally:
        if publisher is not None and publisher.is_alive():
            publisher.terminate()
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if broker is not None and broker.poll() is None:
            broker.terminate()
            broker.wait(15)
        _cleanup(db, run_id, ids, args.redis_url)
        db.close()


def build_parser() -> argparse.ArgumentParser:
    """The load test's command line (``ioc bench load`` builds one for it: ``ioc.cli.bench.load_args``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("IOC_DATABASE_URL"),
                        help="a database holding the catalog, areas and history (default IOC_DATABASE_URL)")
    parser.add_argument("--mqtt-url", default=None,
                        help="an existing broker (its drops count as lost readings); default: a private Mosquitto "
                             "configured as docs/operations.md recommends")
    parser.add_argument("--redis-url", default=os.environ.get("IOC_REDIS_URL"),
                        help="Redis for the shared cache (a database of its own: the keys are removed at the end)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=int, default=60, help="duration of the measured load")
    parser.add_argument("--warmup", type=int, default=10,
                        help="seconds of ingest after the logins, before the users browse")
    parser.add_argument("--rate", type=float, default=5000.0,
                        help="MQTT messages per second (one reading each); 0 = no ingest, dashboard only")
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (1: sync workers)")
    parser.add_argument("--collectors", type=int, default=1)
    parser.add_argument("--web-nice", type=int, default=10,
                        help="niceness of gunicorn and locust (ingest first, as Nice= in the units); 0 = none")
    parser.add_argument("--login-seconds", type=int, default=60,
                        help="ingest time set aside for the login phase before the warm-up")
    parser.add_argument("--login-parallel", type=int, default=2, help="logins at once in the login phase")
    return parser


def main() -> None:
    parser = build_parser()
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or IOC_DATABASE_URL (a database with the demo data, see docs/load-test.md)")
    print(json.dumps(run(args), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
