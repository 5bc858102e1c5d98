import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.unit_of_work import Router
from app import records
from app.kpi.periods import local_today, parse_period
from app.members import results
from app.members.schemas import (
    Affiliation,
    Gender,
    MemberCreate,
    MemberFeed,
    MemberList,
    MemberRead,
    MemberResults,
    MemberUpdate,
    MyWorkList,
    Position,
)
from app.members.service import MEMBERS, ORDER, list_filters

router = Router(prefix="/members", tags=["members"])
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page of changes")
]


@router.get("")
async def list_members(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    team_id: uuid.UUID | None = None,
    position: Position | None = None,
    gender: Gender | None = None,
    affiliation: Affiliation | None = None,
    user_id: uuid.UUID | None = None,
    active: Annotated[
        bool | None, Query(description="Still in the team: left_on empty or after today")
    ] = None,
    updated_since: Annotated[
        datetime | None, Query(description="Changes after this moment (change feed)")
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> MemberList | MemberFeed:
    """Members in the caller's area by name; with `updated_since` or `cursor`, the change feed."""
    if updated_since is not None or cursor is not None:
        page = await records.changes(
            session, principal, MEMBERS, unit_id=unit_id, since=updated_since, cursor=cursor, limit=limit
        )
        return MemberFeed(**page)
    filters = {
        "team_id": team_id,
        "position": position,
        "gender": gender,
        "affiliation": affiliation,
        "user_id": user_id,
    }
    page = await records.page(
        session,
        principal,
        MEMBERS,
        unit_id=unit_id,
        filters=list_filters(filters, active),
        order=ORDER,
        limit=limit,
        offset=offset,
        query=filters | {"active": active},
    )
    return MemberList(**page)


@router.post("", status_code=201, responses={200: {"model": MemberRead, "description": "A repeated create"}})
async def create_member(
    session: SessionDep, principal: PrincipalDep, body: MemberCreate, response: Response
) -> MemberRead:
    return answer(response, *await records.create(session, principal, MEMBERS, body))


PeriodQuery = Annotated[
    str | None, Query(max_length=20, description="`2026-06`, `2026-Q2` or `2026`; this month by default")
]


def _period(period: str | None):
    return parse_period(period or local_today().strftime("%Y-%m"))


@router.get("/results")
async def member_results(
    session: SessionDep,
    principal: PrincipalDep,
    period: PeriodQuery = None,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    team_id: uuid.UUID | None = None,
) -> MemberResults:
    """Results per member in the period (activities, people helped, households visited and assigned,
    support points on duty): for a team's leader and the commune (members:manage), by team and name."""
    return await results.results(session, principal, _period(period), unit_id=unit_id, team_id=team_id)


@router.get("/me")
async def my_work(session: SessionDep, principal: PrincipalDep, period: PeriodQuery = None) -> MyWorkList:
    """My households, my duties, my results this month: the members linked to the caller's account."""
    return await results.my_work(session, principal, _period(period))


@router.get("/{member_id}")
async def get_member(
    session: SessionDep, principal: PrincipalDep, member_id: uuid.UUID, response: Response
) -> MemberRead:
    return answer(response, await records.get(session, principal, MEMBERS, member_id))


@router.patch("/{member_id}")
async def update_member(
    session: SessionDep,
    principal: PrincipalDep,
    member_id: uuid.UUID,
    body: MemberUpdate,
    expected: IfMatchDep,
    response: Response,
) -> MemberRead:
    return answer(response, await records.update(session, principal, MEMBERS, member_id, body, expected))


@router.delete("/{member_id}", status_code=204)
async def delete_member(
    session: SessionDep, principal: PrincipalDep, member_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await records.delete(session, principal, MEMBERS, member_id, expected)
