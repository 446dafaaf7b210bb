"""Headless Debian Chromium through playwright, and a werkzeug server that can be stopped and restarted.

Shared by the public-administration, traffic and wall page tests.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RestartableServer:
    """The WSGI app served by werkzeug in a thread, on a fixed port so it can come back on it."""

    def __init__(self, wsgi_app, port: int) -> None:
        self.wsgi_app = wsgi_app
        self.port = port
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", self.port, self.wsgi_app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"wall-test-{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None


@pytest.fixture(scope="module")
def chromium(auth_cookie) -> Iterator[object]:
    """A headless Chromium browser (Debian's), signed in, for one test module (modules import this fixture)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield SignedInBrowser(browser, auth_cookie)
        browser.close()


def screenshot(page, name: str) -> Path:
    """Save a screenshot under artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def login_cookie(wsgi_app, username: str, password: str) -> dict:
    """Sign in through the real /login form (CSRF included) and return the session cookie for playwright."""
    import re

    client = wsgi_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": username, "password": password, "csrf": csrf, "next": "/"})
    assert answer.status_code == 302, f"test login failed: {answer.status_code}"
    cookie = client.get_cookie("ioc_session")
    return {"name": cookie.key, "value": cookie.value, "domain": "127.0.0.1", "path": "/"}


class SignedInBrowser:
    """A playwright browser whose new contexts and pages carry a signed-in session cookie."""

    def __init__(self, browser, cookie: dict) -> None:
        self._browser = browser
        self._cookie = cookie

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_cookies([self._cookie])
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def __getattr__(self, name: str):
        return getattr(self._browser, name)
