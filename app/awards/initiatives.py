"""Good models and effective ways of working ("mô hình hay, cách làm hiệu quả", plans 000 III.3 and
004 III.1): kept where they were born, proposed for awards, and shared with every commune once their
unit marks them shared (they hold no personal data: a title, what was done, the results)."""

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, in_scope, require_somewhere
from app.awards.schemas import InitiativeList, InitiativeRead
from app.models import Unit
from app.models.award import Initiative
from app.records import Permissions, Resource
from app.records import get as get_record

ORDER = [Initiative.updated_at.desc(), Initiative.id]


class Initiatives(Resource):
    name, label, model, read = "initiative", "Initiative", Initiative, InitiativeRead
    permissions = Permissions(P.kpi_read, P.awards_propose)
    required = ("title", "description", "shared")
    tombstones = False

    async def present(self, session: AsyncSession, rows: Sequence[Any]) -> list[BaseModel]:
        query = select(Unit.id, Unit.name).where(Unit.id.in_({r.unit_id for r in rows}))
        names = {unit_id: name for unit_id, name in await session.execute(query)}
        return [
            InitiativeRead.model_validate(row, from_attributes=True).model_copy(
                update={"unit_name": names.get(row.unit_id, "")}
            )
            for row in rows
        ]


INITIATIVES = Initiatives()


def _readable(principal: Principal):
    """In the caller's area, or shared with every commune."""
    return or_(in_scope(Initiative.unit_id, principal, None, P.kpi_read), Initiative.shared.is_(True))


async def visible_initiative(session: AsyncSession, principal: Principal, initiative_id) -> Initiative | None:
    return await session.scalar(
        select(Initiative).where(Initiative.id == initiative_id, _readable(principal))
    )


async def get_initiative(session: AsyncSession, principal: Principal, initiative_id: uuid.UUID) -> BaseModel:
    """One in the caller's area (404 outside it, as any record), or one shared with every commune."""
    require_somewhere(principal, P.kpi_read)
    shared = await session.scalar(
        select(Initiative).where(Initiative.id == initiative_id, Initiative.shared.is_(True))
    )
    if shared is not None:
        return (await INITIATIVES.present(session, [shared]))[0]
    return await get_record(session, principal, INITIATIVES, initiative_id)


async def list_initiatives(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    shared: bool | None,
    limit: int,
    offset: int,
) -> InitiativeList:
    """Those of the caller's area (under `unit_id`), and with `shared=true` those every commune shared
    (from anywhere); the latest changed first."""
    require_somewhere(principal, P.kpi_read)
    within = await get_unit_in_scope(session, principal, unit_id) if unit_id else None
    if shared:
        where = [Initiative.shared.is_(True)]
        if within is not None:
            where.append(in_scope(Initiative.unit_id, principal, within))
    else:
        where = [in_scope(Initiative.unit_id, principal, within, P.kpi_read)]
        if shared is False:
            where.append(Initiative.shared.is_(False))
    total = await session.scalar(select(func.count()).select_from(Initiative).where(*where))
    rows = list(
        await session.scalars(select(Initiative).where(*where).order_by(*ORDER).limit(limit).offset(offset))
    )
    items = await INITIATIVES.present(session, rows)
    return InitiativeList(items=items, total=total or 0, limit=limit, offset=offset)
