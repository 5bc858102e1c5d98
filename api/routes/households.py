import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, set_etag
from app.core.fields import Query as SearchText
from app.households import service
from app.households.schemas import (
    HouseholdCreate,
    HouseholdFeed,
    HouseholdList,
    HouseholdRead,
    HouseholdUpdate,
)

router = APIRouter(prefix="/households", tags=["households"])
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page of changes")
]


@router.get("")
async def list_households(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    q: Annotated[SearchText | None, Query(description="Head name, code or phone, accent-insensitive")] = None,
    informed: bool | None = None,
    has_digital_member: bool | None = None,
    is_business: bool | None = None,
    needs_assistance: bool | None = None,
    assigned_member_id: uuid.UUID | None = None,
    updated_since: Annotated[
        datetime | None, Query(description="Changes after this moment (change feed)")
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> HouseholdList | HouseholdFeed:
    """Households in the caller's area by head name; with `updated_since` or `cursor`, the change feed."""
    if updated_since is not None or cursor is not None:
        page = await service.household_changes(
            session, principal, unit_id=unit_id, since=updated_since, cursor=cursor, limit=limit
        )
        return HouseholdFeed(**page)
    filters = {
        "informed": informed,
        "has_digital_member": has_digital_member,
        "is_business": is_business,
        "needs_assistance": needs_assistance,
        "assigned_member_id": assigned_member_id,
    }
    return await service.list_households(
        session, principal, unit_id=unit_id, q=q, filters=filters, limit=limit, offset=offset
    )


@router.post(
    "", status_code=201, responses={200: {"model": HouseholdRead, "description": "A repeated create"}}
)
async def create_household(
    session: SessionDep, principal: PrincipalDep, body: HouseholdCreate, response: Response
) -> HouseholdRead:
    household, created = await service.create_household(session, principal, body)
    response.status_code = 201 if created else 200
    set_etag(response, household.version)
    return HouseholdRead.model_validate(household)


@router.get("/{household_id}")
async def get_household(
    session: SessionDep, principal: PrincipalDep, household_id: uuid.UUID, response: Response
) -> HouseholdRead:
    household = await service.get_household(session, principal, household_id)
    set_etag(response, household.version)
    return HouseholdRead.model_validate(household)


@router.patch("/{household_id}")
async def update_household(
    session: SessionDep,
    principal: PrincipalDep,
    household_id: uuid.UUID,
    body: HouseholdUpdate,
    expected: IfMatchDep,
    response: Response,
) -> HouseholdRead:
    household = await service.update_household(session, principal, household_id, body, expected)
    set_etag(response, household.version)
    return HouseholdRead.model_validate(household)


@router.delete("/{household_id}", status_code=204)
async def delete_household(
    session: SessionDep, principal: PrincipalDep, household_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await service.delete_household(session, principal, household_id, expected)
