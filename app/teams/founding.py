"""A team founded and re-organised by the commune's decisions (plans 000, 001, 002), and the plans'
rules on a team shown as hints, never refusals: 5–10 members with collaborator groups beyond 10
(001), members under 40 preferred (004), one leader, one team per village (004).

A decision keeps the roster it set: the team's active members (id, name, position) when it is
recorded. A founding decision is also the team's `decision_no` and `decision_date`, which the KPI
counts the team from; a re-organisation (kiện toàn) leaves them as they are.
"""

import uuid

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record as audit
from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, in_scope, list_scope
from app.core.errors import Conflict, Invalid
from app.members.schemas import Position
from app.members.status import active_clause, today
from app.models import Member, Team, TeamDecision, Unit
from app.models.unit import valid_on
from app.records import Write, change, fetch
from app.teams.schemas import (
    DecisionKind,
    DirectoryEntry,
    TeamCoverage,
    TeamDecisionCreate,
    TeamDecisionList,
    TeamDecisionRead,
    TeamDirectory,
    TeamHint,
    TeamProfile,
    VillageWithoutTeam,
)
from app.teams.service import TEAMS

# The plans' figures (001: "khoảng từ 5-10 thành viên", collaborator groups beyond; 004: under 40).
MIN_MEMBERS, MAX_MEMBERS, YOUNG_AGE = 5, 10, 40
POSITION_ORDER = {p.value: i for i, p in enumerate(Position)}


async def record_decision(
    session: AsyncSession, principal: Principal, team_id: uuid.UUID, data: TeamDecisionCreate
) -> TeamDecisionRead:
    team, unit = await fetch(session, principal, TEAMS, team_id, P.teams_manage, lock=True)
    founding = await session.scalar(
        select(TeamDecision.number).where(
            TeamDecision.team_id == team.id, TeamDecision.kind == DecisionKind.founding.value
        )
    )
    if data.kind is DecisionKind.founding and founding is not None:
        raise Conflict(
            f"The team was already founded by decision {founding}: record a re-organisation (kiện toàn)",
            code="team.already_founded",
        )
    first = await session.scalar(
        select(func.min(TeamDecision.decided_on)).where(TeamDecision.team_id == team.id)
    )
    if data.kind is DecisionKind.reorganisation and first is not None and data.decided_on < first:
        raise Invalid(
            f"A re-organisation cannot come before the team's first decision ({first:%d/%m/%Y})",
            loc=["body", "decided_on"],
            code="team.decision_before_founding",
        )
    members = await session.scalars(
        select(Member).where(Member.team_id == team.id, active_clause()).order_by(Member.full_name)
    )
    roster = sorted(
        ({"member_id": str(m.id), "full_name": m.full_name, "position": m.position} for m in members),
        key=lambda r: (POSITION_ORDER.get(r["position"], 9), r["full_name"]),
    )
    decision = TeamDecision(
        team_id=team.id,
        unit_id=unit.id,
        kind=data.kind.value,
        number=data.number,
        decided_on=data.decided_on,
        signer=data.signer,
        roster=roster,
        created_by=principal.name,
    )
    session.add(decision)
    await session.flush()
    read = TeamDecisionRead.model_validate(decision)
    await audit(session, principal, "create", "team_decision", decision.id, unit_id=unit.id,
          after=read.model_dump(mode="json"))  # fmt: skip
    if data.kind is DecisionKind.founding:
        (before,) = await TEAMS.present(session, [team])
        w = Write(session, principal, TEAMS, {}, unit, team, before)
        await change(w, {"decision_no": data.number, "decision_date": data.decided_on})
    return read


async def list_decisions(session: AsyncSession, principal: Principal, team_id: uuid.UUID) -> TeamDecisionList:
    team, _ = await fetch(session, principal, TEAMS, team_id, P.teams_read)
    rows = await session.scalars(
        select(TeamDecision)
        .where(TeamDecision.team_id == team.id)
        .order_by(TeamDecision.decided_on, TeamDecision.created_at)
    )
    return TeamDecisionList(items=[TeamDecisionRead.model_validate(r) for r in rows])


async def profile(session: AsyncSession, principal: Principal, team_id: uuid.UUID) -> TeamProfile:
    """Who is in the team against the plans' rules; reading it needs the roster (members:read)."""
    team, unit = await fetch(session, principal, TEAMS, team_id, P.members_read)
    rows = (
        await session.execute(
            select(Member.position, Member.birth_year).where(Member.team_id == team.id, active_clause())
        )
    ).all()
    year = today().year
    core = [r for r in rows if r.position != Position.collaborator.value]
    collaborators = len(rows) - len(core)
    leaders = sum(r.position == Position.leader.value for r in rows)
    born = [r.birth_year for r in rows if r.birth_year is not None]
    young = sum(year - b < YOUNG_AGE for b in born)
    share = round(100 * young / len(born), 1) if born else None
    hints: list[TeamHint] = []
    if len(core) < MIN_MEMBERS:
        hints.append(TeamHint(code="team.small", message=f"{len(core)} members: the plans ask for 5 to 10"))
    if len(core) > MAX_MEMBERS:
        hints.append(
            TeamHint(code="team.large", message=f"{len(core)} members: beyond 10, form collaborator groups")
        )
    if leaders == 0:
        hints.append(TeamHint(code="team.no_leader", message="The team has no leader"))
    if share is not None and share < 50:
        hints.append(TeamHint(code="team.few_young", message=f"{share}% of the members are under 40"))
    if team.decision_no is None:
        hints.append(TeamHint(code="team.no_decision", message="No founding decision is recorded"))
    if unit.level == "village":
        others = await session.scalar(
            select(func.count()).where(
                Team.unit_id == unit.id,
                Team.id != team.id,
                Team.deleted_at.is_(None),
                Team.status == "active",
            )
        )
        if others:
            hints.append(
                TeamHint(code="team.village_has_another", message="The village has another active team")
            )
    return TeamProfile(
        team_id=team.id,
        active_members=len(core),
        collaborators=collaborators,
        leaders=leaders,
        with_birth_year=len(born),
        under_40=young,
        under_40_pct=share,
        hints=hints,
    )


async def coverage(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> TeamCoverage:
    """A commune's villages in force today and those without an active team (plan 004)."""
    commune = await get_unit_in_scope(session, principal, unit_id, P.teams_read)
    if commune.level != "commune":
        raise Invalid("Villages without a team are listed for a commune", loc=["query", "unit_id"],
                      code="unit.wrong_level")  # fmt: skip
    has_team = (
        select(Team.id)
        .where(Team.unit_id == Unit.id, Team.deleted_at.is_(None), Team.status == "active")
        .exists()
    )
    rows = (
        await session.execute(
            select(Unit.id, Unit.code, Unit.name, has_team.label("has_team"))
            .where(Unit.parent_id == commune.id, Unit.level == "village", valid_on(today()))
            .order_by(Unit.name, Unit.id)
        )
    ).all()
    return TeamCoverage(
        unit_id=commune.id,
        villages=len(rows),
        with_team=sum(bool(r.has_team) for r in rows),
        without_team=[VillageWithoutTeam(id=r.id, code=r.code, name=r.name) for r in rows if not r.has_team],
    )


async def directory(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID | None, limit: int, offset: int
) -> TeamDirectory:
    """The area's active teams with their Zalo groups and leaders, by commune and name (plan 002)."""
    within = await list_scope(session, principal, P.teams_read, unit_id)
    commune = Unit.__table__.alias("commune")
    conditions = [
        Team.deleted_at.is_(None),
        Team.status == "active",
        in_scope(Team.unit_id, principal, within, P.teams_read),
    ]
    total = await session.scalar(select(func.count()).select_from(Team).where(*conditions))
    leader = (
        select(Member.full_name)
        .where(Member.team_id == Team.id, Member.position == Position.leader.value, active_clause())
        .limit(1)
        .scalar_subquery()
    )
    count = select(func.count()).where(Member.team_id == Team.id, active_clause()).scalar_subquery()
    commune_name = func.coalesce(commune.c.name, Unit.name)
    rows = (
        await session.execute(
            select(
                Team.id,
                Team.name,
                Team.unit_id,
                Unit.name.label("unit_name"),
                Unit.level.label("unit_level"),
                commune_name.label("commune_name"),
                count.label("member_count"),
                Team.decision_no,
                Team.decision_date,
                Team.zalo_url,
                leader.label("leader_name"),
            )  # fmt: skip
            .join(Unit, Unit.id == Team.unit_id)
            .outerjoin(commune, and_(commune.c.id == Unit.parent_id, Unit.level == "village"))
            .where(*conditions)
            .order_by(commune_name, Unit.level, Team.name, Team.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return TeamDirectory(
        items=[DirectoryEntry.model_validate(r, from_attributes=True) for r in rows],
        total=total or 0,
        limit=limit,
        offset=offset,
    )
