import uuid
from collections import defaultdict

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import in_scope
from app.core.search import matches
from app.models import RoleAssignment, Unit, User
from app.users.schemas import RoleGrant


def _visible(principal: Principal, permission: Permission | None = None):
    """A user is visible through any role held in the caller's scope (where the caller holds
    `permission`, when given); everyone sees itself."""
    if principal.is_admin:
        return None
    held_in_scope = in_scope(RoleAssignment.unit_id, principal, permission=permission)
    return or_(User.id == principal.id, exists().where(RoleAssignment.user_id == User.id, held_in_scope))


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    q: str | None,
    role: str | None,
    within: Unit | None,
    is_active: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[User], int]:
    where = [c for c in (_visible(principal, Permission.users_read),) if c is not None]
    if (search := matches(q, User.search_text)) is not None:
        where.append(search)
    if role is not None or within is not None:
        held = [RoleAssignment.user_id == User.id]
        if role is not None:
            held.append(RoleAssignment.role == role)
        if within is not None:
            held.append(in_scope(RoleAssignment.unit_id, principal, within, Permission.users_read))
        where.append(exists().where(*held))
    if is_active is not None:
        where.append(User.is_active == is_active)
    total = await session.scalar(select(func.count()).select_from(User).where(*where))
    rows = await session.scalars(
        select(User).where(*where).order_by(User.username).limit(limit).offset(offset)
    )
    return list(rows), total or 0


async def get_visible_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, permission: Permission | None = None
) -> User | None:
    query = select(User).where(User.id == user_id)
    if (condition := _visible(principal, permission)) is not None:
        query = query.where(condition)
    return await session.scalar(query)


async def roles_of(session: AsyncSession, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[RoleAssignment]]:
    rows = await session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id.in_(user_ids)).order_by(RoleAssignment.role)
    )
    by_user: dict[uuid.UUID, list[RoleAssignment]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    return by_user


async def replace_roles(session: AsyncSession, user_id: uuid.UUID, roles: list[RoleGrant]) -> None:
    await session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user_id))
    session.add_all(RoleAssignment(user_id=user_id, role=r.role.value, unit_id=r.unit_id) for r in roles)
    await session.flush()


async def username_taken(session: AsyncSession, username: str) -> bool:
    return (await session.scalar(select(User.id).where(User.username == username))) is not None


async def unit_paths(session: AsyncSession, unit_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """Path and level of each unit id that exists."""
    if not unit_ids:
        return {}
    rows = await session.execute(select(Unit.id, Unit.path, Unit.level).where(Unit.id.in_(unit_ids)))
    return {r.id: (r.path, r.level) for r in rows}
