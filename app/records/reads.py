"""Reading synced records: one by id, a page, or the change feed, always through the caller's scope."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.principal import Principal
from app.authz.scope import list_scope, scope_of
from app.core.feed import feed_query, page_of_changes
from app.records.access import fetch
from app.records.resource import Resource


async def get(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    record_id: uuid.UUID,
    parent: dict[str, Any] | None = None,
) -> BaseModel:
    obj, _ = await fetch(session, principal, resource, record_id, resource.permissions.read, parent=parent)
    (read,) = await resource.present(session, [obj])
    return read


def where(
    principal: Principal, resource: Resource, within: str | None, filters: list[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    """The WHERE of a list: live rows in the caller's scope (under the unit at path `within`), and the
    filters."""
    scope = scope_of(principal, resource.permissions.read, within, from_below=resource.from_below)
    return [*resource.live(), scope.where(resource.model.unit_id), *filters]


def statements(
    resource: Resource,
    clauses: list[ColumnElement[bool]],
    order: list,
    limit: int,
    offset: int,
    page: Select | None = None,
    keys_first: bool = False,
) -> tuple[Select, Select]:
    """The count and the page of a list (`page`: the select of the columns, when built already).

    `keys_first` picks the page's ids from an index that holds the order and the filters (an
    index-only scan), then reads those rows alone: a commune's page then reads 50 rows, not the
    thousands it ranks."""
    model = resource.model
    count = select(func.count()).select_from(model).where(*clauses)
    columns = page if page is not None else select(*resource.read_columns())
    if keys_first:
        keys = select(model.id).where(*clauses).order_by(*order).limit(limit).offset(offset)
        return count, columns.where(model.id.in_(keys.correlate(None))).order_by(*order)
    return count, columns.where(*clauses).order_by(*order).limit(limit).offset(offset)


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
) -> dict[str, Any]:
    """`{items, total, limit, offset}`: 403 when the caller may read none anywhere, 404 when
    `unit_id` (the subtree to list) is out of its sight."""
    within = await list_scope(session, principal, resource.permissions.read, unit_id)
    clauses = where(principal, resource, within and within.path, filters)
    count, rows = statements(resource, clauses, order, limit, offset)
    total = await session.scalar(count)
    items = await resource.present(session, list(await session.execute(rows)))
    return {"items": items, "total": total or 0, "limit": limit, "offset": offset}


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
    query = select(*resource.read_columns(), model.deleted_at).where(scope.where(model.unit_id))
    rows = list(await session.execute(feed_query(query, model, since, cursor, limit)))
    live = await resource.present(session, [row for row in rows[:limit] if row.deleted_at is None])
    by_id = {item.id: item for item in live}
    return page_of_changes(rows, limit, cursor, lambda row: by_id[row.id])
