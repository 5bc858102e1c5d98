import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, set_etag
from app.trainings import service
from app.trainings.schemas import (
    TrainingCreate,
    TrainingList,
    TrainingMode,
    TrainingRead,
    TrainingUpdate,
)

router = APIRouter(prefix="/trainings", tags=["trainings"])


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
    return await service.list_trainings(
        session, principal, unit_id=unit_id, filters=filters, limit=limit, offset=offset
    )


@router.post(
    "", status_code=201, responses={200: {"model": TrainingRead, "description": "A repeated create"}}
)
async def create_training(
    session: SessionDep, principal: PrincipalDep, body: TrainingCreate, response: Response
) -> TrainingRead:
    training, created = await service.create_training(session, principal, body)
    response.status_code = 201 if created else 200
    set_etag(response, training.version)
    return training


@router.get("/{training_id}")
async def get_training(
    session: SessionDep, principal: PrincipalDep, training_id: uuid.UUID, response: Response
) -> TrainingRead:
    training = await service.get_training(session, principal, training_id)
    set_etag(response, training.version)
    return training


@router.patch("/{training_id}")
async def update_training(
    session: SessionDep,
    principal: PrincipalDep,
    training_id: uuid.UUID,
    body: TrainingUpdate,
    expected: IfMatchDep,
    response: Response,
) -> TrainingRead:
    training = await service.update_training(session, principal, training_id, body, expected)
    set_etag(response, training.version)
    return training


@router.delete("/{training_id}", status_code=204)
async def delete_training(
    session: SessionDep, principal: PrincipalDep, training_id: uuid.UUID, expected: IfMatchDep
) -> None:
    """A hard delete: trainings are not synced to phones, so no tombstone (the audit keeps it)."""
    await service.delete_training(session, principal, training_id, expected)
