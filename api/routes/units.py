import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, set_etag
from app.core.fields import Query as SearchText
from app.models.unit import UnitLevel
from app.units import service
from app.units.schemas import UnitCreate, UnitList, UnitRead, UnitUpdate

router = APIRouter(prefix="/units", tags=["units"])


@router.get("")
async def list_units(
    session: SessionDep,
    principal: PrincipalDep,
    parent_id: uuid.UUID | None = None,
    level: UnitLevel | None = None,
    q: Annotated[SearchText | None, Query(description="Name or code, accent-insensitive")] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> UnitList:
    """Units in the caller's area, in tree order."""
    return await service.list_units(
        session, principal, parent_id=parent_id, level=level, q=q, limit=limit, offset=offset
    )


@router.post("", status_code=201, responses={200: {"model": UnitRead, "description": "A repeated create"}})
async def create_unit(
    session: SessionDep, principal: PrincipalDep, body: UnitCreate, response: Response
) -> UnitRead:
    unit, created = await service.create_unit(session, principal, body)
    response.status_code = 201 if created else 200
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.get("/{unit_id}")
async def get_unit(
    session: SessionDep, principal: PrincipalDep, unit_id: uuid.UUID, response: Response
) -> UnitRead:
    unit = await service.get_unit(session, principal, unit_id)
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.patch("/{unit_id}")
async def update_unit(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: uuid.UUID,
    body: UnitUpdate,
    expected: IfMatchDep,
    response: Response,
) -> UnitRead:
    unit = await service.update_unit(session, principal, unit_id, body, expected)
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.delete("/{unit_id}", status_code=204)
async def delete_unit(
    session: SessionDep, principal: PrincipalDep, unit_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await service.delete_unit(session, principal, unit_id, expected)
