import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import IfMatchDep, PrincipalDep, SessionDep, set_etag
from app.kpi import targets
from app.kpi.schemas import EffectiveTargets, TargetCreate, TargetRead, TargetUpdate, Year

router = APIRouter(prefix="/targets", tags=["targets"])


@router.get("")
async def list_effective_targets(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: uuid.UUID,
    year: Annotated[Year, Query()],
) -> EffectiveTargets:
    """The targets that apply to the unit for the year: its own, or inherited from the nearest ancestor."""
    return await targets.effective_targets(session, principal, unit_id, year)


@router.post("", status_code=201, responses={200: {"model": TargetRead, "description": "A repeated create"}})
async def create_target(
    session: SessionDep, principal: PrincipalDep, body: TargetCreate, response: Response
) -> TargetRead:
    target, created = await targets.create_target(session, principal, body)
    response.status_code = 201 if created else 200
    set_etag(response, target.version)
    return TargetRead.model_validate(target)


@router.get("/{target_id}")
async def get_target(
    session: SessionDep, principal: PrincipalDep, target_id: uuid.UUID, response: Response
) -> TargetRead:
    target = await targets.get_target(session, principal, target_id)
    set_etag(response, target.version)
    return TargetRead.model_validate(target)


@router.patch("/{target_id}")
async def update_target(
    session: SessionDep,
    principal: PrincipalDep,
    target_id: uuid.UUID,
    body: TargetUpdate,
    expected: IfMatchDep,
    response: Response,
) -> TargetRead:
    target = await targets.update_target(session, principal, target_id, body, expected)
    set_etag(response, target.version)
    return TargetRead.model_validate(target)


@router.delete("/{target_id}", status_code=204)
async def delete_target(
    session: SessionDep, principal: PrincipalDep, target_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await targets.delete_target(session, principal, target_id, expected)
