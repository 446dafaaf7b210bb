"""Who is asking: resolve the request's principal from its session or display token."""

from __future__ import annotations

import logging

import flask

from ioc.auth.passwords import token_digest
from ioc.auth.roles import Principal, Role
from ioc.errors import DatabaseUnavailable
from ioc.storage import users
from ioc.storage.db import get_database

__all__ = ["current_principal", "act_as", "login_session", "logout_session", "token_session"]

logger = logging.getLogger(__name__)

_G_KEY = "ioc_principal"


def login_session(user: users.User) -> None:
    """Bind the Flask session to ``user`` (a fresh session id against fixation).

    Name, role and sectors ride along in the signed cookie so that a database
    outage degrades to "data unavailable" panels rather than logging everyone out.
    """
    flask.session.clear()
    flask.session["uid"] = user.id
    flask.session["sv"] = user.session_version
    flask.session["who"] = [user.username, user.role, sorted(user.sectors)]
    flask.session.permanent = True


def token_session(token: str) -> Principal | None:
    """Exchange a display token for a wall session; None when unknown or revoked."""
    with get_database().connection() as conn:
        found = users.find_display_token(conn, token_digest(token))
    if found is None:
        return None
    flask.session.clear()
    flask.session["tid"] = found.id
    flask.session["th"] = token_digest(token)
    flask.session["who"] = [f"wall:{found.name}", Role.WALL.value, [], found.playlist]
    flask.session.permanent = True
    return Principal(name=f"wall:{found.name}", role=Role.WALL, playlist=found.playlist)


def logout_session() -> None:
    flask.session.clear()


def act_as(principal: Principal) -> None:
    """Make ``principal`` the current request's principal without a session (benchmarks, cache warm-up)."""
    setattr(flask.g, _G_KEY, principal)


def current_principal() -> Principal | None:
    """The principal of the current request, looked up once per request."""
    if _G_KEY in flask.g:
        return flask.g.get(_G_KEY)
    principal = _resolve()
    setattr(flask.g, _G_KEY, principal)
    return principal


def _resolve() -> Principal | None:
    uid, token_hash = flask.session.get("uid"), flask.session.get("th")
    if uid is None and token_hash is None:
        return None
    try:
        return _resolve_from_database(uid, token_hash)
    except DatabaseUnavailable:
        # Revocation can't be checked while the database is down, and no data can be read
        # either: trust the signed session so pages can say "data unavailable".
        logger.warning("database unavailable: principal taken from the signed session")
        return _from_session()


def _from_session() -> Principal | None:
    who = flask.session.get("who")
    if not who or len(who) < 3:
        return None
    playlist = who[3] if len(who) > 3 else None
    return Principal(name=who[0], role=Role(who[1]), sectors=frozenset(who[2]), playlist=playlist)


def _resolve_from_database(uid: object, token_hash: str | None) -> Principal | None:
    with get_database().connection() as conn:
        if uid is not None:
            user = users.get_user_by_id(conn, int(uid))
            if user is None or user.disabled or user.session_version != flask.session.get("sv"):
                return None  # disabled, deleted or password changed: the session is over
            return Principal(
                name=user.username, role=Role(user.role), sectors=frozenset(user.sectors), user_id=user.id
            )
        found = users.find_display_token(conn, token_hash)
    if found is None:
        return None  # revoked
    return Principal(name=f"wall:{found.name}", role=Role.WALL, playlist=found.playlist)
