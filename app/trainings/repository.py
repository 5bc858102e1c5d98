"""Attendance queries; attendance is read for a whole page at once."""

import uuid
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import in_scope
from app.models import Member, TrainingAttendance, Unit


async def attendees(session: AsyncSession, training_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The sorted member ids of each training."""
    by_training: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if not training_ids:
        return by_training
    rows = await session.execute(
        select(TrainingAttendance.training_id, TrainingAttendance.member_id).where(
            TrainingAttendance.training_id.in_(training_ids)
        )
    )
    for training_id, member_id in rows:
        by_training[training_id].append(member_id)
    for ids in by_training.values():
        ids.sort()
    return by_training


async def member_paths(
    session: AsyncSession, member_ids: Collection[uuid.UUID], principal: Principal | None = None
) -> dict[uuid.UUID, str]:
    """The unit path of each member; with `principal`, only members not deleted that it may read."""
    if not member_ids:
        return {}
    query = (
        select(Member.id, Unit.path).join(Unit, Unit.id == Member.unit_id).where(Member.id.in_(member_ids))
    )
    if principal is not None:
        query = query.where(
            Member.deleted_at.is_(None), in_scope(Member.unit_id, principal, None, Permission.members_read)
        )
    return {member_id: path for member_id, path in await session.execute(query)}


async def set_attendees(
    session: AsyncSession,
    training_id: uuid.UUID,
    added: Collection[uuid.UUID],
    removed: Collection[uuid.UUID],
) -> None:
    if removed:
        await session.execute(
            delete(TrainingAttendance).where(
                TrainingAttendance.training_id == training_id, TrainingAttendance.member_id.in_(removed)
            )
        )
    session.add_all(TrainingAttendance(training_id=training_id, member_id=m) for m in sorted(added))
    await session.flush()
