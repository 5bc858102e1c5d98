"""Members of a team: personal data (members:read), managed with members:manage at the team's unit.

Lock order, everywhere: the team row first, then member rows. Creating or changing a member locks
the team it ends up in, so two concurrent writes cannot both pass the one-active-leader check.
"""

from typing import Any

from app.authz.permissions import Permission as P
from app.authz.scope import unknown
from app.core.errors import Conflict, Invalid, NotFound, Problem
from app.core.versioning import check_version
from app.kpi import aggregates
from app.members import repository
from app.members.schemas import MemberRead, Position
from app.members.status import active_clause, is_active
from app.models import Member, Unit
from app.records import Permissions, Resource, Write, fetch
from app.teams import service as teams
from app.users.repository import get_visible_user

FILTERS = ("team_id", "position", "gender", "affiliation", "user_id")
ORDER = [Member.full_name, Member.id]


class Members(Resource):
    name, label, model, read = "member", "Member", Member, MemberRead
    permissions = Permissions(P.members_read, P.members_manage)
    required = ("team_id", "full_name", "position")
    personal = {"phone": None}
    lock_on_fetch = False  # `locate` locks the team first, then the member

    async def locate(self, w: Write) -> Unit:
        """A member lives in its team's unit: the team must be one the caller sees (else 404, as any
        record outside the caller's area) and may manage members of (else 403), and is locked before
        the member."""
        team_id = w.changes.get("team_id") or w.obj.team_id
        try:
            _, unit = await fetch(w.session, w.principal, teams.TEAMS, team_id, P.members_manage, lock=True)
        except NotFound:
            raise unknown("The team", ["body", "team_id"], "team.unknown") from None
        if w.obj is not None:  # locked now, after the team: re-read it, it may have changed meanwhile
            await w.session.refresh(w.obj, with_for_update=True)
            if w.obj.deleted_at is not None:
                raise NotFound(f"{self.label} not found")
            check_version(w.obj, w.if_match)
            if "team_id" not in w.changes and w.obj.team_id != team_id:
                raise Conflict("The member moved to another team meanwhile: reload it and try again")
        w.changes["unit_id"] = unit.id  # denormalised for the scope filter
        return unit

    async def rules(self, w: Write) -> dict[str, Any]:
        values, problems = w.values, []
        joined, left = values.get("joined_on"), values.get("left_on")
        if joined is not None and left is not None and left < joined:
            problems.append(
                Problem(
                    "left_on",
                    f"left_on ({left}) cannot be before joined_on ({joined})",
                    "member.left_before_joined",
                )
            )
        if values.get("position") == Position.leader and is_active(left):
            other = w.obj.id if w.obj is not None else None
            if (
                leader := await repository.other_active_leader(w.session, values["team_id"], other)
            ) is not None:
                problems.append(
                    Problem(
                        "position",
                        f"The team already has an active leader ({leader}): a team has at most one",
                        "team.has_leader",
                    )
                )
        if "duty_unit_id" in w.changed and (duty := values.get("duty_unit_id")) is not None:
            problems += await _duty_problems(w, duty)
        user_id = values.get("user_id")
        if (
            "user_id" in w.changed
            and user_id is not None
            and not await get_visible_user(w.session, w.principal, user_id)
        ):
            raise unknown("The user", ["body", "user_id"], "user.unknown")  # out of the caller's area: 404
        if problems:
            raise Invalid.fields(problems)
        return {}

    async def written(self, w: Write, before: Any, after: Any) -> None:
        await aggregates.members_changed(w.session, {r.unit_id for r in (before, after) if r is not None})


MEMBERS = Members()


async def _duty_problems(w: Write, unit_id: Any) -> list[Problem]:
    """A member covers a village of the team's own area: the team's village, or one of its commune's."""
    duty = await w.session.get(Unit, unit_id)
    if duty is None or duty.level != "village" or not duty.path.startswith(w.unit.path):
        return [
            Problem(
                "duty_unit_id",
                "The member can cover only a village of the team's area",
                "member.duty_outside_team",
            )
        ]
    return []


def list_filters(filters: dict[str, Any], active: bool | None) -> list:
    conditions = [getattr(Member, name) == value for name, value in filters.items() if value is not None]
    if active is not None:
        conditions.append(active_clause() if active else ~active_clause())
    return conditions
