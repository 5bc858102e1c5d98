"""Trainings: sessions in a unit and who attended. Not synced to phones, so a delete is a real one
(attendance goes with the training); every write is still audited."""

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.scope import related
from app.core.errors import Invalid
from app.kpi import aggregates
from app.models import Training, TrainingAttendance
from app.records import Permissions, Resource, Write
from app.trainings import repository
from app.trainings.schemas import TrainingRead, TrainingRecord

ORDER = [Training.held_on.desc(), Training.id]


class Trainings(Resource):
    name, label, model, read = "training", "Training", Training, TrainingRead
    dated_by = "held_on"  # a closed unit takes it only when dated by its close
    permissions = Permissions(P.trainings_read, P.trainings_manage)
    required = ("unit_id", "title", "held_on", "mode", "topics", "member_ids")
    tombstones = False
    from_below = True  # a commune's training is its villages' too: their members attend it

    async def present(self, session: AsyncSession, rows: Sequence[Any]) -> list[BaseModel]:
        attendees = await repository.attendees(session, [row.id for row in rows])
        return [
            TrainingRead(
                **TrainingRecord.model_validate(row, from_attributes=True).model_dump(),
                member_ids=attendees.get(row.id, []),
            )
            for row in rows
        ]

    async def rules(self, w: Write) -> dict[str, Any]:
        """A new attendee must be a member the caller can read, of a team in the training unit's subtree
        or of a team whose unit contains it. Attendees already recorded stay as they are (even if since
        deleted or out of the caller's sight), unless the training moves."""
        current = set(w.before.member_ids) if w.before is not None else set()
        member_ids, moved = w.values["member_ids"], "unit_id" in w.changed
        added = [m for m in member_ids if m not in current]
        paths = await repository.member_paths(w.session, added, w.principal)
        if moved:
            paths |= await repository.member_paths(w.session, [m for m in member_ids if m in current])
        errors = []
        for i, member_id in enumerate(member_ids):
            if member_id in current and not moved:
                continue
            if (path := paths.get(member_id)) is None:
                msg, code = f"Member {member_id} does not exist", "member.unknown"
            elif not related(path, w.unit.path):
                msg = f"Member {member_id} is in a team neither within the training's unit nor above it"
                code = "training.member_elsewhere"
            else:
                continue
            errors.append({"loc": ["body", "member_ids", i], "msg": msg, "code": code})
        if errors:
            raise Invalid("; ".join(e["msg"] for e in errors), errors=errors, code=errors[0]["code"])
        return {}

    async def save_children(self, w: Write, record_id) -> bool:
        old = set(w.before.member_ids) if w.before is not None else set()
        new = set(w.changes.get("member_ids", old))
        if new == old:
            return False
        await repository.set_attendees(w.session, record_id, added=new - old, removed=old - new)
        return True

    async def removing(self, w: Write) -> None:
        await w.session.execute(delete(TrainingAttendance).where(TrainingAttendance.training_id == w.obj.id))

    async def written(self, w: Write, before: Any, after: Any) -> None:
        members = {m for r in (before, after) if r is not None for m in r.member_ids}
        await aggregates.attendance_changed(w.session, members)


TRAININGS = Trainings()


def list_filters(filters: dict[str, Any]) -> list:
    conditions = []
    if filters.get("mode") is not None:
        conditions.append(Training.mode == filters["mode"])
    if filters.get("held_from") is not None:
        conditions.append(Training.held_on >= filters["held_from"])
    if filters.get("held_to") is not None:
        conditions.append(Training.held_on <= filters["held_to"])
    if filters.get("member_id") is not None:
        attended = select(TrainingAttendance.training_id).where(
            TrainingAttendance.member_id == filters["member_id"]
        )
        conditions.append(Training.id.in_(attended))
    return conditions
