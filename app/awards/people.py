"""Members and teams ranked too (issue 20, item 5; plan 000 IV.4: individuals and teams honoured by
their results): by the people they helped, then the acts of help, in the award's span (activities
dated from the period's first day to the end of its `as_of` day, Vietnam time) in the award unit's
subtree. A member or team deleted since is no candidate."""

from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import under
from app.awards.schemas import PeopleRanking, PersonRow
from app.kpi.periods import VIETNAM, Period
from app.models import Activity, Member, Team, Unit

TOP = 20  # the rows a ranking shows: the award picks a few, the rest are in the activities


def _moment(day) -> datetime:
    return datetime.combine(day, time(), VIETNAM)


async def rank(session: AsyncSession, unit: Unit, span: Period) -> dict[str, list[dict[str, Any]]]:
    """{"members": rows, "teams": rows}, each row a PersonRow's fields plus the unit's `path` (who may
    read a member's name is decided per reader, `shown`)."""
    in_subtree = select(Unit.id).where(under(unit.path))
    query = (
        select(
            Member.id,
            Member.full_name,
            Team.id,
            Team.name,
            Team.unit_id,
            Unit.name,
            Unit.path,
            func.coalesce(func.sum(Activity.people_count), 0),
            func.count(),
        )
        .select_from(Activity)
        .join(Member, Member.id == Activity.member_id)
        .join(Team, Team.id == Member.team_id)
        .join(Unit, Unit.id == Team.unit_id)
        .where(
            Activity.deleted_at.is_(None),
            Activity.unit_id.in_(in_subtree),
            Activity.occurred_at >= _moment(span.start),
            Activity.occurred_at < _moment(span.end),
            Member.deleted_at.is_(None),
            Team.deleted_at.is_(None),
        )
        .group_by(Member.id, Member.full_name, Team.id, Team.name, Team.unit_id, Unit.name, Unit.path)
    )
    members, teams = [], {}
    for member_id, name, team_id, team, unit_id, unit_name, path, people, acts in await session.execute(
        query
    ):
        common = {"unit_id": unit_id, "unit_name": unit_name, "path": path}
        counts = {"people_supported": int(people), "activities": int(acts)}
        members.append({"id": member_id, "name": name, "team": team, **common, **counts})
        row = teams.setdefault(
            team_id,
            {"id": team_id, "name": team, "team": None, **common, "people_supported": 0, "activities": 0},
        )
        row["people_supported"] += int(people)
        row["activities"] += int(acts)
    return {"members": _ranked(members), "teams": _ranked(list(teams.values()))}


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Best first (people helped, then acts of help; ties share a rank), the first `TOP`."""
    rows.sort(key=lambda r: (-r["people_supported"], -r["activities"], r["name"], str(r["id"])))
    previous, rank_ = None, 0
    for position, row in enumerate(rows, start=1):
        key = (row["people_supported"], row["activities"])
        if key != previous:
            rank_, previous = position, key
        row["rank"] = rank_
    return [{**row, "id": str(row["id"]), "unit_id": str(row["unit_id"])} for row in rows[:TOP]]


def shown(principal: Principal, rows: dict[str, list[dict[str, Any]]]) -> PeopleRanking:
    """The ranking as this reader receives it: a member's row only where it may read members (a
    member's name is personal data; a viewer sees the teams)."""
    members = [r for r in rows.get("members", []) if principal.can(P.members_read, r["path"])]
    return PeopleRanking(
        members=[PersonRow.model_validate(r) for r in members],
        teams=[PersonRow.model_validate(r) for r in rows.get("teams", [])],
    )
