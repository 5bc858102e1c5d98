import uuid
from typing import Annotated

from fastapi import Query

from api.deps import LimitQuery, OffsetQuery, PrincipalDep, SessionDep
from api.unit_of_work import Router
from app.audit import service
from app.audit.schemas import AuditList
from app.core.fields import Moment

router = Router(prefix="/audit", tags=["audit"])


@router.get("")
async def list_audit(
    session: SessionDep,
    principal: PrincipalDep,
    resource: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    resource_id: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9a-fA-F-]+$")] = None,
    actor_id: uuid.UUID | None = None,
    unit_id: Annotated[uuid.UUID | None, Query(description="Entries filed under this unit's subtree")] = None,
    since: Moment | None = None,
    until: Moment | None = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> AuditList:
    """Who changed what and when, newest first, within the caller's area."""
    return await service.list_audit(
        session,
        principal,
        resource=resource,
        resource_id=resource_id,
        actor_id=actor_id,
        unit_id=unit_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
