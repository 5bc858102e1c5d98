"""Members of a team: personal data (members:read), managed with members:manage at the team's unit.

Lock order, everywhere: the team row first, then member rows. Creating or changing a member locks
the team it ends up in, so two concurrent writes cannot both pass the one-active-leader check.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import list_scope
from app.core.errors import Conflict, Invalid, NotFound
from app.core.feed import page_of_changes
from app.core.ids import uuid7
from app.core.resource import apply_changes, fetch, replay, soft_delete
from app.core.versioning import check_version
from app.kpi import aggregates
from app.members import repository
from app.members.schemas import MemberCreate, MemberList, MemberRead, MemberUpdate, Position, rule_errors
from app.members.status import is_active
from app.models import Member, Team
from app.users.repository import get_visible_user

LABEL = "Member"
NOT_NULL = ("team_id", "full_name", "position")


async def list_members(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    filters: dict[str, Any],
    active: bool | None,
    limit: int,
    offset: int,
) -> MemberList:
    within = await list_scope(session, principal, Permission.members_read, unit_id)
    rows, total = await repository.list_members(
        session, principal, within=within, filters=filters, active=active, limit=limit, offset=offset
    )
    items = [MemberRead.model_validate(row._mapping) for row in rows]
    return MemberList(items=items, total=total, limit=limit, offset=offset)


async def member_changes(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    within = await list_scope(session, principal, Permission.members_read, unit_id)
    rows = await repository.changes(
        session, principal, within=within, since=since, cursor=cursor, limit=limit
    )
    return page_of_changes(rows, limit, cursor, lambda r: MemberRead.model_validate(r._mapping))


async def get_member(session: AsyncSession, principal: Principal, member_id: uuid.UUID) -> Member:
    member, _ = await fetch(session, principal, Member, member_id, Permission.members_read, label=LABEL)
    return member


async def create_member(
    session: AsyncSession, principal: Principal, data: MemberCreate
) -> tuple[Member, bool]:
    if (existing := await replay(session, principal, Member, data, MemberRead)) is not None:
        return existing, False
    team = await _locked_team(session, principal, data.team_id)
    values = data.model_dump(exclude={"id"})
    await _check(session, principal, values, other_than=None, check_user=True)
    member = Member(id=data.id or uuid7(), **values, unit_id=team.unit_id)
    session.add(member)
    await session.flush()
    await aggregates.members_changed(session, {member.unit_id})
    record(
        session,
        principal,
        "create",
        "member",
        member.id,
        unit_id=member.unit_id,
        after=snapshot(MemberRead.model_validate(member)),
    )
    return member, True


async def update_member(
    session: AsyncSession,
    principal: Principal,
    member_id: uuid.UUID,
    data: MemberUpdate,
    if_match: int | None,
) -> Member:
    member, _ = await fetch(session, principal, Member, member_id, Permission.members_manage, label=LABEL)
    changes = data.model_dump(exclude_unset=True)
    for field in NOT_NULL:
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null", loc=["body", field])
    check_version(member, if_match)
    team_id = changes.get("team_id", member.team_id)
    team = await _locked_team(session, principal, team_id)
    # Now that the team is locked, lock the member and re-read it: it may have changed meanwhile.
    await session.refresh(member, with_for_update=True)
    if member.deleted_at is not None:
        raise NotFound(f"{LABEL} not found")
    check_version(member, if_match)
    if "team_id" not in changes and member.team_id != team_id:
        raise Conflict("The member moved to another team meanwhile: reload it and try again")
    before = MemberRead.model_validate(member)
    merged = before.model_dump() | changes
    await _check(session, principal, merged, other_than=member.id, check_user="user_id" in changes)
    changes["unit_id"] = team.unit_id
    if apply_changes(member, changes):
        await session.flush()
        await aggregates.members_changed(session, {before.unit_id, member.unit_id})
        record(
            session,
            principal,
            "update",
            "member",
            member.id,
            unit_id=member.unit_id,
            before=snapshot(before),
            after=snapshot(MemberRead.model_validate(member)),
        )
    return member


async def delete_member(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID, if_match: int | None
) -> None:
    member, _ = await fetch(
        session, principal, Member, member_id, Permission.members_manage, label=LABEL, lock=True
    )
    await soft_delete(session, principal, member, MemberRead, "member", if_match)
    await aggregates.members_changed(session, {member.unit_id})


async def _locked_team(session: AsyncSession, principal: Principal, team_id: uuid.UUID) -> Team:
    """The team a member is written into, locked: one the caller sees (else 422) and may manage
    members of (else 403)."""
    try:
        team, _ = await fetch(
            session, principal, Team, team_id, Permission.members_manage, label="Team", lock=True
        )
    except NotFound:
        raise Invalid("The team does not exist", loc=["body", "team_id"]) from None
    return team


async def _check(
    session: AsyncSession,
    principal: Principal,
    values: dict[str, Any],
    *,
    other_than: uuid.UUID | None,
    check_user: bool,
) -> None:
    problems = rule_errors(values)
    if values.get("position") == Position.leader and is_active(values.get("left_on")):
        leader = await repository.other_active_leader(session, values["team_id"], other_than)
        if leader is not None:
            problems.append(
                ("position", f"The team already has an active leader ({leader}): a team has at most one")
            )
    user_id = values.get("user_id")
    if check_user and user_id is not None and await get_visible_user(session, principal, user_id) is None:
        problems.append(("user_id", "The user does not exist"))
    if problems:
        raise Invalid.fields(problems)
