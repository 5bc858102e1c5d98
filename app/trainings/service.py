"""Trainings: sessions in a unit and who attended. Not synced to phones, so deletes are hard
(attendance goes with the training); every write is still audited."""

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, require, unit_in_body
from app.core.errors import Conflict, Forbidden, Invalid
from app.core.ids import uuid7
from app.core.resource import apply_changes, fetch, replay
from app.core.versioning import check_version
from app.kpi import aggregates
from app.models import Training, Unit
from app.trainings import repository
from app.trainings.schemas import (
    TrainingCreate,
    TrainingList,
    TrainingRead,
    TrainingRecord,
    TrainingUpdate,
)

LABEL = "Training"
NOT_NULL = ("unit_id", "title", "held_on", "mode", "topics", "member_ids")


async def list_trainings(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> TrainingList:
    if not principal.can(Permission.trainings_read):
        raise Forbidden("Your role does not allow trainings:read")
    within = await get_unit_in_scope(session, principal, unit_id) if unit_id else None
    rows, total = await repository.list_trainings(
        session, principal, within=within, filters=filters, limit=limit, offset=offset
    )
    attendees = await repository.attendees(session, [row.id for row in rows])
    items = [TrainingRead(**row._mapping, member_ids=attendees.get(row.id, [])) for row in rows]
    return TrainingList(items=items, total=total, limit=limit, offset=offset)


async def get_training(session: AsyncSession, principal: Principal, training_id: uuid.UUID) -> TrainingRead:
    training, _ = await fetch(
        session, principal, Training, training_id, Permission.trainings_read, label=LABEL
    )
    return await _read(session, training)


async def create_training(
    session: AsyncSession, principal: Principal, data: TrainingCreate
) -> tuple[TrainingRead, bool]:
    existing = await replay(session, principal, Training, data, TrainingRecord, ignore={"member_ids"})
    if existing is not None:
        read = await _read(session, existing)
        if "member_ids" in data.model_fields_set and sorted(set(data.member_ids)) != read.member_ids:
            raise Conflict("A record with this id already exists with other values (member_ids)")
        return read, False
    unit = await unit_in_body(session, principal, data.unit_id)
    require(principal, Permission.trainings_manage, unit)
    await _check_attendees(session, principal, unit, data.member_ids, current=set(), recheck_kept=False)
    training = Training(id=data.id or uuid7(), **data.model_dump(exclude={"id", "member_ids"}))
    session.add(training)
    await session.flush()
    await repository.set_attendees(session, training.id, added=set(data.member_ids), removed=())
    await aggregates.attendance_changed(session, data.member_ids)
    read = _to_read(training, set(data.member_ids))
    record(session, principal, "create", "training", training.id, unit_id=unit.id, after=snapshot(read))
    return read, True


async def update_training(
    session: AsyncSession,
    principal: Principal,
    training_id: uuid.UUID,
    data: TrainingUpdate,
    if_match: int | None,
) -> TrainingRead:
    training, unit = await fetch(
        session, principal, Training, training_id, Permission.trainings_manage, label=LABEL, lock=True
    )
    changes = data.model_dump(exclude_unset=True)
    for field in NOT_NULL:
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null", loc=["body", field])
    check_version(training, if_match)
    moved = "unit_id" in changes and changes["unit_id"] != training.unit_id
    if moved:
        unit = await unit_in_body(session, principal, changes["unit_id"])
        require(principal, Permission.trainings_manage, unit)
    before = await _read(session, training)
    current = set(before.member_ids)
    member_ids = changes.pop("member_ids", before.member_ids)
    if set(member_ids) != current or moved:
        await _check_attendees(session, principal, unit, member_ids, current=current, recheck_kept=moved)
    changed = apply_changes(training, changes)
    if set(member_ids) != current:
        added, removed = set(member_ids) - current, current - set(member_ids)
        await repository.set_attendees(session, training.id, added=added, removed=removed)
        if not changed:
            training.touch()
            changed = True
    after = _to_read(training, member_ids)
    if changed:
        await session.flush()
        await aggregates.attendance_changed(session, current | set(member_ids))
        record(
            session,
            principal,
            "update",
            "training",
            training.id,
            unit_id=training.unit_id,
            before=snapshot(before),
            after=snapshot(after),
        )
    return after


async def delete_training(
    session: AsyncSession, principal: Principal, training_id: uuid.UUID, if_match: int | None
) -> None:
    training, _ = await fetch(
        session, principal, Training, training_id, Permission.trainings_manage, label=LABEL, lock=True
    )
    check_version(training, if_match)
    before = await _read(session, training)
    unit_id = training.unit_id
    await repository.delete_training(session, training)
    await aggregates.attendance_changed(session, before.member_ids)
    record(session, principal, "delete", "training", training_id, unit_id=unit_id, before=snapshot(before))


async def _check_attendees(
    session: AsyncSession,
    principal: Principal,
    unit: Unit,
    member_ids: list[uuid.UUID],
    *,
    current: set[uuid.UUID],
    recheck_kept: bool,
) -> None:
    """A new attendee must be a member the caller can read, of a team in the training unit's subtree
    or of a team whose unit contains the training unit. Attendees already recorded stay as they
    are (even if since deleted or out of the caller's sight), unless the training moves."""
    added = [m for m in member_ids if m not in current]
    paths = await repository.member_paths(session, added, principal)
    if recheck_kept:
        paths |= await repository.member_paths(session, [m for m in member_ids if m in current])
    errors = []
    for i, member_id in enumerate(member_ids):
        if member_id in current and not recheck_kept:
            continue
        path = paths.get(member_id)
        if path is None:
            msg = f"Member {member_id} does not exist"
        elif not (path.startswith(unit.path) or unit.path.startswith(path)):
            msg = f"Member {member_id} is in a team neither within the training's unit nor above it"
        else:
            continue
        errors.append({"loc": ["body", "member_ids", i], "msg": msg})
    if errors:
        raise Invalid("; ".join(e["msg"] for e in errors), errors=errors)


async def _read(session: AsyncSession, training: Training) -> TrainingRead:
    attendees = await repository.attendees(session, [training.id])
    return _to_read(training, attendees.get(training.id, []))


def _to_read(training: Training, member_ids: Collection[uuid.UUID]) -> TrainingRead:
    return TrainingRead(
        **TrainingRecord.model_validate(training).model_dump(), member_ids=sorted(set(member_ids))
    )
