"""Fetching a JSON document over HTTP(S) (or ``file://``) with the standard library.

Every failure becomes a :class:`~ioc.errors.SourceError` whose message names the
URL (without its query string, which may hold a token) and the reason.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ioc.errors import SourceError

__all__ = ["fetch_json", "safe_url"]

_MAX_BYTES = 50 * 1024 * 1024
_USER_AGENT = "ioc-pull/0.1 (+https://github.com/)"


def safe_url(url: str) -> str:
    """The URL without credentials or query string, for logs and status messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def fetch_json(url: str, *, timeout: float, headers: dict[str, str] | None = None) -> Any:
    """GET ``url`` and decode its JSON body; raise :class:`SourceError` on any failure."""
    shown = safe_url(url)
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": _USER_AGENT, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(_MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{shown}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise SourceError(f"{shown}: no answer within {timeout:g} s (timeout)") from None
        raise SourceError(f"{shown}: cannot connect ({exc.reason})") from None
    except (TimeoutError, socket.timeout):
        raise SourceError(f"{shown}: no answer within {timeout:g} s (timeout)") from None
    except OSError as exc:
        raise SourceError(f"{shown}: connection failed ({exc})") from None
    if len(body) > _MAX_BYTES:
        raise SourceError(f"{shown}: response larger than {_MAX_BYTES // (1024 * 1024)} MB")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise SourceError(f"{shown}: response is not valid JSON ({exc})") from None
