"""Activity queries. Lists select columns, not ORM objects: activities are the most numerous records."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.activities.schemas import ActivityRead
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import in_scope
from app.core.feed import feed_query
from app.models import Activity, Unit

COLUMNS = [getattr(Activity, name) for name in ActivityRead.model_fields]
FILTERS = ("kind", "campaign_id", "event_id", "household_id", "member_id")


def covers(ancestor_id: uuid.UUID, path: str) -> bool:
    """The unit `ancestor_id` is the unit at `path` or one above it. A unit's materialized path lists
    the ids of the units from the root down to it (`<province>/<commune>/<village>/`), so no query."""
    return ancestor_id.hex in path.split("/")


def _where(
    principal: Principal,
    within: Unit | None,
    filters: dict[str, Any],
    occurred_from: datetime | None,
    occurred_to: datetime | None,
) -> list:
    where = [
        Activity.deleted_at.is_(None),
        in_scope(Activity.unit_id, principal, within, Permission.activities_read),
    ]
    for name, value in filters.items():
        if value is not None:
            where.append(getattr(Activity, name) == value)
    if occurred_from is not None:
        where.append(Activity.occurred_at >= occurred_from)
    if occurred_to is not None:
        where.append(Activity.occurred_at < occurred_to)
    return where


async def list_activities(
    session: AsyncSession,
    principal: Principal,
    *,
    within: Unit | None,
    filters: dict[str, Any],
    occurred_from: datetime | None,
    occurred_to: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    where = _where(principal, within, filters, occurred_from, occurred_to)
    total = await session.scalar(select(func.count()).select_from(Activity).where(*where))
    rows = await session.execute(
        select(*COLUMNS)
        .where(*where)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(limit)
        .offset(offset)
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
    scope = in_scope(Activity.unit_id, principal, within, Permission.activities_read)
    query = select(*COLUMNS, Activity.deleted_at).where(scope)
    return list(await session.execute(feed_query(query, Activity, since, cursor, limit)))
