import uuid
from typing import Annotated

from fastapi import Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.unit_of_work import Router
from app import records
from app.campaigns import progress
from app.campaigns.schemas import (
    CampaignCreate,
    CampaignKind,
    CampaignList,
    CampaignProgress,
    CampaignRead,
    CampaignStatus,
    CampaignUpdate,
    EventCreate,
    EventList,
    EventRead,
    EventUpdate,
)
from app.campaigns.service import CAMPAIGN_ORDER, CAMPAIGNS, EVENT_ORDER, EVENTS, campaign_filters, events_of
from app.core.fields import PlausibleDate
from app.models import CampaignEvent

router = Router(prefix="/campaigns", tags=["campaigns"])
UnitQuery = Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")]


@router.get("")
async def list_campaigns(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: UnitQuery = None,
    kind: CampaignKind | None = None,
    status: CampaignStatus | None = None,
    active_on: Annotated[
        PlausibleDate | None, Query(description="Campaigns whose period includes this date")
    ] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> CampaignList:
    """Campaigns of the caller's area and of the units above it (which cover it), latest first."""
    filters = {"kind": kind, "status": status}
    page = await records.page(
        session,
        principal,
        CAMPAIGNS,
        unit_id=unit_id,
        filters=campaign_filters(filters, active_on),
        order=CAMPAIGN_ORDER,
        limit=limit,
        offset=offset,
    )
    return CampaignList(**page)


@router.post(
    "", status_code=201, responses={200: {"model": CampaignRead, "description": "A repeated create"}}
)
async def create_campaign(
    session: SessionDep, principal: PrincipalDep, body: CampaignCreate, response: Response
) -> CampaignRead:
    return answer(response, *await records.create(session, principal, CAMPAIGNS, body))


@router.get("/{campaign_id}")
async def get_campaign(
    session: SessionDep, principal: PrincipalDep, campaign_id: uuid.UUID, response: Response
) -> CampaignRead:
    return answer(response, await records.get(session, principal, CAMPAIGNS, campaign_id))


@router.patch("/{campaign_id}")
async def update_campaign(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID,
    body: CampaignUpdate,
    expected: IfMatchDep,
    response: Response,
) -> CampaignRead:
    return answer(response, await records.update(session, principal, CAMPAIGNS, campaign_id, body, expected))


@router.delete("/{campaign_id}", status_code=204)
async def delete_campaign(
    session: SessionDep, principal: PrincipalDep, campaign_id: uuid.UUID, expected: IfMatchDep
) -> None:
    """Delete a campaign with its events; 409 when activities were recorded for it."""
    await records.delete(session, principal, CAMPAIGNS, campaign_id, expected)


@router.get("/{campaign_id}/progress")
async def campaign_progress(
    session: SessionDep, principal: PrincipalDep, campaign_id: uuid.UUID
) -> CampaignProgress:
    """Each goal of the campaign beside what has been achieved: flows summed over the activities linked
    to the campaign or its events, dated inside its window and recorded in its area; stocks as they
    stand at the window's end (today while it runs) over its unit. A caller whose area lies inside the
    campaign's (a village team) also gets its own part of each."""
    return await progress.progress(session, principal, campaign_id)


@router.get("/{campaign_id}/events")
async def list_events(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID,
    unit_id: UnitQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> EventList:
    """The campaign's events in the caller's area and above it, by start time."""
    await events_of(session, principal, campaign_id)
    page = await records.page(
        session,
        principal,
        EVENTS,
        unit_id=unit_id,
        filters=[CampaignEvent.campaign_id == campaign_id],
        order=EVENT_ORDER,
        limit=limit,
        offset=offset,
    )
    return EventList(**page)


@router.post(
    "/{campaign_id}/events",
    status_code=201,
    responses={200: {"model": EventRead, "description": "A repeated create"}},
)
async def create_event(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID,
    body: EventCreate,
    response: Response,
) -> EventRead:
    parent = await events_of(session, principal, campaign_id)
    return answer(response, *await records.create(session, principal, EVENTS, body, parent))


@router.get("/{campaign_id}/events/{event_id}")
async def get_event(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID,
    event_id: uuid.UUID,
    response: Response,
) -> EventRead:
    parent = await events_of(session, principal, campaign_id)
    return answer(response, await records.get(session, principal, EVENTS, event_id, parent))


@router.patch("/{campaign_id}/events/{event_id}")
async def update_event(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID,
    event_id: uuid.UUID,
    body: EventUpdate,
    expected: IfMatchDep,
    response: Response,
) -> EventRead:
    parent = await events_of(session, principal, campaign_id)
    event = await records.update(session, principal, EVENTS, event_id, body, expected, parent)
    return answer(response, event)


@router.delete("/{campaign_id}/events/{event_id}", status_code=204)
async def delete_event(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID,
    event_id: uuid.UUID,
    expected: IfMatchDep,
) -> None:
    """Delete an event with its duty roster; 409 when activities were recorded at it."""
    parent = await events_of(session, principal, campaign_id)
    await records.delete(session, principal, EVENTS, event_id, expected, parent)
