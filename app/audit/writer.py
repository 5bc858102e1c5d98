"""The audit writer: every write in the app records itself through `record`."""

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.principal import Principal
from app.models import AuditLog


def snapshot(model: BaseModel) -> dict[str, Any]:
    """A JSON-safe picture of a record, taken from its read schema (so no password hashes)."""
    return model.model_dump(mode="json")


def record(
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    resource: str,
    resource_id: Any,
    *,
    unit_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the caller's transaction: it lands if and only if the write does."""
    session.add(
        AuditLog(
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else "system",
            action=action,
            resource=resource,
            resource_id=str(resource_id) if resource_id is not None else None,
            unit_id=unit_id,
            before=before,
            after=after,
        )
    )
