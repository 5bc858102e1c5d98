"""Activities: one act of help. The hottest write of the field (bursts on campaign days), so each
write is one function, with few queries: every reference is one primary-key lookup, and whether it
covers the activity's unit is read off the unit's materialized path."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.activities import repository
from app.activities.repository import covers
from app.activities.schemas import ActivityCreate, ActivityList, ActivityRead, ActivityUpdate
from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import list_scope, require, unit_in_body
from app.core.errors import Invalid
from app.core.feed import page_of_changes
from app.core.ids import uuid7
from app.core.resource import apply_changes, fetch, replay, soft_delete
from app.core.versioning import check_version
from app.kpi import aggregates
from app.models import Activity, Campaign, CampaignEvent, Household, Member, Unit

LABEL = "Activity"
REQUIRED = ("unit_id", "occurred_at", "kind", "people_count", "dossier_count")


async def list_activities(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    filters: dict[str, Any],
    occurred_from: datetime | None,
    occurred_to: datetime | None,
    limit: int,
    offset: int,
) -> ActivityList:
    within = await list_scope(session, principal, Permission.activities_read, unit_id)
    rows, total = await repository.list_activities(
        session,
        principal,
        within=within,
        filters=filters,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        limit=limit,
        offset=offset,
    )
    items = [ActivityRead.model_validate(row._mapping) for row in rows]
    return ActivityList(items=items, total=total, limit=limit, offset=offset)


async def activity_changes(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    within = await list_scope(session, principal, Permission.activities_read, unit_id)
    rows = await repository.changes(
        session, principal, within=within, since=since, cursor=cursor, limit=limit
    )
    return page_of_changes(rows, limit, cursor, lambda r: ActivityRead.model_validate(r._mapping))


async def get_activity(session: AsyncSession, principal: Principal, activity_id: uuid.UUID) -> Activity:
    activity, _ = await fetch(
        session, principal, Activity, activity_id, Permission.activities_read, label=LABEL
    )
    return activity


async def create_activity(
    session: AsyncSession, principal: Principal, data: ActivityCreate
) -> tuple[Activity, bool]:
    # With only an event sent, the stored campaign_id comes from the event: not part of the comparison.
    ignore = {"campaign_id"} if data.event_id is not None and data.campaign_id is None else set()
    if (existing := await replay(session, principal, Activity, data, ActivityRead, ignore)) is not None:
        return existing, False
    unit = await unit_in_body(session, principal, data.unit_id)
    require(principal, Permission.activities_record, unit)
    values = data.model_dump(exclude={"id"})
    values |= await _agree(session, values, unit, changed=set(values), sent=set(values))
    activity = Activity(id=data.id or uuid7(), **values, recorded_by=principal.user_id)
    session.add(activity)
    await session.flush()
    await aggregates.activity_changed(session, None, activity)
    record(
        session,
        principal,
        "create",
        "activity",
        activity.id,
        unit_id=unit.id,
        after=snapshot(ActivityRead.model_validate(activity)),
    )
    return activity, True


async def update_activity(
    session: AsyncSession,
    principal: Principal,
    activity_id: uuid.UUID,
    data: ActivityUpdate,
    if_match: int | None,
) -> Activity:
    activity, unit = await fetch(
        session, principal, Activity, activity_id, Permission.activities_manage, label=LABEL, lock=True
    )
    changes = data.model_dump(exclude_unset=True)
    for field in REQUIRED:
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null", loc=["body", field])
    check_version(activity, if_match)
    if "unit_id" in changes and changes["unit_id"] != activity.unit_id:
        unit = await unit_in_body(session, principal, changes["unit_id"])
        require(principal, Permission.activities_manage, unit)
    before = ActivityRead.model_validate(activity)
    merged = before.model_dump() | changes
    changed = {k for k, v in changes.items() if getattr(activity, k) != v}
    changes |= await _agree(session, merged, unit, changed=changed, sent=set(changes))
    if apply_changes(activity, changes):
        await session.flush()
        await aggregates.activity_changed(session, before, activity)
        record(
            session,
            principal,
            "update",
            "activity",
            activity.id,
            unit_id=activity.unit_id,
            before=snapshot(before),
            after=snapshot(ActivityRead.model_validate(activity)),
        )
    return activity


async def delete_activity(
    session: AsyncSession, principal: Principal, activity_id: uuid.UUID, if_match: int | None
) -> None:
    activity, _ = await fetch(
        session, principal, Activity, activity_id, Permission.activities_manage, label=LABEL, lock=True
    )
    await soft_delete(session, principal, activity, ActivityRead, "activity", if_match)
    await aggregates.activity_changed(session, activity, None)


async def _agree(
    session: AsyncSession, values: dict[str, Any], unit: Unit, *, changed: set[str], sent: set[str]
) -> dict[str, Any]:
    """The agreement of the references with the activity's unit (DOMAIN.md, "Activity"), checked for
    the references that are new or whose unit moved: a household deleted since does not block an edit
    of the note. Returns what to set besides: the event's campaign when only the event was given."""
    problems: list[tuple[str, str]] = []
    extra: dict[str, Any] = {}
    moved = "unit_id" in changed

    household_id = values.get("household_id")
    if household_id is not None and (moved or "household_id" in changed):
        household = await session.get(Household, household_id)
        if household is None or household.deleted_at is not None or household.unit_id != unit.id:
            problems.append(("household_id", "the household must be a household of the activity's unit"))

    campaign_id, event_id = values.get("campaign_id"), values.get("event_id")
    # The campaign follows the event when none is given, or when an update moves only the event.
    follow = campaign_id is None or ("event_id" in changed and "campaign_id" not in sent)
    settled = False  # the campaign was checked through the event, which lies within it
    if event_id is not None and (moved or {"event_id", "campaign_id"} & changed):
        event = await session.get(CampaignEvent, event_id)
        if event is None or not covers(event.unit_id, unit.path):
            problems.append(("event_id", "the event must take place in the activity's unit or one above it"))
        else:
            settled = True
            if follow:
                extra["campaign_id"] = event.campaign_id
            elif event.campaign_id != campaign_id:
                problems.append(("campaign_id", "the event belongs to another campaign"))
    if campaign_id is not None and not settled and (moved or "campaign_id" in changed):
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None or not covers(campaign.unit_id, unit.path):
            problems.append(("campaign_id", "the campaign must be one of the activity's unit or above it"))

    member_id = values.get("member_id")
    if member_id is not None and (moved or "member_id" in changed):
        member = await session.get(Member, member_id)
        if member is None or member.deleted_at is not None or not covers(member.unit_id, unit.path):
            problems.append(("member_id", "the member must be in a team of the activity's unit or above it"))

    if problems:
        raise Invalid.fields(problems)
    return extra
