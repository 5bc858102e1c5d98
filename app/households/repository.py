"""Household queries. The list selects columns, not ORM objects: it is the hottest read of the field."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import in_scope
from app.core.feed import feed_query
from app.core.text import fold
from app.households.schemas import HouseholdRead
from app.models import Household, Unit

COLUMNS = [getattr(Household, name) for name in HouseholdRead.model_fields]
FILTERS = ("informed", "has_digital_member", "is_business", "needs_assistance", "assigned_member_id")


def search_text(head_name: str, code: str | None, phone: str | None) -> str:
    """What `?q=` matches: the folded head name, the code and the phone digits."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    return " ".join(part for part in (fold(head_name), fold(code or ""), digits) if part)[:300]


def _where(principal: Principal, within: Unit | None, q: str | None, filters: dict[str, Any]) -> list:
    where = [
        Household.deleted_at.is_(None),
        in_scope(Household.unit_id, principal, within, Permission.households_read),
    ]
    if q and (folded := fold(q)):
        where.append(Household.search_text.like(f"%{folded}%"))
    for name, value in filters.items():
        if value is not None:
            where.append(getattr(Household, name) == value)
    return where


async def list_households(
    session: AsyncSession,
    principal: Principal,
    *,
    within: Unit | None,
    q: str | None,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page as plain dicts (HouseholdRead's fields, in order) and the total.

    Core statements on the session's connection: no ORM compile or loading step for a read that
    fetches columns, not objects.
    """
    where = _where(principal, within, q, filters)
    connection = await session.connection()
    total = (await connection.execute(select(func.count()).select_from(Household).where(*where))).scalar()
    page = (
        select(*COLUMNS).where(*where).order_by(Household.head_name, Household.id).limit(limit).offset(offset)
    )
    rows = (await connection.execute(page)).mappings()
    return [dict(row) for row in rows], total or 0


async def changes(
    session: AsyncSession,
    principal: Principal,
    *,
    within: Unit | None,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> list[Any]:
    scope = in_scope(Household.unit_id, principal, within, Permission.households_read)
    query = select(*COLUMNS, Household.deleted_at).where(scope)
    return list(await session.execute(feed_query(query, Household, since, cursor, limit)))


async def code_taken(
    session: AsyncSession, unit_id: uuid.UUID, code: str, other_than: uuid.UUID | None
) -> bool:
    query = select(Household.id).where(
        Household.unit_id == unit_id, Household.code == code, Household.deleted_at.is_(None)
    )
    if other_than is not None:
        query = query.where(Household.id != other_than)
    return (await session.scalar(query)) is not None
