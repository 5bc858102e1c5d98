import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, set_etag
from app.members import service
from app.members.schemas import (
    Affiliation,
    Gender,
    MemberCreate,
    MemberFeed,
    MemberList,
    MemberRead,
    MemberUpdate,
    Position,
)

router = APIRouter(prefix="/members", tags=["members"])
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
        page = await service.member_changes(
            session, principal, unit_id=unit_id, since=updated_since, cursor=cursor, limit=limit
        )
        return MemberFeed(**page)
    filters = {
        "team_id": team_id,
        "position": position,
        "gender": gender,
        "affiliation": affiliation,
        "user_id": user_id,
    }
    return await service.list_members(
        session, principal, unit_id=unit_id, filters=filters, active=active, limit=limit, offset=offset
    )


@router.post("", status_code=201, responses={200: {"model": MemberRead, "description": "A repeated create"}})
async def create_member(
    session: SessionDep, principal: PrincipalDep, body: MemberCreate, response: Response
) -> MemberRead:
    member, created = await service.create_member(session, principal, body)
    response.status_code = 201 if created else 200
    set_etag(response, member.version)
    return MemberRead.model_validate(member)


@router.get("/{member_id}")
async def get_member(
    session: SessionDep, principal: PrincipalDep, member_id: uuid.UUID, response: Response
) -> MemberRead:
    member = await service.get_member(session, principal, member_id)
    set_etag(response, member.version)
    return MemberRead.model_validate(member)


@router.patch("/{member_id}")
async def update_member(
    session: SessionDep,
    principal: PrincipalDep,
    member_id: uuid.UUID,
    body: MemberUpdate,
    expected: IfMatchDep,
    response: Response,
) -> MemberRead:
    member = await service.update_member(session, principal, member_id, body, expected)
    set_etag(response, member.version)
    return MemberRead.model_validate(member)


@router.delete("/{member_id}", status_code=204)
async def delete_member(
    session: SessionDep, principal: PrincipalDep, member_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await service.delete_member(session, principal, member_id, expected)
