"""Team queries, with `member_count` computed in the same statement (a correlated count)."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import in_scope
from app.core.feed import feed_query
from app.members.status import active_clause
from app.models import Member, Team, Unit
from app.teams.schemas import TeamRecord


def _columns() -> list:
    member_count = (
        select(func.count(Member.id))
        .where(Member.team_id == Team.id, active_clause())
        .correlate(Team)
        .scalar_subquery()
        .label("member_count")
    )
    return [*(getattr(Team, name) for name in TeamRecord.model_fields), member_count]


def _where(principal: Principal, within: Unit | None, status: str | None) -> list:
    where = [Team.deleted_at.is_(None), in_scope(Team.unit_id, principal, within, Permission.teams_read)]
    if status is not None:
        where.append(Team.status == status)
    return where


async def list_teams(
    session: AsyncSession,
    principal: Principal,
    *,
    within: Unit | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    where = _where(principal, within, status)
    total = await session.scalar(select(func.count()).select_from(Team).where(*where))
    rows = await session.execute(
        select(*_columns()).where(*where).order_by(Team.name, Team.id).limit(limit).offset(offset)
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
    scope = in_scope(Team.unit_id, principal, within, Permission.teams_read)
    query = select(*_columns(), Team.deleted_at).where(scope)
    return list(await session.execute(feed_query(query, Team, since, cursor, limit)))
