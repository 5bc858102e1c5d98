import uuid
from typing import Annotated

from fastapi import Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.downloads import XLSX, attachment
from api.unit_of_work import Router
from app import records
from app.awards import initiatives as initiative_service
from app.awards import nominations, service
from app.awards.initiatives import INITIATIVES
from app.awards.nominations import NOMINATIONS
from app.awards.schemas import (
    AwardCreate,
    AwardDecision,
    AwardList,
    AwardRanking,
    AwardRead,
    AwardUpdate,
    InitiativeCreate,
    InitiativeList,
    InitiativeRead,
    InitiativeUpdate,
    NominationCreate,
    NominationList,
    NominationRead,
    NominationReview,
)
from app.awards.service import AWARDS, ORDER

router = Router()  # the awards, their proposals and decision; the initiatives (below)
awards = Router(prefix="/awards", tags=["awards"])


@awards.get("")
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


@awards.post("", status_code=201, responses={200: {"model": AwardRead, "description": "A repeated create"}})
async def create_award(
    session: SessionDep, principal: PrincipalDep, body: AwardCreate, response: Response
) -> AwardRead:
    """Define an award: who is ranked (the unit's children), over which period, with which weights,
    and the cut-off day after which the ranking is frozen."""
    return answer(response, *await records.create(session, principal, AWARDS, body))


@awards.get("/{award_id}")
async def get_award(
    session: SessionDep, principal: PrincipalDep, award_id: uuid.UUID, response: Response
) -> AwardRanking:
    """The award with its ranking: live while open, as frozen afterwards; the formula beside it."""
    return answer(response, await service.read_award(session, principal, award_id))


@awards.patch("/{award_id}", responses={409: {"description": "The award is frozen"}})
async def update_award(
    session: SessionDep,
    principal: PrincipalDep,
    award_id: uuid.UUID,
    body: AwardUpdate,
    expected: IfMatchDep,
    response: Response,
) -> AwardRead:
    return answer(response, await records.update(session, principal, AWARDS, award_id, body, expected))


@awards.delete("/{award_id}", status_code=204, responses={409: {"description": "The award is frozen"}})
async def delete_award(
    session: SessionDep, principal: PrincipalDep, award_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await records.delete(session, principal, AWARDS, award_id, expected)


@awards.post("/{award_id}/freeze", responses={409: {"description": "Frozen already, or before the cut-off"}})
async def freeze_award(
    session: SessionDep,
    principal: PrincipalDep,
    award_id: uuid.UUID,
    expected: IfMatchDep,
    response: Response,
) -> AwardRanking:
    """Freeze the ranking now that the cut-off day is over (the daily `freeze-awards` job does it too)."""
    return answer(response, await service.freeze(session, principal, award_id, expected))


@awards.get("/{award_id}/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def export_award(session: SessionDep, principal: PrincipalDep, award_id: uuid.UUID) -> Response:
    """The ranking as the list a commune attaches to its award decision (marked provisional while open)."""
    content, filename = await service.award_file(session, principal, award_id)
    return Response(content, media_type=XLSX, headers=attachment(filename))


# --- proposals and the decision -------------------------------------------------------------------


@awards.get("/{award_id}/nominations")
async def list_nominations(
    session: SessionDep,
    principal: PrincipalDep,
    award_id: uuid.UUID,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> NominationList:
    """The proposals of the award in the caller's area (a leader: its village's), by kind and name."""
    return await nominations.list_nominations(session, principal, award_id, limit, offset)


@awards.post(
    "/{award_id}/nominations",
    status_code=201,
    responses={200: {"model": NominationRead, "description": "A repeated create"}},
)
async def propose(
    session: SessionDep,
    principal: PrincipalDep,
    award_id: uuid.UUID,
    body: NominationCreate,
    response: Response,
) -> NominationRead:
    """Propose a member, a team or an initiative of the award's area, with the reason (plan 000 IV.7):
    awards:propose at the nominee's unit; once per nominee and award; not after the decision."""
    award, _ = await nominations.award_of(session, principal, award_id)
    return answer(
        response, *await records.create(session, principal, NOMINATIONS, body, {"award_id": award.id})
    )


@awards.delete("/{award_id}/nominations/{nomination_id}", status_code=204)
async def withdraw(
    session: SessionDep,
    principal: PrincipalDep,
    award_id: uuid.UUID,
    nomination_id: uuid.UUID,
    expected: IfMatchDep,
) -> None:
    """Withdraw a proposal not yet reviewed."""
    await records.delete(session, principal, NOMINATIONS, nomination_id, expected, {"award_id": award_id})


@awards.post("/{award_id}/nominations/{nomination_id}/review")
async def review(
    session: SessionDep,
    principal: PrincipalDep,
    award_id: uuid.UUID,
    nomination_id: uuid.UUID,
    body: NominationReview,
    expected: IfMatchDep,
    response: Response,
) -> NominationRead:
    """The commune's review (awards:manage over the award's unit): accepted or rejected, with a note."""
    return answer(
        response, await nominations.review(session, principal, award_id, nomination_id, body, expected)
    )


@awards.post(
    "/{award_id}/decision", responses={409: {"description": "Decided already, or proposals unreviewed"}}
)
async def decide(
    session: SessionDep,
    principal: PrincipalDep,
    award_id: uuid.UUID,
    body: AwardDecision,
    expected: IfMatchDep,
    response: Response,
) -> AwardRanking:
    """The Chairman's decision (number, date) honouring the accepted proposals; the award's xlsx is then
    the decision's list. Every proposal must be reviewed first."""
    await nominations.decide(session, principal, award_id, body, expected)
    return answer(response, await service.read_award(session, principal, award_id))


# --- good models and initiatives ------------------------------------------------------------------

initiatives = Router(prefix="/initiatives", tags=["initiatives"])


@initiatives.get("")
async def list_initiatives(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    shared: Annotated[
        bool | None,
        Query(description="true: those shared with every commune, from anywhere; false: not shared"),
    ] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> InitiativeList:
    """Good models and effective ways of working ("mô hình hay, cách làm hiệu quả") of the caller's
    area, or shared by any commune; the latest changed first."""
    return await initiative_service.list_initiatives(
        session, principal, unit_id=unit_id, shared=shared, limit=limit, offset=offset
    )


@initiatives.post(
    "", status_code=201, responses={200: {"model": InitiativeRead, "description": "A repeated create"}}
)
async def create_initiative(
    session: SessionDep, principal: PrincipalDep, body: InitiativeCreate, response: Response
) -> InitiativeRead:
    return answer(response, *await records.create(session, principal, INITIATIVES, body))


@initiatives.get("/{initiative_id}")
async def get_initiative(
    session: SessionDep, principal: PrincipalDep, initiative_id: uuid.UUID, response: Response
) -> InitiativeRead:
    """One of the caller's area, or one shared with every commune."""
    return answer(response, await initiative_service.get_initiative(session, principal, initiative_id))


@initiatives.patch("/{initiative_id}")
async def update_initiative(
    session: SessionDep,
    principal: PrincipalDep,
    initiative_id: uuid.UUID,
    body: InitiativeUpdate,
    expected: IfMatchDep,
    response: Response,
) -> InitiativeRead:
    return answer(
        response, await records.update(session, principal, INITIATIVES, initiative_id, body, expected)
    )


@initiatives.delete("/{initiative_id}", status_code=204)
async def delete_initiative(
    session: SessionDep, principal: PrincipalDep, initiative_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await records.delete(session, principal, INITIATIVES, initiative_id, expected)


router.include_router(awards)
router.include_router(initiatives)
