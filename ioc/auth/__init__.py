"""Accounts, roles and request security.

Callbacks ask :func:`current_principal` who is calling and use
:meth:`Principal.sector_filter` to restrict what they read.
"""

from ioc.auth.principal import current_principal
from ioc.auth.roles import Permission, Principal, Role, can

__all__ = ["current_principal", "Principal", "Role", "Permission", "can"]
