"""Teams: one per commune or village, managed with teams:manage; `member_count` is derived."""

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.core.errors import Conflict
from app.kpi import aggregates
from app.members import repository as member_rows
from app.members import service as members
from app.models import Team
from app.records import Permissions, Resource, Write, change, remove
from app.teams.schemas import TeamRead, TeamRecord

ORDER = [Team.name, Team.id]


class Teams(Resource):
    name, label, model, read = "team", "Team", Team, TeamRead
    permissions = Permissions(P.teams_read, P.teams_manage)
    levels = ("commune", "village")
    required = ("unit_id", "name", "status")
    audit_exclude = frozenset({"member_count"})

    async def present(self, session: AsyncSession, rows: Sequence[Any]) -> list[BaseModel]:
        counts = await member_rows.active_counts(session, [row.id for row in rows])
        return [
            TeamRead(
                **TeamRecord.model_validate(row, from_attributes=True).model_dump(),
                member_count=counts.get(row.id, 0),
            )
            for row in rows
        ]

    async def removing(self, w: Write) -> None:
        """Only a team without active members goes; its former members (who left) go with it."""
        if active := w.before.member_count:
            raise Conflict(
                f"The team still has {active} active member(s): remove them or set left_on first",
                code="team.has_members",
            )
        for member, before in await _members_of(w):
            await remove(Write(w.session, w.principal, members.MEMBERS, {}, w.unit, member, before))

    async def written(self, w: Write, before: Any, after: Any) -> None:
        if before is not None and after is not None and before.unit_id != after.unit_id:
            # Members carry their team's unit (for the scope filter): a moved team moves them too.
            for member, was in await _members_of(w):
                await change(
                    Write(w.session, w.principal, members.MEMBERS, {}, w.unit, member, was),
                    {"unit_id": after.unit_id},
                )
        await aggregates.members_changed(w.session, {r.unit_id for r in (before, after) if r is not None})


TEAMS = Teams()


async def _members_of(w: Write) -> list[tuple[Any, BaseModel]]:
    """The team's members that are not deleted, locked (after the team), with their read models."""
    rows = await member_rows.of_team(w.session, w.obj.id)
    return list(zip(rows, await members.MEMBERS.present(w.session, rows), strict=True))
