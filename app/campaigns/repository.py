"""Campaign and event queries the rules need (lists go through app.records)."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.scope import under
from app.kpi.periods import VIETNAM
from app.models import Activity, Campaign, CampaignEvent, EventDuty, Member, Unit

# --- campaigns --------------------------------------------------------------------------------


async def campaign_with_unit(session: AsyncSession, campaign_id: uuid.UUID) -> tuple[Campaign, Unit]:
    query = select(Campaign, Unit).join(Unit, Unit.id == Campaign.unit_id).where(Campaign.id == campaign_id)
    return tuple((await session.execute(query)).one())


async def has_activities(
    session: AsyncSession, *, campaign_id: uuid.UUID | None = None, event_id: uuid.UUID | None = None
) -> bool:
    """Live (not deleted) activities of the campaign or of the event."""
    column, value = (Activity.campaign_id, campaign_id) if campaign_id else (Activity.event_id, event_id)
    query = select(exists().where(column == value, Activity.deleted_at.is_(None)))
    return bool(await session.scalar(query))


def period_bounds(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    """The moments an event of the campaign may span, a day's slack each side for time zones:
    from the start of the day before `starts_on` to the end of the day after `ends_on` (exclusive)."""
    lower = datetime.combine(starts_on - timedelta(days=1), time.min, UTC)
    upper = datetime.combine(ends_on + timedelta(days=2), time.min, UTC)
    return lower, upper


async def events_outside(
    session: AsyncSession, campaign_id: uuid.UUID, unit_path: str, starts_on: date, ends_on: date
) -> tuple[int, int, int]:
    """How many events of the campaign lie outside `unit_path`'s subtree, start before the period,
    and end after it."""
    lower, upper = period_bounds(starts_on, ends_on)
    outside = not_(under(unit_path))
    row = (
        await session.execute(
            select(
                func.count().filter(outside),
                func.count().filter(CampaignEvent.starts_at < lower),
                func.count().filter(CampaignEvent.ends_at >= upper),
            )
            .select_from(CampaignEvent)
            .join(Unit, Unit.id == CampaignEvent.unit_id)
            .where(CampaignEvent.campaign_id == campaign_id)
        )
    ).one()
    return row[0], row[1], row[2]


async def activities_outside(session: AsyncSession, campaign_id: uuid.UUID, unit_path: str) -> int:
    """How many live activities of the campaign lie outside `unit_path`'s subtree."""
    query = (
        select(func.count())
        .select_from(Activity)
        .join(Unit, Unit.id == Activity.unit_id)
        .where(
            Activity.campaign_id == campaign_id,
            Activity.deleted_at.is_(None),
            not_(under(unit_path)),
        )
    )
    return await session.scalar(query) or 0


# --- events -----------------------------------------------------------------------------------


async def events_of(session: AsyncSession, campaign_id: uuid.UUID) -> list[CampaignEvent]:
    """The campaign's events, locked (after the campaign)."""
    query = select(CampaignEvent).where(CampaignEvent.campaign_id == campaign_id).order_by(CampaignEvent.id)
    return list(await session.scalars(query.with_for_update()))


async def duties(session: AsyncSession, event_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The members on duty at each event."""
    roster: dict[uuid.UUID, list[uuid.UUID]] = {event_id: [] for event_id in event_ids}
    if event_ids:
        rows = await session.execute(
            select(EventDuty.event_id, EventDuty.member_id).where(EventDuty.event_id.in_(event_ids))
        )
        for event_id, member_id in rows:
            roster[event_id].append(member_id)
    return roster


async def member_paths(session: AsyncSession, member_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The unit path of each member that exists and is not deleted."""
    if not member_ids:
        return {}
    rows = await session.execute(
        select(Member.id, Unit.path)
        .join(Unit, Unit.id == Member.unit_id)
        .where(Member.id.in_(member_ids), Member.deleted_at.is_(None))
    )
    return {member_id: path for member_id, path in rows}


async def set_duties(
    session: AsyncSession, event_id: uuid.UUID, old: list[uuid.UUID], new: list[uuid.UUID]
) -> None:
    gone, added = set(old) - set(new), set(new) - set(old)
    if gone:
        await session.execute(
            delete(EventDuty).where(EventDuty.event_id == event_id, EventDuty.member_id.in_(gone))
        )
    session.add_all(EventDuty(event_id=event_id, member_id=member_id) for member_id in sorted(added))


async def clear_duties(session: AsyncSession, event_id: uuid.UUID) -> None:
    await session.execute(delete(EventDuty).where(EventDuty.event_id == event_id))


# --- progress ---------------------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """The first moment of a day in Vietnam, where the campaigns' days are counted."""
    return datetime.combine(day, time.min, VIETNAM)


async def linked_activities(
    session: AsyncSession, campaign_id: uuid.UUID, path: str, starts_on: date, ends_on: date
) -> list[tuple[str, int, int, int]]:
    """(kind, activities, people, dossiers) of the live activities linked to the campaign or to one of
    its events, dated from `starts_on` to `ends_on` (Vietnam days), in the subtree at `path`."""
    events = select(CampaignEvent.id).where(CampaignEvent.campaign_id == campaign_id)
    query = (
        select(Activity.kind, func.count(), func.sum(Activity.people_count), func.sum(Activity.dossier_count))
        .join(Unit, Unit.id == Activity.unit_id)
        .where(
            or_(Activity.campaign_id == campaign_id, Activity.event_id.in_(events)),
            Activity.deleted_at.is_(None),
            Activity.occurred_at >= day_start(starts_on),
            Activity.occurred_at < day_start(ends_on + timedelta(days=1)),
            under(path),
        )
        .group_by(Activity.kind)
    )
    return [
        (kind, int(n), int(people or 0), int(dossiers or 0))
        for kind, n, people, dossiers in await session.execute(query)
    ]


async def units_at(session: AsyncSession, paths: list[str]) -> list[Unit]:
    """The units at these paths, in path order."""
    if not paths:
        return []
    return list(await session.scalars(select(Unit).where(Unit.path.in_(paths)).order_by(Unit.path)))
