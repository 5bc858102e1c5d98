"""Teams: one per commune or village, managed with teams:manage; `member_count` is computed."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import list_scope, require, unit_in_body
from app.core.errors import Conflict, Invalid
from app.core.feed import page_of_changes
from app.core.ids import uuid7
from app.core.resource import apply_changes, fetch, replay, soft_delete
from app.core.versioning import check_version
from app.kpi import aggregates
from app.members import repository as members
from app.members.schemas import MemberRead
from app.models import Team, Unit
from app.teams import repository
from app.teams.schemas import TeamCreate, TeamList, TeamRead, TeamRecord, TeamStatus, TeamUpdate

LABEL = "Team"
TEAM_LEVELS = ("commune", "village")


async def list_teams(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    status: TeamStatus | None,
    limit: int,
    offset: int,
) -> TeamList:
    within = await list_scope(session, principal, Permission.teams_read, unit_id)
    rows, total = await repository.list_teams(
        session, principal, within=within, status=status, limit=limit, offset=offset
    )
    items = [TeamRead.model_validate(row._mapping) for row in rows]
    return TeamList(items=items, total=total, limit=limit, offset=offset)


async def team_changes(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    within = await list_scope(session, principal, Permission.teams_read, unit_id)
    rows = await repository.changes(
        session, principal, within=within, since=since, cursor=cursor, limit=limit
    )
    return page_of_changes(rows, limit, cursor, lambda r: TeamRead.model_validate(r._mapping))


async def get_team(session: AsyncSession, principal: Principal, team_id: uuid.UUID) -> TeamRead:
    team, _ = await fetch(session, principal, Team, team_id, Permission.teams_read, label=LABEL)
    return await _read(session, team)


async def create_team(session: AsyncSession, principal: Principal, data: TeamCreate) -> tuple[TeamRead, bool]:
    if (existing := await replay(session, principal, Team, data, TeamRecord)) is not None:
        return await _read(session, existing), False
    unit = await _team_unit(session, principal, data.unit_id)
    require(principal, Permission.teams_manage, unit)
    team = Team(id=data.id or uuid7(), **data.model_dump(exclude={"id"}))
    session.add(team)
    await session.flush()
    record(
        session,
        principal,
        "create",
        "team",
        team.id,
        unit_id=unit.id,
        after=snapshot(TeamRecord.model_validate(team)),
    )
    return TeamRead(**TeamRecord.model_validate(team).model_dump(), member_count=0), True


async def update_team(
    session: AsyncSession,
    principal: Principal,
    team_id: uuid.UUID,
    data: TeamUpdate,
    if_match: int | None,
) -> TeamRead:
    team, _ = await fetch(session, principal, Team, team_id, Permission.teams_manage, label=LABEL, lock=True)
    changes = data.model_dump(exclude_unset=True)
    for field in ("unit_id", "name", "status"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null", loc=["body", field])
    check_version(team, if_match)
    moved = "unit_id" in changes and changes["unit_id"] != team.unit_id
    if moved:
        require(principal, Permission.teams_manage, await _team_unit(session, principal, changes["unit_id"]))
    before = TeamRecord.model_validate(team)
    if apply_changes(team, changes):
        if moved:
            await _move_members(session, principal, team)
        await session.flush()
        await aggregates.members_changed(session, {before.unit_id, team.unit_id})
        record(
            session,
            principal,
            "update",
            "team",
            team.id,
            unit_id=team.unit_id,
            before=snapshot(before),
            after=snapshot(TeamRecord.model_validate(team)),
        )
    return await _read(session, team)


async def delete_team(
    session: AsyncSession, principal: Principal, team_id: uuid.UUID, if_match: int | None
) -> None:
    """Only a team without active members goes; its former members (who left) go with it."""
    team, _ = await fetch(session, principal, Team, team_id, Permission.teams_manage, label=LABEL, lock=True)
    check_version(team, if_match)
    if active := await members.active_count(session, team.id):
        raise Conflict(f"The team still has {active} active member(s): remove them or set left_on first")
    for member in await members.of_team(session, team.id):
        await soft_delete(session, principal, member, MemberRead, "member", None)
    await soft_delete(session, principal, team, TeamRecord, "team", if_match)
    await aggregates.members_changed(session, {team.unit_id})


async def _move_members(session: AsyncSession, principal: Principal, team: Team) -> None:
    """Members carry their team's unit (for the scope filter): a moved team moves them too."""
    for member in await members.of_team(session, team.id):
        before = snapshot(MemberRead.model_validate(member))
        if apply_changes(member, {"unit_id": team.unit_id}):
            record(
                session,
                principal,
                "update",
                "member",
                member.id,
                unit_id=team.unit_id,
                before=before,
                after=snapshot(MemberRead.model_validate(member)),
            )


async def _read(session: AsyncSession, team: Team) -> TeamRead:
    count = await members.active_count(session, team.id)
    return TeamRead(**TeamRecord.model_validate(team).model_dump(), member_count=count)


async def _team_unit(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> Unit:
    """A team belongs to a commune or a village the caller can see."""
    unit = await unit_in_body(session, principal, unit_id)
    if unit.level not in TEAM_LEVELS:
        raise Invalid("A team belongs to a commune or a village, not a province", loc=["body", "unit_id"])
    return unit
