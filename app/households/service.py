"""Households: the unit the teams visit. Counts, not a register of persons (DOMAIN.md)."""

import uuid
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import require_somewhere, sees
from app.core import driver
from app.core.errors import Invalid, NotFound
from app.core.search import matches
from app.households import rules
from app.households.schemas import HouseholdRead
from app.kpi import aggregates
from app.models import Household, Member, Unit
from app.records import Permissions, Resource, Write, reads

FILTERS = ("informed", "has_digital_member", "is_business", "needs_assistance", "assigned_member_id")
ORDER = [Household.head_name, Household.id]


class Households(Resource):
    name, label, model, read = "household", "Household", Household, HouseholdRead
    permissions = Permissions(
        read=P.households_read,
        create=P.households_manage,
        update=P.households_update,
        delete=P.households_manage,
    )
    levels = ("village",)
    required = ("unit_id", "head_name", *rules.FACT_FIELDS)

    def update_permission(self, changes: dict[str, Any]) -> P:
        """A visit (counts, flags, note) needs households:update; anything else households:manage."""
        return P.households_update if changes.keys() <= rules.VISIT_FIELDS else P.households_manage

    async def rules(self, w: Write) -> dict[str, Any]:
        values, session = w.values, w.session
        problems = rules.count_problems(values)
        if (code := values.get("code")) and await _code_taken(session, w.unit.id, code, w.obj):
            problems.append(rules.code_taken(code))
        if (member_id := values.get("assigned_member_id")) is not None:
            path = await session.scalar(
                select(Unit.path)
                .join(Member, Member.unit_id == Unit.id)
                .where(Member.id == member_id, Member.deleted_at.is_(None))
            )
            if (problem := rules.assignable(path, w.unit.path)) is not None:
                problems.append(problem)
        if problems:
            raise Invalid.fields(problems)
        text = rules.search_text(
            values["head_name"], values.get("code"), values.get("phone"), values.get("address")
        )
        return {"search_text": text}

    async def written(self, w: Write, before: Any, after: Any) -> None:
        await aggregates.household_changed(w.session, before, after)


HOUSEHOLDS = Households()


async def _code_taken(session: AsyncSession, unit_id: uuid.UUID, code: str, other: Household | None) -> bool:
    query = select(Household.id).where(
        Household.unit_id == unit_id, Household.code == code, Household.deleted_at.is_(None)
    )
    if other is not None:
        query = query.where(Household.id != other.id)
    return (await session.scalar(query.limit(1))) is not None


# --- the list: the hottest read of the field ------------------------------------------------------

_UUIDS = {"id", "unit_id", "assigned_member_id"}
# uuids leave PostgreSQL as text: the same JSON, and serializing asyncpg's own UUID class is 3× slower.
_PG_COLUMNS = [
    cast(column, String).label(column.key) if column.key in _UUIDS else column
    for column in Households.read_columns()
]


async def list_households(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    q: str | None,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """A page of HouseholdList's shape as plain data, to be serialized once (no model per row).

    On PostgreSQL the statements run on the driver (`app.core.driver`); they are the same statements,
    built by the same scope filter, as on SQLite."""
    require_somewhere(principal, HOUSEHOLDS.permissions.read)
    postgres = session.bind.dialect.name == "postgresql"
    within = None
    if unit_id is not None:
        query = select(Unit.path).where(Unit.id == unit_id)
        within = await (driver.fetchval(session, query) if postgres else session.scalar(query))
        if within is None or not sees(principal, within):
            raise NotFound("Unit not found")
    conditions = [getattr(Household, name) == value for name, value in filters.items() if value is not None]
    if (search := matches(q, Household.search_text)) is not None:
        conditions.append(search)
    where = reads.where(principal, HOUSEHOLDS, within, conditions)
    columns = _PG_COLUMNS if postgres else None
    count, rows = reads.statements(HOUSEHOLDS, where, ORDER, limit, offset, columns)
    if postgres:
        total = await driver.fetchval(session, count)
        items = [dict(row) for row in await driver.fetch(session, rows)]
    else:
        total = await session.scalar(count)
        items = [dict(row) for row in (await session.execute(rows)).mappings()]
    return {"items": items, "total": total or 0, "limit": limit, "offset": offset}
