"""The HTTP side of security: login/logout routes, the request guard, headers, CSRF.

:func:`install_security` is called once by the app factory on the Flask server
behind Dash. Every request except static files and the login page needs a
principal; Dash callback requests are checked against the principal's role
(a wall screen may run only its wall page's callbacks).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

import flask
from werkzeug.wrappers import Response

from ioc.auth import passwords
from ioc.auth.headers import add_security_headers, content_security_policy
from ioc.auth.login_page import render_login
from ioc.auth.principal import current_principal, login_session, logout_session, token_session
from ioc.auth.roles import Principal, Role
from ioc.config import Settings
from ioc.runtime import secret_key
from ioc.storage import audit, users
from ioc.storage.db import get_database

__all__ = ["install_security", "PUBLIC_PREFIXES", "LOGIN_WINDOW", "LOGIN_MAX_FAILURES"]

logger = logging.getLogger(__name__)

PUBLIC_PREFIXES = ("/login", "/healthz", "/_dash-component-suites/", "/assets/", "/_favicon.ico", "/favicon.ico")
# Dash endpoints whose answer is the same for everyone and holds no data.
_SHELL_ENDPOINTS = ("/_dash-dependencies", "/_reload-hash")
WALL_PATHS = ("/wall",)
# Callbacks of the app shell (present on every page, the wall included) that read no data
# beyond the freshness time.
SHELL_CALLBACK_IDS = frozenset({"freshness", "lang-sink", "theme-sink"})
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5


def install_security(server: flask.Flask, settings: Settings) -> None:
    """Configure sessions and attach the guard, headers and login routes to ``server``."""
    secure = settings.cookie_secure if settings.cookie_secure is not None else settings.host not in ("127.0.0.1", "localhost", "::1")
    server.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_NAME="ioc_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    csp = content_security_policy(settings.map_tile_url)
    server.before_request(_guard)
    server.after_request(lambda response: add_security_headers(response, csp))
    server.add_url_rule("/login", "ioc_login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "ioc_logout", _logout, methods=["GET", "POST"])
    server.add_url_rule("/healthz", "ioc_healthz", lambda: {"status": "ok"})


def _client_ip() -> str:
    return flask.request.remote_addr or "?"


def _same_origin() -> bool:
    """POSTs must come from our own pages (JSON callbacks and forms alike)."""
    origin = flask.request.headers.get("Origin")
    if not origin or origin == "null":
        return flask.request.method == "GET" or flask.request.headers.get("Sec-Fetch-Site") in (None, "same-origin", "none")
    return urlsplit(origin).netloc == flask.request.host


def _guard() -> Response | tuple | None:
    request = flask.request
    path = request.path
    if path.startswith(PUBLIC_PREFIXES):
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin():
        return {"error": "cross-site request refused"}, 403
    token = request.args.get("token")
    if token and path.startswith(WALL_PATHS):
        principal = token_session(token)
        if principal is None:
            return flask.redirect("/login?error=token")
        return flask.redirect(f"/wall?playlist={principal.playlist}")
    principal = current_principal()
    if principal is None:
        if path.startswith("/_dash") or request.method != "GET":
            return {"error": "authentication required", "login": "/login"}, 401
        return flask.redirect(f"/login?next={quote(_safe_next(request.full_path), safe='/')}")
    if path.startswith(_SHELL_ENDPOINTS) or path == "/_dash-layout":
        return None
    if principal.role is Role.WALL and not _wall_allowed(principal):
        return {"error": "a wall screen may only show its wall page"}, 403
    return None


def _wall_allowed(principal: Principal) -> bool:
    """Wall screens: the /wall page and the callbacks whose outputs all belong to it."""
    request = flask.request
    if request.path.startswith(WALL_PATHS):
        return True
    if request.path != "/_dash-update-component":
        return False
    body = request.get_json(silent=True) or {}
    # Dash writes several outputs as "..a.children...b.data.." and one as "a.children".
    outputs = [part.strip(".") for part in str(body.get("output", "")).split("...") if part.strip(".")]
    ids = {out.rsplit(".", 1)[0] for out in outputs}
    if ids and all(i.startswith("wall") or i in SHELL_CALLBACK_IDS for i in ids):
        return True
    # Dash pages' router: allowed only when it renders /wall.
    if ids and ids <= {"_pages_content", "_pages_store", "_pages_dummy"}:
        pathnames = [i.get("value") for i in body.get("inputs", []) if isinstance(i, dict) and i.get("property") == "pathname"]
        return bool(pathnames) and all(str(p).startswith("/wall") for p in pathnames)
    logger.warning("wall screen %s refused callback outputs %s", principal.name, sorted(ids))
    return False


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths may be redirected to after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target.rstrip("?") or "/"


def _login() -> Response | str | tuple:
    request = flask.request
    lang = request.args.get("lang") or request.cookies.get("ioc_lang") or "vi"
    next_path = _safe_next(request.values.get("next"))
    if request.method == "GET":
        flask.session.setdefault("csrf", secrets.token_urlsafe(24))
        return render_login(lang=lang, csrf=flask.session["csrf"], next_path=next_path, error=request.args.get("error"))
    expected = flask.session.get("csrf", "")
    if not expected or not hmac.compare_digest(expected, request.form.get("csrf", "")):
        return render_login(lang=lang, csrf=flask.session.setdefault("csrf", secrets.token_urlsafe(24)),
                            next_path=next_path, error="csrf"), 400
    # PostgreSQL text cannot hold NUL: such a name matches no account (bad credentials, not a 500).
    username = request.form.get("username", "").strip().replace("\x00", "\ufffd")
    password = request.form.get("password", "")
    ip = _client_ip()
    since = datetime.now(timezone.utc) - LOGIN_WINDOW
    with get_database().connection() as conn:
        if audit.failed_logins_since(conn, since, ip=ip, username=username) >= LOGIN_MAX_FAILURES:
            audit.record(conn, "login_throttled", target=username, ip=ip)
            return render_login(lang=lang, csrf=expected, next_path=next_path, error="throttled"), 429
        user = users.get_user(conn, username)
        ok = user is not None and not user.disabled and passwords.verify_password(user.password_hash, password)
        if not ok:
            audit.record(conn, "login_failed", target=username, ip=ip)
            logger.info("failed login for %r from %s", username, ip)
            return render_login(lang=lang, csrf=expected, next_path=next_path, error="credentials"), 401
        if passwords.needs_rehash(user.password_hash):
            users.set_password(conn, username, passwords.hash_password(password))
            user = users.get_user(conn, username)
        users.record_login(conn, user.id)
        audit.record(conn, "login", actor=username, ip=ip)
    login_session(user)
    return flask.redirect(next_path)


def _logout() -> Response:
    principal = current_principal()
    if principal is not None:
        with get_database().connection() as conn:
            audit.record(conn, "logout", actor=principal.name, ip=_client_ip())
    logout_session()
    return flask.redirect("/login")
