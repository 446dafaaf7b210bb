"""Login, sessions, roles, display tokens, headers and audit on a real Flask server and database."""

from __future__ import annotations

import re

import flask
import pytest

from ioc.auth import accounts
from ioc.auth.passwords import hash_password, verify_password
from ioc.auth.web import LOGIN_MAX_FAILURES, install_security
from ioc.config import load_settings
from ioc.storage import audit
from ioc.storage.db import set_database

PASSWORD = "correct horse battery"


@pytest.fixture
def server(empty_db, tmp_path):
    """A Flask server with the security layer, a protected route and a stand-in callback endpoint."""
    previous = set_database(empty_db)
    settings = load_settings(database_url="postgresql://unused", data_dir=tmp_path)
    app = flask.Flask("test")
    install_security(app, settings)
    app.add_url_rule("/secret", "secret", lambda: "the province's data")
    app.add_url_rule("/wall", "wall", lambda: "wall page")
    app.add_url_rule("/_dash-update-component", "cb", lambda: {"ok": True}, methods=["POST"])
    accounts.create_user(empty_db, "leader1", PASSWORD, role="leader")
    yield app
    set_database(previous)


def _login(client, username="leader1", password=PASSWORD, next_path="/secret"):
    page = client.get(f"/login?next={next_path}").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf": csrf, "next": next_path})


def _callback(client, output: str, pathname: str | None = None):
    body = {"output": output, "outputs": [], "inputs": []}
    if pathname:
        body["inputs"] = [{"id": "_pages_location", "property": "pathname", "value": pathname}]
    return client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})


def test_anonymous_requests_are_refused(server):
    client = server.test_client()
    page = client.get("/secret")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=/secret")
    assert _callback(client, "overview-kpis.children").status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/healthz").status_code == 200


def test_login_then_access_and_audit(server, empty_db):
    client = server.test_client()
    answer = _login(client)
    assert answer.status_code == 302 and answer.headers["Location"] == "/secret"
    assert client.get("/secret").get_data(as_text=True) == "the province's data"
    assert _callback(client, "overview-kpis.children").status_code == 200
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with empty_db.connection() as conn:
        assert [e["actor"] for e in audit.recent(conn, action="login")] == ["leader1"]


def test_wrong_password_is_audited_and_rate_limited(server, empty_db):
    client = server.test_client()
    for _ in range(LOGIN_MAX_FAILURES):
        assert _login(client, password="wrong password!").status_code == 401
    # Even the right password is refused while throttled.
    assert _login(client).status_code == 429
    with empty_db.connection() as conn:
        assert len(audit.recent(conn, action="login_failed")) == LOGIN_MAX_FAILURES
        assert len(audit.recent(conn, action="login_throttled")) == 1


def test_login_without_csrf_token_is_refused(server):
    client = server.test_client()
    client.get("/login")
    answer = client.post("/login", data={"username": "leader1", "password": PASSWORD, "csrf": "forged"})
    assert answer.status_code == 400
    assert client.get("/secret").status_code == 302


def test_open_redirect_is_neutralised(server):
    client = server.test_client()
    answer = _login(client, next_path="//evil.example/phish")
    assert answer.headers["Location"] == "/"


def test_disabling_or_new_password_ends_sessions(server, empty_db):
    client = server.test_client()
    _login(client)
    accounts.change_password(empty_db, "leader1", "another long password")
    assert client.get("/secret").status_code == 302
    _login(client, password="another long password")
    assert client.get("/secret").status_code == 200
    accounts.disable_user(empty_db, "leader1")
    assert client.get("/secret").status_code == 302
    assert _login(client, password="another long password").status_code == 401


def test_cross_site_post_is_refused(server):
    client = server.test_client()
    _login(client)
    answer = client.post("/_dash-update-component", json={"output": "x.children"}, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403


def test_security_headers(server):
    answer = server.test_client().get("/login")
    csp = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_display_token_is_bound_to_the_wall_and_revocable(server, empty_db):
    token = accounts.create_display_token(empty_db, "man-hinh-1", "dieu-hanh")
    client = server.test_client()
    answer = client.get(f"/wall?token={token}")
    assert answer.status_code == 302 and answer.headers["Location"] == "/wall?playlist=dieu-hanh"
    assert client.get("/wall").get_data(as_text=True) == "wall page"
    assert client.get("/secret").status_code == 403
    assert _callback(client, "wall-clock.children").status_code == 200
    assert _callback(client, "overview-kpis.children").status_code == 403
    assert _callback(client, "_pages_content.children", pathname="/wall").status_code == 200
    assert _callback(client, ".._pages_content.children..._pages_store.data..", pathname="/wall").status_code == 200
    assert _callback(client, "..wall-clock.children...overview-kpis.children..").status_code == 403
    assert _callback(client, "_pages_content.children", pathname="/linh-vuc/cchc").status_code == 403
    with empty_db.connection() as conn:
        token_id = conn.execute("SELECT id FROM display_token").fetchone()[0]
    accounts.revoke_display_token(empty_db, token_id)
    assert client.get("/wall").status_code == 302
    assert client.get(f"/wall?token={token}").headers["Location"] == "/login?error=token"


def test_passwords_are_salted_argon2():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and first.startswith("$argon2id$")
    assert verify_password(first, PASSWORD) and not verify_password(first, PASSWORD + "x")
    with pytest.raises(ValueError):
        hash_password("short")


def test_first_admin_gets_a_random_password_once(empty_db):
    password = accounts.ensure_first_admin(empty_db)
    assert password and len(password) >= 12
    assert accounts.ensure_first_admin(empty_db) is None
    with empty_db.connection() as conn:
        row = conn.execute("SELECT role, password_hash FROM app_user WHERE username = 'admin'").fetchone()
    assert row[0] == "admin" and verify_password(row[1], password)


def test_analyst_needs_sectors(empty_db):
    with pytest.raises(accounts.AccountError, match="at least one sector"):
        accounts.create_user(empty_db, "analyst1", PASSWORD, role="analyst")
    with pytest.raises(accounts.AccountError, match="unknown role"):
        accounts.create_user(empty_db, "x", PASSWORD, role="superuser")


def test_database_outage_keeps_signed_in_users_but_not_anonymous(server):
    from ioc.storage.db import Database

    client = server.test_client()
    _login(client)
    down = Database("postgresql://postgres@127.0.0.1:9/ioc", timeout=1.0).open(wait=False)
    previous = set_database(down)
    try:
        # No database: the signed session still says who this is, so pages can answer
        # "data unavailable" instead of bouncing everyone to a login that cannot work.
        assert client.get("/secret").status_code == 200
        assert server.test_client().get("/secret").status_code == 302
    finally:
        set_database(previous)
        down.close()
