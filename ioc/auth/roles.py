"""Roles and what each may do.

- admin: everything, including users, sources and settings;
- leader: read everything, acknowledge alerts, export;
- analyst: read the sectors granted, export;
- wall: read-only, bound to one playlist, authenticated by a display token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Role", "Principal", "Permission", "can"]


class Role(StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    ANALYST = "analyst"
    WALL = "wall"


class Permission(StrEnum):
    READ = "read"
    EXPORT = "export"
    ACK_ALERTS = "ack_alerts"
    MANAGE_USERS = "manage_users"
    MANAGE_SOURCES = "manage_sources"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.LEADER: frozenset({Permission.READ, Permission.EXPORT, Permission.ACK_ALERTS}),
    Role.ANALYST: frozenset({Permission.READ, Permission.EXPORT}),
    Role.WALL: frozenset({Permission.READ}),
}


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a user or a wall screen."""

    name: str
    role: Role
    sectors: frozenset[str] = field(default_factory=frozenset)  # analysts only
    playlist: str | None = None  # wall screens only
    user_id: int | None = None

    @property
    def all_sectors(self) -> bool:
        """Whether this principal may read every sector."""
        return self.role is not Role.ANALYST

    def may_read_sector(self, sector_code: str) -> bool:
        return self.all_sectors or sector_code in self.sectors

    def sector_filter(self) -> list[str] | None:
        """Sector codes to restrict queries to, or None for no restriction."""
        return None if self.all_sectors else sorted(self.sectors)


def can(principal: Principal | None, permission: Permission) -> bool:
    """Whether ``principal`` holds ``permission`` (anonymous holds none)."""
    return principal is not None and permission in _GRANTS[principal.role]
