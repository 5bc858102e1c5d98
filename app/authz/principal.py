"""The authenticated caller: who it is and which roles it holds where."""

import uuid
from dataclasses import dataclass

from app.authz.permissions import PERMISSIONS, RANK, Permission, Role


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    unit_id: uuid.UUID | None  # None only for admin
    unit_path: str  # "" for admin: the prefix of every path

    def covers(self, path: str) -> bool:
        return path.startswith(self.unit_path)


@dataclass(frozen=True, slots=True)
class Principal:
    """A user (from an access token) or an integration's API key (from `X-API-Key`): then `id` is the
    key's id, not a user's, and `read_only` keys may only read."""

    id: uuid.UUID
    name: str
    grants: tuple[Grant, ...]
    is_api_key: bool = False
    read_only: bool = False
    # A key limited to these permissions instead of its role's (a `vneid_only` key).
    only: frozenset[Permission] | None = None

    def holds(self, role: Role) -> frozenset[Permission]:
        return PERMISSIONS[role] if self.only is None else self.only

    @property
    def user_id(self) -> uuid.UUID | None:
        """The user behind the caller, for columns that reference users; None for an API key."""
        return None if self.is_api_key else self.id

    @property
    def is_admin(self) -> bool:
        return any(g.role is Role.admin for g in self.grants)

    def scope_paths(self, permission: Permission | None = None) -> list[str] | None:
        """Path prefixes of the subtrees the caller may see (through grants holding `permission`,
        when given); None means everything."""
        if self.is_admin:
            return None
        paths = sorted(
            {g.unit_path for g in self.grants if permission is None or permission in self.holds(g.role)}
        )
        # Drop a prefix already covered by a shorter one.
        return [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]

    def sees(self, path: str) -> bool:
        return any(g.covers(path) for g in self.grants)

    def can(self, permission: Permission, path: str | None = None) -> bool:
        """Holds the permission through a grant covering `path` (any grant when path is None)."""
        return any(permission in self.holds(g.role) and (path is None or g.covers(path)) for g in self.grants)

    def can_grant(self, role: Role, path: str | None) -> bool:
        """May hand out `role` at the unit at `path` (None: at no unit, as for admin): users:manage
        there, through a role of at least the same rank."""
        return any(
            Permission.users_manage in PERMISSIONS[g.role]
            and RANK[g.role] >= RANK[role]
            and g.covers(path or "")
            for g in self.grants
        )

    def grantable(self) -> list[Role]:
        """The roles the caller may hand out somewhere in its area."""
        return [role for role in Role if any(self.can_grant(role, g.unit_path) for g in self.grants)]


# The scheduled jobs (the daily award freeze): everything, everywhere, audited as "system".
SYSTEM = Principal(uuid.UUID(int=0), "system", (Grant(Role.admin, None, ""),))
