import uuid

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.principal import Principal
from app.authz.scope import in_scope
from app.core.text import fold
from app.models import RoleAssignment, Unit


async def list_units(
    session: AsyncSession,
    principal: Principal,
    *,
    parent_id: uuid.UUID | None,
    level: str | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Unit], int]:
    where = [in_scope(Unit.id, principal)]
    if parent_id is not None:
        where.append(Unit.parent_id == parent_id)
    if level is not None:
        where.append(Unit.level == level)
    if q:
        pattern = f"%{fold(q)}%"
        where.append(or_(Unit.name_folded.like(pattern), func.lower(Unit.code).like(pattern)))
    total = await session.scalar(select(func.count()).select_from(Unit).where(*where))
    rows = await session.scalars(select(Unit).where(*where).order_by(Unit.path).limit(limit).offset(offset))
    return list(rows), total or 0


async def code_taken(session: AsyncSession, code: str, *, other_than: uuid.UUID | None = None) -> bool:
    query = select(Unit.id).where(func.lower(Unit.code) == code.lower())
    if other_than is not None:
        query = query.where(Unit.id != other_than)
    return (await session.scalar(query)) is not None


async def is_referenced(session: AsyncSession, unit_id: uuid.UUID) -> bool:
    """Children or role assignments keep a unit alive (later tables add themselves via foreign keys)."""
    return bool(
        await session.scalar(
            select(
                exists().where(Unit.parent_id == unit_id) | exists().where(RoleAssignment.unit_id == unit_id)
            )
        )
    )
