import uuid
from datetime import date, datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.principal import Principal
from app.authz.scope import in_scope
from app.core.feed import feed_query
from app.core.search import matches
from app.models import (
    Activity,
    ApiKey,
    Campaign,
    CampaignEvent,
    Household,
    KpiSnapshot,
    Member,
    RoleAssignment,
    Target,
    Team,
    Training,
    Unit,
    UnitChange,
)
from app.models.unit import valid_on
from app.units.history import as_of


async def list_units(
    session: AsyncSession,
    principal: Principal,
    *,
    parent_id: uuid.UUID | None,
    level: str | None,
    q: str | None,
    day: date,
    today: date,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Unit, dict]], int]:
    """Units valid on `day`, each with the fields that differed then (`{}` when none did)."""
    past = day < today
    name = as_of(UnitChange.name_before, Unit.name, day) if past else Unit.name
    code = as_of(UnitChange.code_before, Unit.code, day) if past else Unit.code
    parent = as_of(UnitChange.parent_before_id, Unit.parent_id, day) if past else Unit.parent_id
    where = [in_scope(Unit.id, principal), valid_on(day)]
    if parent_id is not None:
        where.append(parent == parent_id)
    if level is not None:
        where.append(Unit.level == level)
    if (search := matches(q, Unit.name_folded, func.lower(Unit.code))) is not None:
        where.append(search)
    total = await session.scalar(select(func.count()).select_from(Unit).where(*where))
    query = select(Unit, name, code, parent).where(*where).order_by(Unit.path).limit(limit).offset(offset)
    rows = []
    for unit, then_name, then_code, then_parent in await session.execute(query):
        then = {"name": then_name, "code": then_code, "parent_id": then_parent}
        rows.append((unit, {k: v for k, v in then.items() if v != getattr(unit, k)}))
    return rows, total or 0


def changes_query(principal: Principal, since: datetime | None, cursor: str | None, limit: int) -> Select:
    """The change feed of the caller's units, closed ones included (units are never soft-deleted:
    only an empty unit can be deleted, so a phone holds nothing of it)."""
    return feed_query(select(Unit).where(in_scope(Unit.id, principal)), Unit, since, cursor, limit)


async def code_taken(
    session: AsyncSession, level: str, code: str, *, other_than: uuid.UUID | None = None
) -> bool:
    """Codes are unique per level (case-insensitively)."""
    query = select(Unit.id).where(Unit.level == level, func.lower(Unit.code) == code.lower())
    if other_than is not None:
        query = query.where(Unit.id != other_than)
    return (await session.scalar(query)) is not None


# Every table whose rows hang off a unit: a unit with any of them holds data worth keeping.
HOLDERS = (
    (Unit, Unit.parent_id),
    (RoleAssignment, RoleAssignment.unit_id),
    (Household, Household.unit_id),
    (Team, Team.unit_id),
    (Member, Member.unit_id),
    (Activity, Activity.unit_id),
    (Training, Training.unit_id),
    (Campaign, Campaign.unit_id),
    (CampaignEvent, CampaignEvent.unit_id),
    (Target, Target.unit_id),
    (KpiSnapshot, KpiSnapshot.unit_id),
    (ApiKey, ApiKey.unit_id),
    (UnitChange, UnitChange.unit_id),
)


async def holds_data(session: AsyncSession, unit_id: uuid.UUID) -> bool:
    condition = or_(*(exists().where(column == unit_id) for _, column in HOLDERS))
    return bool(await session.scalar(select(condition)))


async def find(session: AsyncSession, code_or_id: str) -> Unit | None:
    """A unit by id, or by code (the highest level first: `01` is the province)."""
    try:
        return await session.get(Unit, uuid.UUID(code_or_id))
    except ValueError:
        rank = {"province": 0, "commune": 1, "village": 2}
        units = await session.scalars(select(Unit).where(func.lower(Unit.code) == code_or_id.strip().lower()))
        return min(units, key=lambda u: rank.get(u.level, 3), default=None)
