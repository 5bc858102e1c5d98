"""One record as the caller may see it: scope first (404), then permission (403)."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import check
from app.models import Unit
from app.records.resource import Resource


async def fetch(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    record_id: uuid.UUID,
    permission: Permission,
    *,
    lock: bool = False,
    parent: dict[str, Any] | None = None,
    deleted: bool = False,
) -> tuple[Any, Unit]:
    """The live record and its unit: 404 when absent, deleted (unless `deleted`: a data subject's
    request reaches a tombstone too), under another parent (`parent`: the path's ids, such as an
    event's campaign) or out of the caller's sight; 403 when the caller sees it but lacks
    `permission` there."""
    model = resource.model
    query = (
        select(model, Unit)
        .join(Unit, Unit.id == model.unit_id)
        .where(model.id == record_id, *(() if deleted else resource.live()))
    )
    for name, value in (parent or {}).items():
        query = query.where(getattr(model, name) == value)
    if lock:
        query = query.with_for_update(of=model)
    row = (await session.execute(query)).first()
    from_below = resource.permissions.read if resource.from_below else None
    check(principal, permission, row[1].path if row else None, resource.label, from_below=from_below)
    return row[0], row[1]
