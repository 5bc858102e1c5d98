import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.unit_of_work import Router
from app import records
from app.trainings.schemas import (
    TrainingCreate,
    TrainingList,
    TrainingMode,
    TrainingRead,
    TrainingUpdate,
)
from app.trainings.service import ORDER, TRAININGS, list_filters

router = Router(prefix="/trainings", tags=["trainings"])


@router.get("")
async def list_trainings(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    mode: TrainingMode | None = None,
    held_from: Annotated[date | None, Query(description="Held on or after this day")] = None,
    held_to: Annotated[date | None, Query(description="Held on or before this day")] = None,
    member_id: Annotated[uuid.UUID | None, Query(description="Trainings this member attended")] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> TrainingList:
    """Trainings in the caller's area, the latest first."""
    filters = {"mode": mode, "held_from": held_from, "held_to": held_to, "member_id": member_id}
    page = await records.page(
        session,
        principal,
        TRAININGS,
        unit_id=unit_id,
        filters=list_filters(filters),
        order=ORDER,
        limit=limit,
        offset=offset,
    )
    return TrainingList(**page)


@router.post(
    "", status_code=201, responses={200: {"model": TrainingRead, "description": "A repeated create"}}
)
async def create_training(
    session: SessionDep, principal: PrincipalDep, body: TrainingCreate, response: Response
) -> TrainingRead:
    return answer(response, *await records.create(session, principal, TRAININGS, body))


@router.get("/{training_id}")
async def get_training(
    session: SessionDep, principal: PrincipalDep, training_id: uuid.UUID, response: Response
) -> TrainingRead:
    return answer(response, await records.get(session, principal, TRAININGS, training_id))


@router.patch("/{training_id}")
async def update_training(
    session: SessionDep,
    principal: PrincipalDep,
    training_id: uuid.UUID,
    body: TrainingUpdate,
    expected: IfMatchDep,
    response: Response,
) -> TrainingRead:
    return answer(response, await records.update(session, principal, TRAININGS, training_id, body, expected))


@router.delete("/{training_id}", status_code=204)
async def delete_training(
    session: SessionDep, principal: PrincipalDep, training_id: uuid.UUID, expected: IfMatchDep
) -> None:
    """A hard delete: trainings are not synced to phones, so no tombstone (the audit keeps it)."""
    await records.delete(session, principal, TRAININGS, training_id, expected)
