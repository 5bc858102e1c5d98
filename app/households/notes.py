"""The notes of a household's visits. The household keeps its latest note; each earlier one stands in
the audit log of the write that left it, so the history is read from there, not stored twice."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.principal import Principal
from app.households.schemas import VisitNote
from app.households.service import HOUSEHOLDS
from app.models import AuditLog
from app.records import fetch


async def visit_notes(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, limit: int, offset: int
) -> dict[str, Any]:
    """Newest first; whoever may read the household may read its notes (404 outside the area)."""
    await fetch(session, principal, HOUSEHOLDS, household_id, HOUSEHOLDS.permissions.read)
    entries = await session.execute(
        select(AuditLog.at, AuditLog.actor_name, AuditLog.before, AuditLog.after)
        .where(AuditLog.resource == HOUSEHOLDS.name, AuditLog.resource_id == str(household_id))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )
    notes = [
        VisitNote(at=at, actor_name=actor, note=after["note"])
        for at, actor, before, after in entries
        if after and after.get("note") and after.get("note") != (before or {}).get("note")
    ]
    return {"items": notes[offset : offset + limit], "total": len(notes), "limit": limit, "offset": offset}
