import uuid
from typing import Annotated

from fastapi import Query, Response

from api.deps import IfMatchDep, PrincipalDep, SessionDep, answer
from api.unit_of_work import Router
from app import records
from app.kpi import targets
from app.kpi.schemas import EffectiveTargets, TargetCreate, TargetRead, TargetUpdate, Year
from app.kpi.targets import TARGETS

router = Router(prefix="/targets", tags=["targets"])


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
    return answer(response, *await records.create(session, principal, TARGETS, body))


@router.get("/{target_id}")
async def get_target(
    session: SessionDep, principal: PrincipalDep, target_id: uuid.UUID, response: Response
) -> TargetRead:
    return answer(response, await records.get(session, principal, TARGETS, target_id))


@router.patch("/{target_id}")
async def update_target(
    session: SessionDep,
    principal: PrincipalDep,
    target_id: uuid.UUID,
    body: TargetUpdate,
    expected: IfMatchDep,
    response: Response,
) -> TargetRead:
    return answer(response, await records.update(session, principal, TARGETS, target_id, body, expected))


@router.delete("/{target_id}", status_code=204)
async def delete_target(
    session: SessionDep, principal: PrincipalDep, target_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await records.delete(session, principal, TARGETS, target_id, expected)
