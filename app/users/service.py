"""Users and their role assignments. Nobody grants a role above their own or outside their subtree."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import COUNTRY_ROLES, ROLE_LEVELS, Permission, Role
from app.authz.principal import Principal
from app.authz.scope import denied, get_unit_in_scope, require_somewhere, unknown
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.ids import uuid7
from app.core.replay import ensure_same
from app.core.security import hash_password, verify_password
from app.core.versioning import check_version
from app.models import RoleAssignment, Unit, User
from app.privacy import access
from app.records.closed import ensure_open
from app.users import repository
from app.users.schemas import RoleGrant, UserCreate, UserList, UserRead, UserUpdate


def to_read(user: User, roles: list[RoleAssignment]) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        phone=user.phone,
        is_active=user.is_active,
        roles=[RoleGrant(role=r.role, unit_id=r.unit_id) for r in roles],
        version=user.version,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


async def _read(session: AsyncSession, user: User) -> UserRead:
    return to_read(user, (await repository.roles_of(session, [user.id])).get(user.id, []))


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    limit: int,
    offset: int,
    **filters,
) -> UserList:
    require_somewhere(principal, Permission.users_read)
    within = await get_unit_in_scope(session, principal, unit_id) if unit_id else None
    users, total = await repository.list_users(
        session, principal, within=within, limit=limit, offset=offset, **filters
    )
    roles = await repository.roles_of(session, [u.id for u in users])
    query = filters | {"unit_id": unit_id, "limit": limit, "offset": offset}
    access.page(principal, "user", [u.id for u in users], query, unit_id)
    return UserList(
        items=[to_read(u, roles.get(u.id, [])) for u in users], total=total, limit=limit, offset=offset
    )


async def _get_visible(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    """404 outside the caller's area; 403 inside it without users:read (except for oneself)."""
    user = await repository.get_visible_user(session, principal, user_id)
    if user is None:
        raise NotFound("User not found")
    if not await repository.get_visible_user(session, principal, user_id, Permission.users_read):
        raise denied(Permission.users_read)
    return user


async def get_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> UserRead:
    user = await _read(session, await _get_visible(session, principal, user_id))
    access.record(principal, "user", user.id, next((r.unit_id for r in user.roles if r.unit_id), None))
    return user


async def _check_grants(
    session: AsyncSession, principal: Principal, roles: list[RoleGrant]
) -> list[RoleGrant]:
    """Each role must sit at a unit of its level that the caller may grant it at."""
    units = await repository.unit_paths(session, {r.unit_id for r in roles if r.unit_id})
    unique: dict[tuple[Role, uuid.UUID | None], RoleGrant] = {}
    for i, grant in enumerate(roles):
        loc = ["body", "roles", i, "unit_id"]
        levels = ROLE_LEVELS[grant.role]
        if not levels or (grant.unit_id is None and grant.role in COUNTRY_ROLES):  # the whole country
            if grant.unit_id is not None:
                raise Invalid(f"The {grant.role.value} role is held at no unit", loc=loc)
            path = None
        else:
            if grant.unit_id is None:
                raise Invalid(f"The {grant.role.value} role needs a unit", loc=loc)
            if grant.unit_id not in units or not principal.sees(units[grant.unit_id][0]):
                raise unknown("The unit", loc, "unit.unknown")  # 404: out of the caller's area
            path, level = units[grant.unit_id]
            if level not in levels:
                raise Invalid(f"The {grant.role.value} role is held at a {' or '.join(levels)}", loc=loc)
            await ensure_open(session, await session.get(Unit, grant.unit_id), loc=loc)  # 409: merged
        if not principal.can_grant(grant.role, path):
            raise Forbidden(f"You cannot grant the {grant.role.value} role there")
        unique[(grant.role, grant.unit_id)] = grant
    return list(unique.values())


async def _require_manages(session: AsyncSession, principal: Principal, user: User) -> list[RoleAssignment]:
    """Managing a user means being able to grant every role the user holds."""
    roles = (await repository.roles_of(session, [user.id])).get(user.id, [])
    paths = await repository.unit_paths(session, {r.unit_id for r in roles if r.unit_id})
    if not principal.can(Permission.users_manage) or not all(
        principal.can_grant(Role(r.role), paths[r.unit_id][0] if r.unit_id else None) for r in roles
    ):
        raise Forbidden("You cannot manage this user")
    return roles


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate) -> tuple[UserRead, bool]:
    if data.id is not None and await session.get(User, data.id) is not None:
        # A repeated create answers what GET would before comparing anything (app.records.writes).
        existing = await _get_visible(session, principal, data.id)
        require_somewhere(principal, Permission.users_manage)
        read = await _read(session, existing)
        ensure_same(read, data, ignore={"password"})
        if not await verify_password(data.password, existing.password_hash):
            raise Conflict("A user with this id already exists with another password")
        return read, False

    require_somewhere(principal, Permission.users_manage)
    if not data.roles and not principal.is_admin:
        raise Invalid("Give the user at least one role in your area", loc=["body", "roles"])
    roles = await _check_grants(session, principal, data.roles)
    if await repository.username_taken(session, data.username):
        raise Conflict(f"Username {data.username!r} is already taken")
    user = User(
        id=data.id or uuid7(),
        username=data.username,
        full_name=data.full_name,
        phone=data.phone,
        is_active=data.is_active,
        password_hash=await hash_password(data.password),
    )
    session.add(user)
    await session.flush()
    await repository.replace_roles(session, user.id, roles)
    read = await _read(session, user)
    await record(
        session, principal, "create", "user", user.id, unit_id=_home_unit(read), after=snapshot(read)
    )
    return read, True


async def update_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: UserUpdate, if_match: int | None
) -> UserRead:
    user = await _get_visible(session, principal, user_id)
    await _require_manages(session, principal, user)
    check_version(user, if_match)
    changes = data.model_dump(exclude_unset=True, exclude={"roles"})
    if user.id == principal.id and (data.roles is not None or changes.get("is_active") is False):
        raise Forbidden("You cannot change your own roles or deactivate yourself")
    before = await _read(session, user)
    for field, value in changes.items():
        if value is None and field != "phone":
            raise Invalid(f"{field} cannot be null", loc=["body", field])
        setattr(user, field, value)
    if data.roles is not None:
        await repository.replace_roles(session, user.id, await _check_grants(session, principal, data.roles))
    user.touch()
    await session.flush()
    after = await _read(session, user)
    await record(
        session,
        principal,
        "update",
        "user",
        user.id,
        unit_id=_home_unit(after),
        before=snapshot(before),
        after=snapshot(after),
    )
    return after


async def delete_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, if_match: int | None
) -> None:
    user = await _get_visible(session, principal, user_id)
    if user.id == principal.id:
        raise Forbidden("You cannot delete yourself")
    await _require_manages(session, principal, user)
    check_version(user, if_match)
    before = await _read(session, user)
    await session.delete(user)
    await session.flush()
    await record(
        session, principal, "delete", "user", user_id, unit_id=_home_unit(before), before=snapshot(before)
    )


def _home_unit(user: UserRead) -> uuid.UUID | None:
    """The unit an audit row about a user is filed under: where it holds its first role."""
    return next((r.unit_id for r in user.roles if r.unit_id), None)


__all__ = ["create_user", "delete_user", "get_user", "list_users", "update_user"]
