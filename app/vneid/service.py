"""The VNeID figures that came from the commune police (Đề án 06, plan 004), and when.

A `vneid_only` API key updates the VNeID and signature counts of the households of its area (the one
rule is `Households.update_permission`); every change is in the audit log under the key. This reads
them back from there for the commune: household, moment, key, and the counts before and after.
"""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import in_scope, list_scope
from app.core.pagination import Page
from app.models import ApiKey, AuditLog


class VneidUpdate(BaseModel):
    household_id: uuid.UUID
    unit_id: uuid.UUID | None
    at: datetime = Field(description="When the key changed the counts")
    key_id: uuid.UUID
    key_name: str
    adults_vneid_before: int | None
    adults_vneid: int | None
    adults_signature_before: int | None
    adults_signature: int | None


class VneidUpdates(Page[VneidUpdate]):
    """The changes of VNeID figures made by the police's keys, newest first."""


def _count(snapshot: dict[str, Any] | None, name: str) -> int | None:
    return snapshot.get(name) if snapshot else None


async def updates(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID | None, limit: int, offset: int
) -> VneidUpdates:
    within = await list_scope(session, principal, P.households_read, unit_id)
    conditions = [
        AuditLog.resource == "household",
        AuditLog.action == "update",
        ApiKey.vneid_only.is_(True),
        in_scope(AuditLog.unit_id, principal, within, P.households_read),
    ]
    base = select(AuditLog, ApiKey.name).join(ApiKey, ApiKey.id == AuditLog.actor_id).where(*conditions)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = (
        await session.execute(base.order_by(AuditLog.at.desc(), AuditLog.id).limit(limit).offset(offset))
    ).all()
    return VneidUpdates(
        items=[
            VneidUpdate(
                household_id=uuid.UUID(log.resource_id),
                unit_id=log.unit_id,
                at=log.at,
                key_id=log.actor_id,
                key_name=name,
                adults_vneid_before=_count(log.before, "adults_vneid"),
                adults_vneid=_count(log.after, "adults_vneid"),
                adults_signature_before=_count(log.before, "adults_signature"),
                adults_signature=_count(log.after, "adults_signature"),
            )
            for log, name in rows
        ],
        total=total or 0,
        limit=limit,
        offset=offset,
    )
