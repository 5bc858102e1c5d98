"""Reading the audit log: admins and officers, each within their area."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.schemas import AuditList, AuditRead
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import in_scope, list_scope
from app.models import AuditLog


async def list_audit(
    session: AsyncSession,
    principal: Principal,
    *,
    resource: str | None,
    resource_id: str | None,
    actor_id: uuid.UUID | None,
    unit_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> AuditList:
    within = await list_scope(session, principal, Permission.audit_read, unit_id)
    where = [in_scope(AuditLog.unit_id, principal, within, Permission.audit_read)]
    for column, value in (
        (AuditLog.resource, resource),
        (AuditLog.resource_id, resource_id),
        (AuditLog.actor_id, actor_id),
    ):
        if value is not None:
            where.append(column == value)
    if since is not None:
        where.append(AuditLog.at >= since)
    if until is not None:
        where.append(AuditLog.at < until)
    total = await session.scalar(select(func.count()).select_from(AuditLog).where(*where))
    rows = await session.scalars(
        select(AuditLog)
        .where(*where)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return AuditList(
        items=[AuditRead.model_validate(r) for r in rows], total=total or 0, limit=limit, offset=offset
    )
