"""Campaigns and their events. Neither is synced to phones, so a delete is a real one; an event
belongs to one campaign and lies in the campaign's unit or below it, within its period.

Both are read from their unit's subtree and from the units below it (a commune's campaign is each
village's too); writing needs campaigns:manage at the campaign's unit, events:manage at the event's.
"""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import related, within_path
from app.campaigns import repository
from app.campaigns.repository import period_bounds
from app.campaigns.schemas import CampaignRead, EventRead, event_read
from app.core.errors import Conflict, Invalid, Problem
from app.models import Campaign, CampaignEvent, Unit
from app.records import Permissions, Resource, Write, fetch, remove

CAMPAIGN_ORDER = [Campaign.starts_on.desc(), Campaign.name, Campaign.id]
EVENT_ORDER = [CampaignEvent.starts_at, CampaignEvent.id]


class Campaigns(Resource):
    name, label, model, read = "campaign", "Campaign", Campaign, CampaignRead
    dated_by = "starts_on"  # a closed unit takes it only when dated by its close
    permissions = Permissions(P.campaigns_read, P.campaigns_manage)
    required = ("unit_id", "kind", "name", "starts_on", "ends_on", "status", "goals")
    tombstones = False
    from_below = True

    async def rules(self, w: Write) -> dict[str, Any]:
        values, problems = w.values, []
        starts, ends = values["starts_on"], values["ends_on"]
        if ends < starts:
            msg = f"ends_on ({ends}) cannot be before starts_on ({starts})"
            problems.append(Problem("ends_on", msg, "period.reversed"))
        elif w.obj is not None and {"unit_id", "starts_on", "ends_on"} & w.changed:
            problems = await _what_it_holds(w.session, w.obj, w.unit, starts, ends)
        if problems:
            raise Invalid.fields(problems)
        return {}

    async def removing(self, w: Write) -> None:
        """A campaign with activities stays (close it instead); its events go with it."""
        if await repository.has_activities(w.session, campaign_id=w.obj.id):
            raise Conflict(
                "The campaign has activities: close it (status closed) instead of deleting it",
                code="campaign.has_activities",
            )
        events = await repository.events_of(w.session, w.obj.id)
        for event, before in zip(events, await EVENTS.present(w.session, events), strict=True):
            await remove(Write(w.session, w.principal, EVENTS, {}, w.unit, event, before))


async def _what_it_holds(
    session: AsyncSession, campaign: Campaign, unit: Unit, starts_on: date, ends_on: date
) -> list[Problem]:
    """A campaign moved or re-dated must still hold its events and activities."""
    problems, code = [], "campaign.events_outside"
    outside, early, late = await repository.events_outside(
        session, campaign.id, unit.path, starts_on, ends_on
    )
    if outside:
        problems.append(Problem("unit_id", f"{outside} event(s) of the campaign lie outside this unit", code))
    if unit.id != campaign.unit_id and (
        n := await repository.activities_outside(session, campaign.id, unit.path)
    ):
        msg = f"{n} activit(ies) of the campaign lie outside this unit"
        problems.append(Problem("unit_id", msg, "campaign.activities_outside"))
    if early:
        problems.append(
            Problem("starts_on", f"{early} event(s) of the campaign start before {starts_on}", code)
        )
    if late:
        problems.append(Problem("ends_on", f"{late} event(s) of the campaign end after {ends_on}", code))
    return problems


class Events(Resource):
    name, label, model, read = "campaign_event", "Event", CampaignEvent, EventRead
    dated_by = "starts_at"  # a closed unit takes it only when dated by its close
    permissions = Permissions(P.campaigns_read, P.events_manage)
    required = ("unit_id", "title", "starts_at", "ends_at", "member_ids")
    tombstones = False
    from_below = True

    async def present(self, session: AsyncSession, rows: Sequence[Any]) -> list[BaseModel]:
        roster = await repository.duties(session, [row.id for row in rows])
        return [event_read(row, roster[row.id]) for row in rows]

    async def rules(self, w: Write) -> dict[str, Any]:
        """In the campaign's unit or below, within its period (a day's slack each side for time zones),
        ending after it starts, with members of the event's unit or of a unit above or below it."""
        values, unit, problems = w.values, w.unit, []
        campaign, campaign_unit = await repository.campaign_with_unit(w.session, values["campaign_id"])
        if not within_path(unit.path, campaign_unit.path):
            msg = "the event must take place in the campaign's unit or in a unit below it"
            problems.append(Problem("unit_id", msg, "event.outside_campaign"))
        starts_at, ends_at = values["starts_at"], values["ends_at"]
        if ends_at < starts_at:
            problems.append(Problem("ends_at", "ends_at cannot be before starts_at", "period.reversed"))
        lower, upper = period_bounds(campaign.starts_on, campaign.ends_on)
        dates = f"{campaign.starts_on} to {campaign.ends_on}"
        period = f"the event must fall within the campaign's period ({dates})"
        if starts_at < lower:
            problems.append(Problem("starts_at", period, "event.outside_period"))
        if ends_at >= upper:
            problems.append(Problem("ends_at", period, "event.outside_period"))
        if values["member_ids"] and {"unit_id", "member_ids"} & w.changed:
            paths = await repository.member_paths(w.session, values["member_ids"])
            ids = values["member_ids"]
            strangers = [
                str(m) for m in ids if (path := paths.get(m)) is None or not related(path, unit.path)
            ]
            if strangers:
                problems.append(
                    Problem(
                        "member_ids",
                        "members must exist and be on a team of the event's unit or of a unit "
                        f"above or below it: {', '.join(strangers)}",
                        "event.member_elsewhere",
                    )
                )
        if problems:
            raise Invalid.fields(problems)
        return {}

    async def save_children(self, w: Write, record_id: uuid.UUID) -> bool:
        old = w.before.member_ids if w.before is not None else []
        new = w.changes.get("member_ids", old)
        if set(new) == set(old):
            return False
        await repository.set_duties(w.session, record_id, old, new)
        return True

    async def removing(self, w: Write) -> None:
        """An event with activities stays; its duty roster goes with it."""
        if await repository.has_activities(w.session, event_id=w.obj.id):
            raise Conflict("The event has activities: it cannot be deleted", code="event.has_activities")
        await repository.clear_duties(w.session, w.obj.id)


CAMPAIGNS = Campaigns()
EVENTS = Events()


async def events_of(session: AsyncSession, principal: Principal, campaign_id: uuid.UUID) -> dict[str, Any]:
    """The path parent of an event: a campaign the caller sees (else 404, whatever the event)."""
    await fetch(session, principal, CAMPAIGNS, campaign_id, P.campaigns_read)
    return {"campaign_id": campaign_id}


def campaign_filters(filters: dict[str, Any], active_on: date | None) -> list:
    conditions = [getattr(Campaign, name) == value for name, value in filters.items() if value is not None]
    if active_on is not None:
        conditions += [Campaign.starts_on <= active_on, Campaign.ends_on >= active_on]
    return conditions
