import uuid
from typing import Annotated

from fastapi import Query

from api.deps import LimitQuery, OffsetQuery, PrincipalDep, SessionDep
from api.unit_of_work import Router
from app.vneid.service import VneidUpdates, updates

router = Router(prefix="/vneid", tags=["vneid"])


@router.get("/updates")
async def vneid_updates(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> VneidUpdates:
    """The VNeID and signature counts the commune police's keys (`vneid_only`) changed, and when,
    newest first: from the audit log, for whoever reads the households of the area."""
    return await updates(session, principal, unit_id, limit, offset)
