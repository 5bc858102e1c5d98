import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, set_etag
from app.campaigns import service
from app.campaigns.schemas import (
    CampaignCreate,
    CampaignKind,
    CampaignList,
    CampaignRead,
    CampaignStatus,
    CampaignUpdate,
    EventCreate,
    EventList,
    EventRead,
    EventUpdate,
)
from app.core.fields import PlausibleDate

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
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
    return await service.list_campaigns(
        session, principal, unit_id=unit_id, filters=filters, active_on=active_on, limit=limit, offset=offset
    )


@router.post(
    "", status_code=201, responses={200: {"model": CampaignRead, "description": "A repeated create"}}
)
async def create_campaign(
    session: SessionDep, principal: PrincipalDep, body: CampaignCreate, response: Response
) -> CampaignRead:
    campaign, created = await service.create_campaign(session, principal, body)
    response.status_code = 201 if created else 200
    set_etag(response, campaign.version)
    return CampaignRead.model_validate(campaign)


@router.get("/{campaign_id}")
async def get_campaign(
    session: SessionDep, principal: PrincipalDep, campaign_id: uuid.UUID, response: Response
) -> CampaignRead:
    campaign = await service.get_campaign(session, principal, campaign_id)
    set_etag(response, campaign.version)
    return CampaignRead.model_validate(campaign)


@router.patch("/{campaign_id}")
async def update_campaign(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID,
    body: CampaignUpdate,
    expected: IfMatchDep,
    response: Response,
) -> CampaignRead:
    campaign = await service.update_campaign(session, principal, campaign_id, body, expected)
    set_etag(response, campaign.version)
    return CampaignRead.model_validate(campaign)


@router.delete("/{campaign_id}", status_code=204)
async def delete_campaign(
    session: SessionDep, principal: PrincipalDep, campaign_id: uuid.UUID, expected: IfMatchDep
) -> None:
    """Delete a campaign with its events; 409 when activities were recorded for it."""
    await service.delete_campaign(session, principal, campaign_id, expected)


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
    return await service.list_events(
        session, principal, campaign_id, unit_id=unit_id, limit=limit, offset=offset
    )


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
    event, created = await service.create_event(session, principal, campaign_id, body)
    response.status_code = 201 if created else 200
    set_etag(response, event.version)
    return event


@router.get("/{campaign_id}/events/{event_id}")
async def get_event(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID,
    event_id: uuid.UUID,
    response: Response,
) -> EventRead:
    event = await service.get_event(session, principal, campaign_id, event_id)
    set_etag(response, event.version)
    return event


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
    event = await service.update_event(session, principal, campaign_id, event_id, body, expected)
    set_etag(response, event.version)
    return event


@router.delete("/{campaign_id}/events/{event_id}", status_code=204)
async def delete_event(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_id: uuid.UUID,
    event_id: uuid.UUID,
    expected: IfMatchDep,
) -> None:
    """Delete an event with its duty roster; 409 when activities were recorded at it."""
    await service.delete_event(session, principal, campaign_id, event_id, expected)
