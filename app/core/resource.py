"""What every scoped record shares: fetch within scope, replay of a client-chosen id, soft delete.

Scoping goes through `app.authz.scope`: the record's unit path decides 404 (outside the caller's
area) before the permission decides 403 (inside it, without the right).
"""

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.core import metrics
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.replay import ensure_same
from app.core.versioning import check_version
from app.models import Unit
from app.models.base import utcnow

M = TypeVar("M")


async def fetch(
    session: AsyncSession,
    principal: Principal,
    model: type[M],
    record_id: uuid.UUID,
    permission: Permission,
    *,
    label: str,
    lock: bool = False,
) -> tuple[M, Unit]:
    """The record and its unit: 404 when absent, deleted or outside the caller's area; 403 when the
    caller sees it but lacks `permission` there."""
    query = select(model, Unit).join(Unit, Unit.id == model.unit_id).where(model.id == record_id)
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    if lock:
        query = query.with_for_update(of=model)
    row = (await session.execute(query)).first()
    if row is None or not principal.sees(row[1].path):
        raise NotFound(f"{label} not found")
    if not principal.can(permission, row[1].path):
        raise Forbidden(f"Your role does not allow {permission.value} here")
    return row[0], row[1]


async def replay(
    session: AsyncSession,
    principal: Principal,
    model: type[M],
    data: BaseModel,
    read: type[BaseModel],
    ignore: set[str] = frozenset(),
) -> M | None:
    """For a create that carries its own id: the existing record when the body matches (a repeat),
    None when the id is new; 409 when the id is taken by another body or by a record out of sight."""
    if getattr(data, "id", None) is None:
        return None
    existing = await session.get(model, data.id)
    if existing is None:
        return None
    unit = await session.get(Unit, existing.unit_id)
    if getattr(existing, "deleted_at", None) is not None or unit is None or not principal.sees(unit.path):
        raise Conflict("This id is already in use")
    ensure_same(read.model_validate(existing), data, ignore=ignore)
    metrics.RECORD_REPLAYS.inc()
    return existing


async def soft_delete(
    session: AsyncSession,
    principal: Principal,
    obj: Any,
    read: type[BaseModel],
    resource: str,
    if_match: int | None,
) -> None:
    """Delete a synced record: it leaves a tombstone in the change feed."""
    check_version(obj, if_match)
    before = snapshot(read.model_validate(obj))
    obj.touch()
    obj.deleted_at = obj.updated_at
    await session.flush()
    record(session, principal, "delete", resource, obj.id, unit_id=obj.unit_id, before=before)


def apply_changes(obj: Any, changes: dict[str, Any]) -> bool:
    """Set the changed fields; True when anything changed (then `version` moves on)."""
    changed = {k: v for k, v in changes.items() if getattr(obj, k) != v}
    for field, value in changed.items():
        setattr(obj, field, value)
    if changed:
        obj.touch()
    return bool(changed)


__all__ = ["apply_changes", "fetch", "replay", "snapshot", "soft_delete", "utcnow"]
