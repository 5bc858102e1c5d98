"""The one scope filter: every query for a scoped resource goes through `in_scope`."""

import uuid

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.core.errors import Forbidden, Invalid, NotFound
from app.models import Unit


def under(path: str) -> ColumnElement[bool]:
    """The units of the subtree rooted at the unit at `path`, itself included: the one subtree
    predicate (materialized path, the same on both databases)."""
    return Unit.path.startswith(path, autoescape=True)


def _under(paths: list[str]) -> ColumnElement[bool]:
    return or_(*(under(p) for p in paths)) if paths else false()


def visible_units(
    principal: Principal, within: Unit | None = None, permission: Permission | None = None
) -> Select:
    """Ids of the units the caller may see (with `permission`, when given), optionally narrowed to
    the subtree of `within`."""
    paths = principal.scope_paths(permission)
    condition = true() if paths is None else _under(paths)
    if within is not None:
        condition = condition & under(within.path)
    return select(Unit.id).where(condition)


def in_scope(
    unit_column: ColumnElement,
    principal: Principal,
    within: Unit | None = None,
    permission: Permission | None = None,
) -> ColumnElement[bool]:
    """A WHERE clause: the row's unit lies in the caller's scope (where it holds `permission`, when
    given), and under `within` when given."""
    if principal.is_admin and within is None:
        return true()
    return unit_column.in_(visible_units(principal, within, permission))


def _units_above(paths: list[str], within: Unit | None) -> set[uuid.UUID]:
    """The units strictly above each path (under `within`, when given), read off the path itself."""
    ids = set()
    for path in paths:
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts)):
            if within is None or ("/".join(parts[:depth]) + "/").startswith(within.path):
                ids.add(uuid.UUID(parts[depth - 1]))
    return ids


def in_scope_or_above(
    unit_column: ColumnElement,
    principal: Principal,
    within: Unit | None = None,
    permission: Permission | None = None,
) -> ColumnElement[bool]:
    """`in_scope`, widened to the units above the caller's own: what is organised higher up (a
    province's campaign) belongs to the villages below too. Only for reading."""
    scope = in_scope(unit_column, principal, within, permission)
    paths = principal.scope_paths(permission)
    above = _units_above(paths, within) if paths is not None else set()
    return or_(scope, unit_column.in_(above)) if above else scope


def _covers(principal: Principal, path: str, permission: Permission | None = None) -> bool:
    """The unit at `path` contains a unit where the caller holds `permission` (any role when None)."""
    paths = principal.scope_paths(permission)
    return paths is None or any(p.startswith(path) for p in paths)


def sees_or_above(principal: Principal, path: str) -> bool:
    """Seen from the caller's area or from below it; otherwise the record does not exist (404)."""
    return principal.sees(path) or _covers(principal, path)


def may_from_below(principal: Principal, permission: Permission, path: str, read: Permission) -> bool:
    """`read` also holds from the units below; any other permission is needed at the unit itself."""
    return principal.can(permission, path) or (permission is read and _covers(principal, path, read))


async def get_unit_in_scope(session: AsyncSession, principal: Principal, unit_id) -> Unit:
    """A unit the caller may see, or 404: outside the caller's area a unit does not exist."""
    unit = await session.get(Unit, unit_id)
    if unit is None or not principal.sees(unit.path):
        raise NotFound("Unit not found")
    return unit


async def unit_in_body(
    session: AsyncSession, principal: Principal, unit_id, field: str = "unit_id", label: str = "The unit"
) -> Unit:
    """A unit a request body names: one the caller cannot see is a bad body (422), not a 404."""
    try:
        return await get_unit_in_scope(session, principal, unit_id)
    except NotFound:
        raise Invalid(f"{label} does not exist", loc=["body", field]) from None


async def list_scope(
    session: AsyncSession, principal: Principal, permission: Permission, unit_id
) -> Unit | None:
    """For a list: 403 when the caller holds `permission` nowhere; the `?unit_id=` filter's unit
    (404 outside the caller's area), or None when there is no filter."""
    if not principal.can(permission):
        raise Forbidden(f"Your role does not allow {permission.value}")
    return await get_unit_in_scope(session, principal, unit_id) if unit_id else None


def require(principal: Principal, permission: Permission, unit: Unit | None) -> None:
    """403 when the caller lacks the permission at `unit` (None is the root: admins only)."""
    if not principal.can(permission, unit.path if unit is not None else ""):
        raise Forbidden(f"Your role does not allow {permission.value}")
