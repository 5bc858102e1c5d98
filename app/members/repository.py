"""Member queries. Every one is scoped through `in_scope` on the member's (denormalised) unit."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import in_scope
from app.core.feed import feed_query
from app.members.schemas import MemberRead, Position
from app.members.status import active_clause
from app.models import Member, Unit

COLUMNS = [getattr(Member, name) for name in MemberRead.model_fields]
FILTERS = ("team_id", "position", "gender", "affiliation", "user_id")


def _where(principal: Principal, within: Unit | None, filters: dict[str, Any], active: bool | None) -> list:
    where = [
        Member.deleted_at.is_(None),
        in_scope(Member.unit_id, principal, within, Permission.members_read),
    ]
    for name, value in filters.items():
        if value is not None:
            where.append(getattr(Member, name) == value)
    if active is not None:
        where.append(active_clause() if active else not_(active_clause()))
    return where


async def list_members(
    session: AsyncSession,
    principal: Principal,
    *,
    within: Unit | None,
    filters: dict[str, Any],
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    where = _where(principal, within, filters, active)
    total = await session.scalar(select(func.count()).select_from(Member).where(*where))
    rows = await session.execute(
        select(*COLUMNS).where(*where).order_by(Member.full_name, Member.id).limit(limit).offset(offset)
    )
    return list(rows), total or 0


async def changes(
    session: AsyncSession,
    principal: Principal,
    *,
    within: Unit | None,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> list[Any]:
    scope = in_scope(Member.unit_id, principal, within, Permission.members_read)
    query = select(*COLUMNS, Member.deleted_at).where(scope)
    return list(await session.execute(feed_query(query, Member, since, cursor, limit)))


async def other_active_leader(
    session: AsyncSession, team_id: uuid.UUID, other_than: uuid.UUID | None
) -> str | None:
    """The name of an active leader of the team other than `other_than`, if there is one."""
    query = select(Member.full_name).where(
        Member.team_id == team_id, Member.position == Position.leader.value, active_clause()
    )
    if other_than is not None:
        query = query.where(Member.id != other_than)
    return await session.scalar(query.limit(1))


async def active_count(session: AsyncSession, team_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Member).where(Member.team_id == team_id, active_clause())
    return (await session.scalar(query)) or 0


async def of_team(session: AsyncSession, team_id: uuid.UUID) -> list[Member]:
    """The team's members that are not deleted, locked for update (after the team row)."""
    query = (
        select(Member)
        .where(Member.team_id == team_id, Member.deleted_at.is_(None))
        .order_by(Member.id)
        .with_for_update()
    )
    return list(await session.scalars(query))
