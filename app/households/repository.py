"""Household queries. The list selects columns, not ORM objects: it is the hottest read of the field."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, in_scope
from app.core.errors import NotFound
from app.core.feed import feed_query
from app.core.text import fold
from app.households.schemas import HouseholdRead
from app.models import Household, Unit

COLUMNS = [getattr(Household, name) for name in HouseholdRead.model_fields]
FILTERS = ("informed", "has_digital_member", "is_business", "needs_assistance", "assigned_member_id")


def search_text(head_name: str, code: str | None, phone: str | None) -> str:
    """What `?q=` matches: the folded head name, the code and the phone digits."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    return " ".join(part for part in (fold(head_name), fold(code or ""), digits) if part)[:300]


def _where(principal: Principal, within: Unit | None, q: str | None, filters: dict[str, Any]) -> list:
    where = [
        Household.deleted_at.is_(None),
        in_scope(Household.unit_id, principal, within, Permission.households_read),
    ]
    if q and (folded := fold(q)):
        where.append(Household.search_text.like(f"%{folded}%"))
    for name, value in filters.items():
        if value is not None:
            where.append(getattr(Household, name) == value)
    return where


async def list_households(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    q: str | None,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page as plain dicts (HouseholdRead's fields, in order) and the total; 404 when `unit_id` is
    not a unit the caller sees."""
    if session.bind.dialect.name == "postgresql":
        return await _list_households_pg(session, principal, unit_id, q, filters, limit, offset)
    within = await get_unit_in_scope(session, principal, unit_id) if unit_id else None
    where = _where(principal, within, q, filters)
    total = await session.scalar(select(func.count()).select_from(Household).where(*where))
    page = (
        select(*COLUMNS).where(*where).order_by(Household.head_name, Household.id).limit(limit).offset(offset)
    )
    return [dict(row) for row in (await session.execute(page)).mappings()], total or 0


# PostgreSQL: the list goes straight to the driver (asyncpg) on the session's connection, with the
# query `_where` and `get_unit_in_scope` build (keep them in step: tests run both databases). On this
# path SQLAlchemy's ORM get, statement building, compiling and row processing cost more CPU than the
# queries; without them a request costs ~1.5 ms instead of ~5 (bench/README.md). With no SQLAlchemy
# execute the session starts no transaction: three statements, no BEGIN or COMMIT. uuids come back
# as text: the same JSON, and serializing asyncpg's own UUID class is 3× slower.
_KEYS = tuple(HouseholdRead.model_fields)
_UUIDS = {"id", "unit_id", "assigned_member_id"}
_PG_COLUMNS = ", ".join(f"{c}::text AS {c}" if c in _UUIDS else c for c in _KEYS)


def _pg_under(arg, prefix: str) -> str:
    """`path` starts with `prefix`: `Unit.path.startswith(prefix, autoescape=True)` as in_scope writes it."""
    escaped = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"path LIKE {arg(escaped + '%')} ESCAPE '/'"


def _pg_where(
    principal: Principal, within_path: str | None, q: str | None, filters: dict[str, Any]
) -> tuple[str, list[Any]]:
    """`_where` as SQL text and parameters ($1, $2, …)."""
    params: list[Any] = []

    def arg(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    where = ["deleted_at IS NULL"]
    if not (principal.is_admin and within_path is None):  # in_scope
        units = []
        paths = principal.scope_paths(Permission.households_read)
        if paths is not None:
            units.append(f"({' OR '.join(_pg_under(arg, p) for p in paths)})" if paths else "false")
        if within_path is not None:
            units.append(_pg_under(arg, within_path))
        where.append(f"unit_id IN (SELECT id FROM units WHERE {' AND '.join(units) or 'true'})")
    if q and (folded := fold(q)):
        where.append(f"search_text LIKE {arg(f'%{folded}%')}")
    for name, value in filters.items():
        if value is not None and name in FILTERS:
            where.append(f"{name} = {arg(value)}")
    return " AND ".join(where), params


async def _list_households_pg(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID | None,
    q: str | None,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    connection = await (await session.connection()).get_raw_connection()
    driver = connection.driver_connection
    within_path = None
    if unit_id is not None:  # get_unit_in_scope
        within_path = await driver.fetchval("SELECT path FROM units WHERE id = $1", unit_id)
        if within_path is None or not principal.sees(within_path):
            raise NotFound("Unit not found")
    where, params = _pg_where(principal, within_path, q, filters)
    total = await driver.fetchval(f"SELECT count(*) FROM households WHERE {where}", *params)
    n = len(params)
    rows = await driver.fetch(
        f"SELECT {_PG_COLUMNS} FROM households WHERE {where} "
        f"ORDER BY head_name, id LIMIT ${n + 1} OFFSET ${n + 2}",
        *params,
        limit,
        offset,
    )
    return [dict(zip(_KEYS, row, strict=True)) for row in rows], total


async def changes(
    session: AsyncSession,
    principal: Principal,
    *,
    within: Unit | None,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> list[Any]:
    scope = in_scope(Household.unit_id, principal, within, Permission.households_read)
    query = select(*COLUMNS, Household.deleted_at).where(scope)
    return list(await session.execute(feed_query(query, Household, since, cursor, limit)))


async def code_taken(
    session: AsyncSession, unit_id: uuid.UUID, code: str, other_than: uuid.UUID | None
) -> bool:
    query = select(Household.id).where(
        Household.unit_id == unit_id, Household.code == code, Household.deleted_at.is_(None)
    )
    if other_than is not None:
        query = query.where(Household.id != other_than)
    return (await session.scalar(query)) is not None
