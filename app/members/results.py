"""Each member's results in a period (issue 20, item 2; plans 000, 001, 004): the activities recorded
with the member (`member_id`), the people helped, the distinct households visited (those of the
member's activities, and those assigned to the member whose last visit falls in the period), the
households assigned, and the support points on duty. A leader and the commune read them for their
area (members:manage, through the one scope filter); a member reads their own ("my work").
"""

import uuid
from datetime import datetime, time

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import in_scope, list_scope
from app.kpi.periods import Period
from app.members.schemas import (
    AssignedHousehold,
    DutyEvent,
    MemberRead,
    MemberResult,
    MemberResults,
    MyWork,
    MyWorkList,
)
from app.members.status import VIETNAM, active_clause
from app.models import Activity, CampaignEvent, EventDuty, Household, Member, Team, Unit

MY_HOUSEHOLDS = 200


def _moments(period: Period) -> tuple[datetime, datetime]:
    """The period's days as moments: from its first day's midnight to its end's, in Vietnam time."""
    return (datetime.combine(period.start, time(), VIETNAM), datetime.combine(period.end, time(), VIETNAM))


async def _results(session: AsyncSession, members: list[Member], period: Period) -> list[MemberResult]:
    ids = [m.id for m in members]
    if not ids:
        return []
    start, end = _moments(period)
    live = and_(Activity.deleted_at.is_(None), Activity.occurred_at >= start, Activity.occurred_at < end)
    flows = {
        r.member_id: r
        for r in (
            await session.execute(
                select(
                    Activity.member_id,
                    func.count().label("n"),
                    func.sum(Activity.people_count).label("people"),
                )
                .where(Activity.member_id.in_(ids), live)
                .group_by(Activity.member_id)
            )
        ).all()
    }
    visited_pairs = union(
        select(Activity.member_id.label("member_id"), Activity.household_id.label("household_id")).where(
            Activity.member_id.in_(ids), Activity.household_id.is_not(None), live
        ),
        select(Household.assigned_member_id, Household.id).where(
            Household.assigned_member_id.in_(ids),
            Household.deleted_at.is_(None),
            Household.last_visit_at >= start,
            Household.last_visit_at < end,
        ),
    ).subquery()
    visited = dict(
        (
            await session.execute(
                select(visited_pairs.c.member_id, func.count()).group_by(visited_pairs.c.member_id)
            )
        ).all()
    )
    assigned = dict(
        (
            await session.execute(
                select(Household.assigned_member_id, func.count())
                .where(Household.assigned_member_id.in_(ids), Household.deleted_at.is_(None))
                .group_by(Household.assigned_member_id)
            )
        ).all()
    )
    duties = dict(
        (
            await session.execute(
                select(EventDuty.member_id, func.count())
                .join(CampaignEvent, CampaignEvent.id == EventDuty.event_id)
                .where(
                    EventDuty.member_id.in_(ids),
                    CampaignEvent.starts_at >= start,
                    CampaignEvent.starts_at < end,
                )
                .group_by(EventDuty.member_id)
            )
        ).all()
    )
    return [
        MemberResult(
            member_id=m.id,
            full_name=m.full_name,
            team_id=m.team_id,
            position=m.position,
            activities=flows[m.id].n if m.id in flows else 0,
            people_helped=int(flows[m.id].people or 0) if m.id in flows else 0,
            households_visited=visited.get(m.id, 0),
            households_assigned=assigned.get(m.id, 0),
            events_on_duty=duties.get(m.id, 0),
        )
        for m in members
    ]


async def results(
    session: AsyncSession,
    principal: Principal,
    period: Period,
    *,
    unit_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
) -> MemberResults:
    """Results per member of the caller's area (or of `unit_id`'s subtree, or of one team), for the
    members active at some time in the period, by team and name."""
    within = await list_scope(session, principal, P.members_manage, unit_id)
    query = (
        select(Member)
        .where(
            Member.deleted_at.is_(None),
            or_(Member.left_on.is_(None), Member.left_on >= period.start),
            or_(Member.joined_on.is_(None), Member.joined_on < period.end),
            in_scope(Member.unit_id, principal, within, P.members_manage),
        )
        .order_by(Member.team_id, Member.full_name, Member.id)
    )
    if team_id is not None:
        query = query.where(Member.team_id == team_id)
    members = list(await session.scalars(query))
    return MemberResults(
        period=period.code, start=period.start, end=period.end, items=await _results(session, members, period)
    )


async def my_work(session: AsyncSession, principal: Principal, period: Period) -> MyWorkList:
    """The caller's own member records (its user account linked on the member), each with the
    households assigned, the support points on duty in the period and the period's results."""
    if principal.user_id is None:
        return MyWorkList(period=period.code, items=[])
    members = list(
        await session.scalars(
            select(Member)
            .where(Member.user_id == principal.user_id, active_clause())
            .order_by(Member.joined_on, Member.id)
        )
    )
    start, end = _moments(period)
    items = []
    for member, result in zip(members, await _results(session, members, period), strict=True):
        team_name = await session.scalar(select(Team.name).where(Team.id == member.team_id))
        duty_name = (
            await session.scalar(select(Unit.name).where(Unit.id == member.duty_unit_id))
            if member.duty_unit_id
            else None
        )
        households = (
            await session.execute(
                select(
                    Household.id,
                    Household.code,
                    Household.head_name,
                    Household.unit_id,
                    Household.last_visit_at,
                )
                .where(Household.assigned_member_id == member.id, Household.deleted_at.is_(None))
                .order_by(Household.sort_key, Household.id)
                .limit(MY_HOUSEHOLDS)
            )
        ).all()
        events = (
            await session.execute(
                select(
                    CampaignEvent.id,
                    CampaignEvent.campaign_id,
                    CampaignEvent.title,
                    CampaignEvent.location,
                    CampaignEvent.starts_at,
                )
                .join(EventDuty, EventDuty.event_id == CampaignEvent.id)
                .where(
                    EventDuty.member_id == member.id,
                    CampaignEvent.starts_at >= start,
                    CampaignEvent.starts_at < end,
                )
                .order_by(CampaignEvent.starts_at)
            )
        ).all()
        items.append(
            MyWork(
                member=MemberRead.model_validate(member),
                team_name=team_name or "",
                duty_unit_name=duty_name,
                households=[AssignedHousehold.model_validate(h, from_attributes=True) for h in households],
                events=[DutyEvent.model_validate(e, from_attributes=True) for e in events],
                result=result,
            )
        )
    return MyWorkList(period=period.code, items=items)
