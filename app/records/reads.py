"""Reading synced records: one by id, a page, or the change feed, always through the caller's scope."""

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import Scope, get_unit_in_scope, list_scope, require, require_somewhere, scope_of
from app.core import feed
from app.core.errors import Invalid
from app.privacy import access
from app.records.access import fetch
from app.records.resource import Resource


async def get(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    record_id: uuid.UUID,
    parent: dict[str, Any] | None = None,
) -> BaseModel:
    obj, unit = await fetch(session, principal, resource, record_id, resource.permissions.read, parent=parent)
    (read,) = shown(principal, resource, await resource.present(session, [obj]))
    if _watched(principal, resource):
        access.record(principal, resource.name, read.id, unit.id)
    return read


# --- personal data: withheld from who may not receive it, noted in the access log when read ----------


def _watched(principal: Principal, resource: Resource) -> bool:
    """The caller receives this resource's personal fields, so its reads go in the access log."""
    return bool(resource.personal) and access.sees_personal(principal)


def shown(principal: Principal, resource: Resource, items: list[BaseModel]) -> list[BaseModel]:
    """Records as the caller receives them: without their personal fields for a caller that receives
    none (`access.sees_personal`)."""
    if not resource.personal or _watched(principal, resource):
        return items
    return [item.model_copy(update=resource.personal) for item in items]


def shown_rows(principal: Principal, resource: Resource, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`shown` for rows as plain dicts (the household list's fast path)."""
    if not resource.personal or _watched(principal, resource):
        return rows
    return [row | resource.personal for row in rows]


def noted(
    principal: Principal,
    resource: Resource,
    ids: list[Any],
    filters: dict[str, Any],
    unit_id: uuid.UUID | None,
) -> None:
    """A page (a list's or the change feed's) in the access log, when it showed personal fields."""
    if _watched(principal, resource):
        access.page(principal, resource.name, ids, filters, unit_id)


def where(
    principal: Principal,
    resource: Resource,
    within: str | None,
    filters: list[ColumnElement[bool]],
    permission: Permission | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE of a list: live rows in the caller's scope (where it holds `permission`, reading by
    default; under the unit at path `within`), and the filters."""
    permission = permission or resource.permissions.read
    scope = scope_of(principal, permission, within, from_below=resource.from_below)
    return [*resource.live(), scope.where(resource.model.unit_id), *filters]


def statements(
    resource: Resource,
    clauses: list[ColumnElement[bool]],
    order: list,
    limit: int,
    offset: int,
    page: Select | None = None,
    keys_first: bool = False,
    units: Select | None = None,
) -> tuple[Select, Select]:
    """The count and the page of a list (`page`: the select of the columns, when built already).

    `keys_first` picks the page's ids from an index that holds the order and the filters (an
    index-only scan), then reads those rows alone: a commune's page then reads 50 rows, not the
    thousands it ranks. With `units` (the ids of the units in scope; PostgreSQL, whose LATERAL this
    is) and an index that leads with the unit, each unit gives only its first `offset + limit` ids
    in order, and the page is the first of those merged: a commune's first page ranks 1,500 index
    entries of its 30 villages, not 10,000."""
    model = resource.model
    count = select(func.count()).select_from(model).where(*clauses)
    columns = page if page is not None else select(*resource.read_columns())
    if keys_first and units is not None:
        keys = first_per_unit(model, units, clauses, order, limit, offset)
        return count, by_keys(columns, model, keys, order)
    if keys_first:
        keys = select(model.id).where(*clauses).order_by(*order).limit(limit).offset(offset)
        return count, by_keys(columns, model, keys, order)
    return count, columns.where(*clauses).order_by(*order).limit(limit).offset(offset)


def by_keys(columns: Select, model: Any, keys: Select, order: list) -> Select:
    """The rows of the ids `keys` picked (from an index alone), read by id, in `order`."""
    return columns.where(model.id.in_(keys.correlate(None))).order_by(*order)


def first_per_unit(model: Any, units: Select, clauses: list, order: list, limit: int, offset: int) -> Select:
    """The ids of the rows `offset` to `offset + limit` in `order` among those of `units` (PostgreSQL:
    a LATERAL), each unit giving only its first `offset + limit` from an index that leads with the
    unit and holds the order, merged: it reads that many index entries a unit, not every row in
    scope."""
    unit = units.subquery()
    first = (
        select(*{column.key: column for column in (model.id, *order)}.values())
        .where(model.unit_id == unit.c.id, *clauses)
        .order_by(*order)
        .limit(limit + offset)
        .lateral()
    )
    merged = [first.c[column.key] for column in order]
    return (
        select(first.c.id).select_from(unit).join(first, true()).order_by(*merged).limit(limit).offset(offset)
    )


async def _listed(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    unit_id: uuid.UUID | None,
    filters: list[ColumnElement[bool]],
    order: list,
    limit: int,
    offset: int,
    permission: Permission | None = None,
    counted: bool = False,
) -> tuple[list[BaseModel], int | None]:
    """A list's page of records as the caller receives them (where it holds `permission`, reading by
    default), and with `counted` the list's total (read with the page: `with_total`)."""
    permission = permission or resource.permissions.read
    within = await list_scope(session, principal, permission, unit_id)
    clauses = where(principal, resource, within and within.path, filters, permission)
    count, rows = statements(resource, clauses, order, limit, offset)
    found = list(await session.execute(with_total(rows, count) if counted else rows))
    total = await total_of(found, offset, lambda: session.scalar(count)) if counted else None
    return shown(principal, resource, await resource.present(session, found)), total


def with_total(rows: Select, count: Select) -> Select:
    """The page and its list's total in one statement: the total is each row's last column, computed
    once (an uncorrelated scalar subquery), a round trip fewer than asking for it apart."""
    return rows.add_columns(count.scalar_subquery().label("list_total"))


async def total_of(found: Sequence, offset: int, count) -> int:
    """The total `with_total` gave the page's rows. An empty page has none: past the first page,
    `count()` asks for it; at the first, the list is empty."""
    if found:
        return found[0][-1] or 0
    return (await count() or 0) if offset else 0


async def page(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    *,
    unit_id: uuid.UUID | None,
    filters: list[ColumnElement[bool]],
    order: list,
    limit: int,
    offset: int,
    query: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`{items, total, limit, offset}`: 403 when the caller may read none anywhere, 404 when
    `unit_id` (the subtree to list) is out of its sight. `query`: the request's filters as it named
    them, for the access log."""
    items, total = await _listed(
        session, principal, resource, unit_id, filters, order, limit, offset, counted=True
    )
    logged = (query or {}) | {"unit_id": unit_id, "limit": limit, "offset": offset}
    noted(principal, resource, [item.id for item in items], logged, unit_id)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


async def export(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    *,
    unit_id: uuid.UUID | None,
    filters: list[ColumnElement[bool]],
    order: list,
    most: int,
    file: str,
) -> list[BaseModel]:
    """Every record of a list for a file, where the caller holds the resource's export permission
    (403 where it holds none; a household list: not a team member's): each one is in the access log
    with the file's name. More than `most` is refused whole (422), before anything is noted: no file
    is made."""
    permission = resource.permissions.export
    require_somewhere(principal, permission)  # a role that exports nowhere: 403 (a team member)
    if unit_id is not None:  # a unit in sight where the caller may not export: 403, not an empty file
        require(principal, permission, await get_unit_in_scope(session, principal, unit_id))
    items, _ = await _listed(session, principal, resource, unit_id, filters, order, most + 1, 0, permission)
    if len(items) > most:
        raise Invalid(
            f"More than {most} records: export a smaller area",
            loc=["query", "unit_id"],
            code="export.too_large",
        )
    if _watched(principal, resource):
        await access.exported(
            principal, resource.name, [(i.id, getattr(i, "unit_id", None)) for i in items], file
        )
    return items


async def changes(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    *,
    unit_id: uuid.UUID | None,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    """The change feed: records changed after `since` or `cursor`, deletions as tombstones."""
    within = await list_scope(session, principal, resource.permissions.read, unit_id)
    scope = scope_of(
        principal, resource.permissions.read, within and within.path, from_below=resource.from_below
    )
    model = resource.model
    columns = select(*resource.read_columns(), model.deleted_at)
    if session.bind.dialect.name == "postgresql" and _in_time_by_unit(model) and _by_unit(scope):
        # Each unit's first changes, merged (the ids come from the units in scope alone): a village's
        # sync reads its own index entries, where PostgreSQL walked the whole table's in time order
        # (a village of 427 activities among 1.4 million: 450 ms, seconds under the field load).
        order = feed.in_order(model)
        after = feed.changed_after(model, since, cursor)
        keys = first_per_unit(model, scope.units(), after, order, limit + 1, 0)
        statement = by_keys(columns, model, keys, order)
    else:
        statement = feed.feed_query(columns.where(scope.where(model.unit_id)), model, since, cursor, limit)
    rows = list(await session.execute(statement))
    live = await resource.present(session, [row for row in rows[:limit] if row.deleted_at is None])
    live = shown(principal, resource, live)
    filters = {
        "unit_id": unit_id,
        "updated_since": since and since.isoformat(),
        "cursor": cursor,
        "limit": limit,
    }
    noted(principal, resource, [item.id for item in live], filters, unit_id)
    by_id = {item.id: item for item in live}
    return feed.page_of_changes(rows, limit, cursor, lambda row: by_id[row.id])


@functools.cache
def _in_time_by_unit(model: Any) -> bool:
    """An index of the model's table leads with the unit and the time of the change."""
    return any(
        [c.name for c in index.columns][:2] == ["unit_id", "updated_at"] for index in model.__table__.indexes
    )


def _by_unit(scope: Scope) -> bool:
    """A commune or a village, without units read from below: their rows are a sliver of the table's.
    A province's or everywhere's are read in time order (a province's first changes from each of its
    ~3,000 villages would be some 300,000 index entries)."""
    return scope.narrow and not scope.above
