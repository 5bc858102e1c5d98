import uuid
from typing import Annotated

from fastapi import Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.unit_of_work import Router
from app import records
from app.activities import summary
from app.activities.schemas import (
    ActivityCreate,
    ActivityFeed,
    ActivityKind,
    ActivityList,
    ActivityRead,
    ActivitySummary,
    ActivityUpdate,
    Channel,
)
from app.activities.service import ACTIVITIES, ORDER, list_filters
from app.core.fields import Moment
from app.kpi.schemas import PeriodCode

router = Router(prefix="/activities", tags=["activities"])
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page of changes")
]


@router.get("")
async def list_activities(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    kind: ActivityKind | None = None,
    campaign_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
    household_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    channel: Annotated[Channel | None, Query(description="Communications through this channel")] = None,
    occurred_from: Annotated[
        Moment | None, Query(alias="from", description="Occurred at or after this moment")
    ] = None,
    occurred_to: Annotated[
        Moment | None, Query(alias="to", description="Occurred before this moment")
    ] = None,
    updated_since: Annotated[
        Moment | None, Query(description="Changes after this moment (change feed)")
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> ActivityList | ActivityFeed:
    """Activities in the caller's area, latest first; with `updated_since` or `cursor`, the change feed."""
    if updated_since is not None or cursor is not None:
        page = await records.changes(
            session, principal, ACTIVITIES, unit_id=unit_id, since=updated_since, cursor=cursor, limit=limit
        )
        return ActivityFeed(**page)
    filters = {
        "kind": kind,
        "campaign_id": campaign_id,
        "event_id": event_id,
        "household_id": household_id,
        "member_id": member_id,
        "channel": channel,
    }
    page = await records.page(
        session,
        principal,
        ACTIVITIES,
        unit_id=unit_id,
        filters=list_filters(filters, occurred_from, occurred_to),
        order=ORDER,
        limit=limit,
        offset=offset,
    )
    return ActivityList(**page)


@router.post(
    "", status_code=201, responses={200: {"model": ActivityRead, "description": "A repeated create"}}
)
async def create_activity(
    session: SessionDep, principal: PrincipalDep, body: ActivityCreate, response: Response
) -> ActivityRead:
    return answer(response, *await records.create(session, principal, ACTIVITIES, body))


@router.get("/summary")
async def read_summary(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: uuid.UUID,
    period: Annotated[PeriodCode, Query(description="`2026-06`, `2026-Q2` or `2026`")],
) -> ActivitySummary:
    """What the unit's subtree's activities dated in the period add up to: by kind of help, by channel
    of communication, by group of people helped (elderly, disabled, ethnic minority, students, workers)
    and by urban or rural village, with the household indicators of each kind of village at the
    period's end. Counts only, no personal data: for whoever reads the area's indicators (kpi:read)."""
    return await summary.read_summary(session, principal, unit_id, period)


@router.get("/{activity_id}")
async def get_activity(
    session: SessionDep, principal: PrincipalDep, activity_id: uuid.UUID, response: Response
) -> ActivityRead:
    return answer(response, await records.get(session, principal, ACTIVITIES, activity_id))


@router.patch("/{activity_id}")
async def update_activity(
    session: SessionDep,
    principal: PrincipalDep,
    activity_id: uuid.UUID,
    body: ActivityUpdate,
    expected: IfMatchDep,
    response: Response,
) -> ActivityRead:
    return answer(response, await records.update(session, principal, ACTIVITIES, activity_id, body, expected))


@router.delete("/{activity_id}", status_code=204)
async def delete_activity(
    session: SessionDep, principal: PrincipalDep, activity_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await records.delete(session, principal, ACTIVITIES, activity_id, expected)
