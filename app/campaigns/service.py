"""Campaigns and their events. Campaigns are hard-deleted (not synced); an event belongs to one
campaign and lies in the campaign's unit or below it, within its period.

Reading follows `repository.visible`: a campaign is seen in its unit's subtree and by the units
below it; writing needs campaigns:manage at the campaign's unit, events:manage at the event's unit.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, may_from_below, require, sees_or_above, unit_in_body
from app.campaigns import repository
from app.campaigns.repository import READ, period_bounds
from app.campaigns.schemas import (
    CampaignCreate,
    CampaignList,
    CampaignRead,
    CampaignUpdate,
    EventCreate,
    EventList,
    EventRead,
    EventUpdate,
    event_read,
    rule_errors,
)
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.ids import uuid7
from app.core.replay import ensure_same
from app.core.resource import apply_changes, replay
from app.core.versioning import check_version
from app.models import Campaign, CampaignEvent, EventDuty, Unit

CAMPAIGN_REQUIRED = ("unit_id", "kind", "name", "starts_on", "ends_on", "status", "goals")
EVENT_REQUIRED = ("unit_id", "title", "starts_at", "ends_at", "member_ids")


# --- campaigns --------------------------------------------------------------------------------


async def list_campaigns(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    filters: dict[str, Any],
    active_on: date | None,
    limit: int,
    offset: int,
) -> CampaignList:
    if not principal.can(READ):
        raise Forbidden("Your role does not allow campaigns:read")
    within = await get_unit_in_scope(session, principal, unit_id) if unit_id else None
    rows, total = await repository.list_campaigns(
        session, principal, within=within, filters=filters, active_on=active_on, limit=limit, offset=offset
    )
    items = [CampaignRead.model_validate(row._mapping) for row in rows]
    return CampaignList(items=items, total=total, limit=limit, offset=offset)


async def get_campaign(session: AsyncSession, principal: Principal, campaign_id: uuid.UUID) -> Campaign:
    campaign, _ = await _campaign(session, principal, campaign_id, READ)
    return campaign


async def create_campaign(
    session: AsyncSession, principal: Principal, data: CampaignCreate
) -> tuple[Campaign, bool]:
    if (existing := await replay(session, principal, Campaign, data, CampaignRead)) is not None:
        return existing, False
    unit = await unit_in_body(session, principal, data.unit_id)
    require(principal, Permission.campaigns_manage, unit)
    values = data.model_dump(exclude={"id"})
    if problems := rule_errors(values):
        raise Invalid.fields(problems)
    campaign = Campaign(id=data.id or uuid7(), **values)
    session.add(campaign)
    await session.flush()
    record(
        session,
        principal,
        "create",
        "campaign",
        campaign.id,
        unit_id=unit.id,
        after=snapshot(CampaignRead.model_validate(campaign)),
    )
    return campaign, True


async def update_campaign(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    data: CampaignUpdate,
    if_match: int | None,
) -> Campaign:
    campaign, unit = await _campaign(session, principal, campaign_id, Permission.campaigns_manage, lock=True)
    changes = data.model_dump(exclude_unset=True)
    for field in CAMPAIGN_REQUIRED:
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null", loc=["body", field])
    check_version(campaign, if_match)
    moved = "unit_id" in changes and changes["unit_id"] != campaign.unit_id
    if moved:
        unit = await unit_in_body(session, principal, changes["unit_id"])
        require(principal, Permission.campaigns_manage, unit)
    before = CampaignRead.model_validate(campaign)
    merged = before.model_dump() | changes
    problems = rule_errors(merged)
    redated = (merged["starts_on"], merged["ends_on"]) != (campaign.starts_on, campaign.ends_on)
    if not problems and (moved or redated):
        problems = await _what_it_holds(session, campaign, unit, merged["starts_on"], merged["ends_on"])
    if problems:
        raise Invalid.fields(problems)
    if apply_changes(campaign, changes):
        await session.flush()
        record(
            session,
            principal,
            "update",
            "campaign",
            campaign.id,
            unit_id=campaign.unit_id,
            before=snapshot(before),
            after=snapshot(CampaignRead.model_validate(campaign)),
        )
    return campaign


async def delete_campaign(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID, if_match: int | None
) -> None:
    """Delete a campaign and its events; a campaign with activities stays (409)."""
    campaign, _ = await _campaign(session, principal, campaign_id, Permission.campaigns_manage, lock=True)
    check_version(campaign, if_match)
    if await repository.has_activities(session, campaign_id=campaign.id):
        raise Conflict("The campaign has activities: close it (status closed) instead of deleting it")
    before = snapshot(CampaignRead.model_validate(campaign))
    events = await repository.delete_campaign_events(session, campaign.id)
    await session.delete(campaign)
    await session.flush()
    for event in events:
        record(session, principal, "delete", "campaign_event", event.id, unit_id=event.unit_id)
    record(session, principal, "delete", "campaign", campaign.id, unit_id=campaign.unit_id, before=before)


async def _campaign(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    permission: Permission,
    *,
    lock: bool = False,
) -> tuple[Campaign, Unit]:
    """The campaign and its unit: 404 when absent or out of sight, 403 when seen without `permission`."""
    row = await repository.campaign_with_unit(session, campaign_id, lock=lock)
    if row is None or not sees_or_above(principal, row[1].path):
        raise NotFound("Campaign not found")
    if not may_from_below(principal, permission, row[1].path, Permission.campaigns_read):
        raise Forbidden(f"Your role does not allow {permission.value} here")
    return row


async def _what_it_holds(
    session: AsyncSession, campaign: Campaign, unit: Unit, starts_on: date, ends_on: date
) -> list[tuple[str, str]]:
    """A campaign moved or re-dated must still hold its events and activities."""
    problems = []
    outside, early, late = await repository.events_outside(
        session, campaign.id, unit.path, starts_on, ends_on
    )
    if outside:
        problems.append(("unit_id", f"{outside} event(s) of the campaign lie outside this unit"))
    if unit.id != campaign.unit_id and (
        n := await repository.activities_outside(session, campaign.id, unit.path)
    ):
        problems.append(("unit_id", f"{n} activit(ies) of the campaign lie outside this unit"))
    if early:
        problems.append(("starts_on", f"{early} event(s) of the campaign start before {starts_on}"))
    if late:
        problems.append(("ends_on", f"{late} event(s) of the campaign end after {ends_on}"))
    return problems


# --- events -----------------------------------------------------------------------------------


async def list_events(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    *,
    unit_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> EventList:
    """The campaign's events the caller sees, by start time."""
    await _campaign(session, principal, campaign_id, READ)
    within = await get_unit_in_scope(session, principal, unit_id) if unit_id else None
    rows, total = await repository.list_events(
        session, principal, campaign_id, within=within, limit=limit, offset=offset
    )
    roster = await repository.duties(session, [row.id for row in rows])
    items = [event_read(row, roster[row.id]) for row in rows]
    return EventList(items=items, total=total, limit=limit, offset=offset)


async def get_event(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID, event_id: uuid.UUID
) -> EventRead:
    event, _ = await _event(session, principal, campaign_id, event_id, READ)
    return await _read(session, event)


async def create_event(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID, data: EventCreate
) -> tuple[EventRead, bool]:
    campaign, campaign_unit = await _campaign(session, principal, campaign_id, READ)
    if (existing := await _replay_event(session, principal, campaign, data)) is not None:
        return existing, False
    unit = await unit_in_body(session, principal, data.unit_id)
    require(principal, Permission.events_manage, unit)
    values = data.model_dump(exclude={"id"})
    await _check_event(session, values, unit, campaign, campaign_unit, members=True)
    member_ids = values.pop("member_ids")
    event = CampaignEvent(id=data.id or uuid7(), campaign_id=campaign.id, **values)
    session.add(event)
    await session.flush()
    session.add_all(EventDuty(event_id=event.id, member_id=member_id) for member_id in member_ids)
    await session.flush()
    read = event_read(event, member_ids)
    record(session, principal, "create", "campaign_event", event.id, unit_id=unit.id, after=snapshot(read))
    return read, True


async def update_event(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    event_id: uuid.UUID,
    data: EventUpdate,
    if_match: int | None,
) -> EventRead:
    event, unit = await _event(session, principal, campaign_id, event_id, Permission.events_manage, lock=True)
    changes = data.model_dump(exclude_unset=True)
    for field in EVENT_REQUIRED:
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null", loc=["body", field])
    check_version(event, if_match)
    moved = "unit_id" in changes and changes["unit_id"] != event.unit_id
    if moved:
        unit = await unit_in_body(session, principal, changes["unit_id"])
        require(principal, Permission.events_manage, unit)
    before = await _read(session, event)
    merged = before.model_dump() | changes
    campaign, campaign_unit = await repository.campaign_with_unit(session, event.campaign_id)
    await _check_event(
        session, merged, unit, campaign, campaign_unit, members=moved or "member_ids" in changes
    )
    member_ids = changes.pop("member_ids", before.member_ids)
    changed = apply_changes(event, changes)
    if set(member_ids) != set(before.member_ids):
        await repository.set_duties(session, event.id, before.member_ids, member_ids)
        if not changed:
            event.touch()
            changed = True
    after = event_read(event, member_ids)
    if changed:
        await session.flush()
        record(
            session,
            principal,
            "update",
            "campaign_event",
            event.id,
            unit_id=event.unit_id,
            before=snapshot(before),
            after=snapshot(after),
        )
    return after


async def delete_event(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    event_id: uuid.UUID,
    if_match: int | None,
) -> None:
    """Delete an event and its duty roster; an event with activities stays (409)."""
    event, _ = await _event(session, principal, campaign_id, event_id, Permission.events_manage, lock=True)
    check_version(event, if_match)
    if await repository.has_activities(session, event_id=event.id):
        raise Conflict("The event has activities: it cannot be deleted")
    before = snapshot(await _read(session, event))
    await repository.delete_event(session, event)
    await session.flush()
    record(session, principal, "delete", "campaign_event", event.id, unit_id=event.unit_id, before=before)


async def _event(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    event_id: uuid.UUID,
    permission: Permission,
    *,
    lock: bool = False,
) -> tuple[CampaignEvent, Unit]:
    """The event of the campaign and its unit: 404 when absent or out of sight, 403 without
    `permission` there."""
    row = await repository.event_with_unit(session, campaign_id, event_id, lock=lock)
    if row is None or not sees_or_above(principal, row[1].path):
        raise NotFound("Event not found")
    if not may_from_below(principal, permission, row[1].path, Permission.campaigns_read):
        raise Forbidden(f"Your role does not allow {permission.value} here")
    return row


async def _read(session: AsyncSession, event: CampaignEvent) -> EventRead:
    roster = await repository.duties(session, [event.id])
    return event_read(event, roster[event.id])


async def _replay_event(
    session: AsyncSession, principal: Principal, campaign: Campaign, data: EventCreate
) -> EventRead | None:
    """As `app.core.resource.replay`, with the duty roster and the campaign in the path compared too."""
    if data.id is None or (existing := await session.get(CampaignEvent, data.id)) is None:
        return None
    unit = await session.get(Unit, existing.unit_id)
    if existing.campaign_id != campaign.id or unit is None or not principal.sees(unit.path):
        raise Conflict("This id is already in use")
    read = await _read(session, existing)
    ensure_same(read, data)
    return read


async def _check_event(
    session: AsyncSession,
    values: dict[str, Any],
    unit: Unit,
    campaign: Campaign,
    campaign_unit: Unit,
    *,
    members: bool,
) -> None:
    """The event rules: in the campaign's unit or below, within its period (a day's slack each side
    for time zones), ending after it starts, with members of the event's unit or of a unit above or
    below it (the village team, or the commune team)."""
    problems = []
    if not unit.path.startswith(campaign_unit.path):
        problems.append(("unit_id", "the event must take place in the campaign's unit or in a unit below it"))
    starts_at, ends_at = values["starts_at"], values["ends_at"]
    if ends_at < starts_at:
        problems.append(("ends_at", "ends_at cannot be before starts_at"))
    lower, upper = period_bounds(campaign.starts_on, campaign.ends_on)
    period = f"the event must fall within the campaign's period ({campaign.starts_on} to {campaign.ends_on})"
    if starts_at < lower:
        problems.append(("starts_at", period))
    if ends_at >= upper:
        problems.append(("ends_at", period))
    if members and values["member_ids"]:
        paths = await repository.member_paths(session, values["member_ids"])
        strangers = [
            str(member_id)
            for member_id in values["member_ids"]
            if (path := paths.get(member_id)) is None
            or not (unit.path.startswith(path) or path.startswith(unit.path))
        ]
        if strangers:
            problems.append(
                (
                    "member_ids",
                    "members must exist and be on a team of the event's unit or of a unit "
                    f"above or below it: {', '.join(strangers)}",
                )
            )
    if problems:
        raise Invalid.fields(problems)
