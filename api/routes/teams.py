import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.unit_of_work import Router
from app import records
from app.models import Team
from app.teams import founding
from app.teams.schemas import (
    TeamCoverage,
    TeamCreate,
    TeamDecisionCreate,
    TeamDecisionList,
    TeamDecisionRead,
    TeamDirectory,
    TeamFeed,
    TeamList,
    TeamProfile,
    TeamRead,
    TeamStatus,
    TeamUpdate,
)
from app.teams.service import ORDER, TEAMS

router = Router(prefix="/teams", tags=["teams"])
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page of changes")
]


@router.get("")
async def list_teams(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    status: TeamStatus | None = None,
    updated_since: Annotated[
        datetime | None, Query(description="Changes after this moment (change feed)")
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> TeamList | TeamFeed:
    """Teams in the caller's area by name; with `updated_since` or `cursor`, the change feed."""
    if updated_since is not None or cursor is not None:
        page = await records.changes(
            session, principal, TEAMS, unit_id=unit_id, since=updated_since, cursor=cursor, limit=limit
        )
        return TeamFeed(**page)
    filters = [Team.status == status] if status is not None else []
    page = await records.page(
        session, principal, TEAMS, unit_id=unit_id, filters=filters, order=ORDER, limit=limit, offset=offset
    )
    return TeamList(**page)


@router.post("", status_code=201, responses={200: {"model": TeamRead, "description": "A repeated create"}})
async def create_team(
    session: SessionDep, principal: PrincipalDep, body: TeamCreate, response: Response
) -> TeamRead:
    return answer(response, *await records.create(session, principal, TEAMS, body))


@router.get("/directory")
async def team_directory(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> TeamDirectory:
    """The area's active teams with their commune, leader, founding decision and Zalo group (plan 002)."""
    return await founding.directory(session, principal, unit_id, limit, offset)


@router.get("/coverage")
async def team_coverage(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID, Query(description="A commune")],
) -> TeamCoverage:
    """The commune's villages and those without an active team (plan 004: one team per village)."""
    return await founding.coverage(session, principal, unit_id)


@router.get("/{team_id}/profile")
async def team_profile(session: SessionDep, principal: PrincipalDep, team_id: uuid.UUID) -> TeamProfile:
    """The team's composition against the plans, with hints (never refusals): 5–10 members, collaborator
    groups beyond 10, members under 40 preferred, one leader, one team per village."""
    return await founding.profile(session, principal, team_id)


@router.get("/{team_id}/decisions")
async def list_team_decisions(
    session: SessionDep, principal: PrincipalDep, team_id: uuid.UUID
) -> TeamDecisionList:
    """The commune's decisions on the team, oldest first, each with the roster it set."""
    return await founding.list_decisions(session, principal, team_id)


@router.post(
    "/{team_id}/decisions",
    status_code=201,
    responses={409: {"description": "A founding decision is already recorded"}},
)
async def record_team_decision(
    session: SessionDep, principal: PrincipalDep, team_id: uuid.UUID, body: TeamDecisionCreate
) -> TeamDecisionRead:
    """A founding (thành lập) or re-organisation (kiện toàn) decision, with the team's active roster as
    it stands; a founding decision becomes the team's `decision_no` and `decision_date`."""
    return await founding.record_decision(session, principal, team_id, body)


@router.get("/{team_id}")
async def get_team(
    session: SessionDep, principal: PrincipalDep, team_id: uuid.UUID, response: Response
) -> TeamRead:
    return answer(response, await records.get(session, principal, TEAMS, team_id))


@router.patch("/{team_id}")
async def update_team(
    session: SessionDep,
    principal: PrincipalDep,
    team_id: uuid.UUID,
    body: TeamUpdate,
    expected: IfMatchDep,
    response: Response,
) -> TeamRead:
    return answer(response, await records.update(session, principal, TEAMS, team_id, body, expected))


@router.delete("/{team_id}", status_code=204, responses={409: {"description": "The team has active members"}})
async def delete_team(
    session: SessionDep, principal: PrincipalDep, team_id: uuid.UUID, expected: IfMatchDep
) -> None:
    """Soft delete (a tombstone in the change feed); the team's former members go with it."""
    await records.delete(session, principal, TEAMS, team_id, expected)
