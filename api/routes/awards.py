import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.downloads import XLSX, attachment
from app import records
from app.awards import service
from app.awards.schemas import AwardCreate, AwardList, AwardRanking, AwardRead, AwardUpdate
from app.awards.service import AWARDS, ORDER

router = APIRouter(prefix="/awards", tags=["awards"])


@router.get("")
async def list_awards(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> AwardList:
    """The 10/10 awards of the caller's area, the latest cut-off first (without their rankings)."""
    page = await records.page(
        session, principal, AWARDS, unit_id=unit_id, filters=[], order=ORDER, limit=limit, offset=offset
    )
    return AwardList(**page)


@router.post("", status_code=201, responses={200: {"model": AwardRead, "description": "A repeated create"}})
async def create_award(
    session: SessionDep, principal: PrincipalDep, body: AwardCreate, response: Response
) -> AwardRead:
    """Define an award: who is ranked (the unit's children), over which period, with which weights,
    and the cut-off day after which the ranking is frozen."""
    return answer(response, *await records.create(session, principal, AWARDS, body))


@router.get("/{award_id}")
async def get_award(
    session: SessionDep, principal: PrincipalDep, award_id: uuid.UUID, response: Response
) -> AwardRanking:
    """The award with its ranking: live while open, as frozen afterwards; the formula beside it."""
    return answer(response, await service.read_award(session, principal, award_id))


@router.patch("/{award_id}", responses={409: {"description": "The award is frozen"}})
async def update_award(
    session: SessionDep,
    principal: PrincipalDep,
    award_id: uuid.UUID,
    body: AwardUpdate,
    expected: IfMatchDep,
    response: Response,
) -> AwardRead:
    return answer(response, await records.update(session, principal, AWARDS, award_id, body, expected))


@router.delete("/{award_id}", status_code=204, responses={409: {"description": "The award is frozen"}})
async def delete_award(
    session: SessionDep, principal: PrincipalDep, award_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await records.delete(session, principal, AWARDS, award_id, expected)


@router.post("/{award_id}/freeze", responses={409: {"description": "Frozen already, or before the cut-off"}})
async def freeze_award(
    session: SessionDep,
    principal: PrincipalDep,
    award_id: uuid.UUID,
    expected: IfMatchDep,
    response: Response,
) -> AwardRanking:
    """Freeze the ranking now that the cut-off day is over (the daily `freeze-awards` job does it too)."""
    return answer(response, await service.freeze(session, principal, award_id, expected))


@router.get("/{award_id}/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def export_award(session: SessionDep, principal: PrincipalDep, award_id: uuid.UUID) -> Response:
    """The ranking as the list a commune attaches to its award decision (marked provisional while open)."""
    content, filename = await service.award_file(session, principal, award_id)
    return Response(content, media_type=XLSX, headers=attachment(filename))
