"""The audit writer: every write in the app records itself through `record`."""

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.principal import Principal
from app.core import batch
from app.core.ids import uuid7
from app.models import AuditLog
from app.models.base import utcnow

# One INSERT (Core): through the unit of work an audit row cost twice its statement, on every write.
COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "resource",
    "resource_id",
    "unit_id",
    "before",
    "after",
)
INSERT = batch.inserting(AuditLog.__table__, COLUMNS)


def snapshot(model: BaseModel) -> dict[str, Any]:
    """A JSON-safe picture of a record, taken from its read schema (so no password hashes)."""
    return model.model_dump(mode="json")


async def record(session: AsyncSession, *row: Any, **details: Any) -> None:
    """Write an audit row (the arguments of `entry`) in the caller's transaction: it lands if and
    only if the write does."""
    await batch.send(session, [entry(*row, **details)])


def entry(
    actor: Principal | None,
    action: str,
    resource: str,
    resource_id: Any,
    *,
    unit_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> batch.Write:
    """The audit row, to send with other writes (`app.core.batch`)."""
    return batch.Write(
        INSERT,
        {
            "id": uuid7(),
            "at": utcnow(),
            "actor_id": actor.id if actor else None,
            "actor_name": actor.name if actor else "system",
            "action": action,
            "resource": resource,
            "resource_id": str(resource_id) if resource_id is not None else None,
            "unit_id": unit_id,
            "before": before,
            "after": after,
        },
    )
