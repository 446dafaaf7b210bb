"""What the viewer of a callback may see and do: sector scope, permissions, audited exports.

Callbacks call :func:`scope` and pass its answer *explicitly* to the cached read
functions (:mod:`layouts.data`, :mod:`layouts.map_data`), so the cache key
includes the viewer's sectors; a memoized function never asks who is calling.

Scope values: ``None`` = every sector (admin, leader, wall), a tuple of sector
codes = an analyst's grant (possibly empty). Outside a web request (CLI,
benchmarks) there is no viewer and no restriction.

Digital addresses (the address layer and address search of the map) are
reference data of the territory, not a sector's figures: every signed-in role
sees them.
"""

from __future__ import annotations

import logging

import flask

from ioc.auth.principal import current_principal
from ioc.auth.roles import Permission, Principal, can
from ioc.auth.view_sectors import may_read_view as _may_read_view
from ioc.errors import IocError
from ioc.storage import audit
from ioc.storage.db import get_database
from layouts import data

__all__ = ["Scope", "scope", "viewer", "may", "may_read_sector", "may_read_device_kind", "may_read_view",
           "record_export"]

logger = logging.getLogger(__name__)

Scope = tuple[str, ...] | None


def viewer() -> Principal | None:
    """The principal of the current request, or None outside a request or when nobody signed in."""
    if not flask.has_request_context():
        return None
    return current_principal()


def scope() -> Scope:
    """Sector codes the viewer may read (None: all; an empty tuple: none)."""
    if not flask.has_request_context():
        return None
    principal = current_principal()
    if principal is None:
        return ()
    chosen = principal.sector_filter()
    return None if chosen is None else tuple(chosen)


def may(permission: Permission) -> bool:
    """Whether the viewer holds ``permission`` (outside a request: no)."""
    return can(viewer(), permission)


def may_read_sector(sector_code: str | None) -> bool:
    """Whether the viewer may read the figures of ``sector_code``."""
    allowed = scope()
    return allowed is None or (sector_code is not None and sector_code in allowed)


def may_read_device_kind(kind: str) -> bool:
    """Whether the viewer may see devices of ``kind``: it feeds an indicator of a granted sector."""
    allowed = scope()
    if allowed is None:
        return True
    return bool(set(data.device_kind_sectors().get(kind, ())) & set(allowed))


def may_read_view(view: str) -> bool:
    """Whether the viewer may see a non-indicator view (``ioc/data/view_sectors.csv``: score766, dossiers)."""
    return _may_read_view(view, scope())


def record_export(target: str, **details: object) -> bool:
    """Audit an export by the viewer; False (and nothing recorded) when the viewer may not export."""
    principal = viewer()
    if not can(principal, Permission.EXPORT):
        logger.warning("export of %s refused for %s", target, principal.name if principal else "nobody")
        return False
    try:
        with get_database().connection() as conn:
            audit.record(conn, "export", actor=principal.name, target=target,
                         ip=flask.request.remote_addr, details=details or None)
    except IocError as exc:  # an export nobody can audit is not handed out
        logger.warning("export of %s not audited (%s): refused", target, exc)
        return False
    return True
