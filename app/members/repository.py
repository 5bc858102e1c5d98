"""Member queries the rules need (lists and feeds go through app.records)."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.members.schemas import Position
from app.members.status import active_clause
from app.models import Member


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


async def active_counts(session: AsyncSession, team_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The active members of each team (teams without any are left out)."""
    if not team_ids:
        return {}
    query = (
        select(Member.team_id, func.count())
        .where(Member.team_id.in_(team_ids), active_clause())
        .group_by(Member.team_id)
    )
    return dict((await session.execute(query)).all())


async def of_team(session: AsyncSession, team_id: uuid.UUID) -> list[Member]:
    """The team's members that are not deleted, locked for update (after the team row)."""
    query = (
        select(Member)
        .where(Member.team_id == team_id, Member.deleted_at.is_(None))
        .order_by(Member.id)
        .with_for_update()
    )
    return list(await session.scalars(query))
