"""Create, update and delete a synced record, every one in the same order:

    scope → permission → replay → open unit → rules → write → aggregates → audit

Scope and permission come first, so a caller learns nothing of a record it may not read: a repeated
create (a client id already taken) answers exactly what `GET` would answer that caller (404 out of
its area, 403 without the right) before any field is compared. `insert`, `change` and `remove` are
the write → aggregates → audit tail, for a domain that writes a record as a consequence of another
(a team's members moving with it). A closed unit takes a record only when it is dated by the unit's
close (`app.records.closed`): 409 `unit.closed`, naming the unit that took it over.
"""

import functools
import uuid
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from app.audit.writer import entry as audit_entry
from app.authz.principal import Principal
from app.authz.scope import require
from app.core import batch, metrics
from app.core.driver import first
from app.core.errors import Conflict, Invalid
from app.core.ids import uuid7
from app.core.replay import ensure_same
from app.core.versioning import check_version
from app.models import Unit
from app.records.access import fetch
from app.records.closed import day_of, ensure_open
from app.records.resource import Resource, Write


async def create(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    data: BaseModel,
    parent: dict[str, Any] | None = None,
) -> tuple[BaseModel, bool]:
    """The new record (True), or the stored one when this is a repeat of its create (False)."""
    record_id = getattr(data, "id", None)
    values = data.model_dump(exclude={"id"}) | (parent or {})
    # The unit the body names is read with the replay check and held here: the session's identity map
    # keeps it only while referenced, and locating the record (`Resource.locate`) reads it from there.
    taken, _named_unit = await _taken(session, resource, record_id, values.get("unit_id"))
    if taken:
        return await _replay(session, principal, resource, data, parent), False
    w = Write(session, principal, resource, changes=values, values=values)
    w.unit = await resource.locate(w)  # scope: a unit out of sight does not exist
    require(principal, resource.permissions.create, w.unit)  # permission
    await _open(w)
    values |= await resource.rules(w)
    return await insert(w, record_id or uuid7()), True


async def _taken(
    session: AsyncSession, resource: Resource, record_id: uuid.UUID | None, unit_id: Any
) -> tuple[bool, Unit | None]:
    """Whether a row holds the id (a tombstone too), and the unit `unit_id` (None if absent), read in
    the same round trip."""
    if record_id is None:
        return False, None
    if isinstance(unit_id, uuid.UUID):
        row = await first(session, _taken_with_unit(resource.model), id=record_id, unit_id=unit_id)
        if row is not None:
            *unit, taken = row
            return taken, _held(session, unit)
    return bool(await session.scalar(select(_exists(resource.model)), {"id": record_id})), None


def _held(session: AsyncSession, values: list[Any]) -> Unit:
    """The unit of a row read on the driver, in the session as the ORM's loader puts one there: an
    instance made without `__init__` (SQLModel's costs 40 µs), its state filled, then entered in the
    identity map as persistent (`make_transient_to_detached` and `add` cost 40 µs more). A copy
    already in the session is kept."""
    sync = session.sync_session
    key = (Unit, (values[_UNIT_ID],), None)
    if (unit := sync.identity_map.get(key)) is None:
        unit = Unit.__mapper__.class_manager.new_instance()
        state = instance_state(unit)
        state.dict.update(zip(_UNIT_COLUMNS, values, strict=True))
        state.key, state.session_id = key, sync.hash_key
        sync.identity_map._add_unpresent(state, key)  # noqa: SLF001 - as the loader does
    return unit


_UNIT_COLUMNS = tuple(Unit.__table__.c.keys())
_UNIT_ID = _UNIT_COLUMNS.index("id")


@functools.cache
def _exists(model: type):
    return exists().where(model.id == bindparam("id", type_=model.__table__.c.id.type))


@functools.cache
def _taken_with_unit(model: type):
    return select(*Unit.__table__.c, _exists(model)).where(
        Unit.id == bindparam("unit_id", type_=Unit.__table__.c.id.type)
    )


async def _replay(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    data: BaseModel,
    parent: dict[str, Any] | None,
) -> BaseModel:
    obj, unit = await fetch(session, principal, resource, data.id, resource.permissions.read)
    require(principal, resource.permissions.create, unit)
    if any(getattr(obj, name) != value for name, value in (parent or {}).items()):
        raise Conflict("This id is already in use by a record elsewhere")
    (stored,) = await resource.present(session, [obj])
    ensure_same(stored, data, ignore=resource.replay_ignore(data))
    metrics.RECORD_REPLAYS.inc()
    return stored


async def update(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    record_id: uuid.UUID,
    data: BaseModel,
    if_match: int | None,
    parent: dict[str, Any] | None = None,
) -> BaseModel:
    changes = data.model_dump(exclude_unset=True)
    permission = resource.update_permission(changes)
    obj, unit = await fetch(
        session, principal, resource, record_id, permission, lock=resource.lock_on_fetch, parent=parent
    )
    for name in resource.required:
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be null", loc=["body", name], code="required")
    check_version(obj, if_match)
    w = Write(session, principal, resource, changes=changes, unit=unit, obj=obj, if_match=if_match)
    moved_to = await resource.locate(w)
    if moved_to.id != unit.id:
        require(principal, permission, moved_to)
    w.unit = moved_to
    (w.before,) = await resource.present(session, [obj])
    w.values = w.before.model_dump() | changes
    await _open(w)
    changes |= await resource.rules(w)
    return await change(w, changes)


async def _open(w: Write) -> None:
    """The record's unit takes it: open, or closed after the day the record is dated by."""
    dated_by = w.resource.dated_by
    await ensure_open(w.session, w.unit, day_of(w.values.get(dated_by)) if dated_by else None)


async def delete(
    session: AsyncSession,
    principal: Principal,
    resource: Resource,
    record_id: uuid.UUID,
    if_match: int | None,
    parent: dict[str, Any] | None = None,
) -> None:
    obj, unit = await fetch(
        session, principal, resource, record_id, resource.permissions.delete, lock=True, parent=parent
    )
    check_version(obj, if_match)
    (before,) = await resource.present(session, [obj])
    await remove(Write(session, principal, resource, changes={}, unit=unit, obj=obj, before=before))


# --- the tail: write → aggregates → audit ------------------------------------------------------


async def insert(w: Write, record_id: uuid.UUID) -> BaseModel:
    """One INSERT (Core: through the unit of work the row cost twice its statement), sent with the
    aggregates and the audit row when the resource allows it (`Resource.deferred`)."""
    resource = w.resource
    values = resource.new_row(record_id, w.values)
    row = batch.Write(batch.inserting(resource.model.__table__, tuple(values)), values)
    if not resource.deferred:
        await batch.send(w.session, [row])
        await resource.save_children(w, record_id)
    (after,) = await resource.present(w.session, [SimpleNamespace(**values)])
    await _written(w, "create", record_id, w.unit.id, None, after, [row] if resource.deferred else [])
    return after


async def change(w: Write, changes: dict[str, Any]) -> BaseModel:
    """Apply `changes` to `w.obj` (whose `w.before` is known); nothing happens when nothing changes."""
    resource, obj = w.resource, w.obj
    w.changes = changes
    stored = {k: v for k, v in resource.stored(changes).items() if getattr(obj, k) != v}
    for name, value in stored.items():
        setattr(obj, name, value)
    if not (await resource.save_children(w, obj.id) or stored):
        return w.before
    obj.touch()
    pending = [_updated(obj, (*stored, "version", "updated_at"))] if resource.deferred else []
    if not pending:
        await w.session.flush()
    (after,) = await resource.present(w.session, [obj])
    await _written(w, "update", obj.id, obj.unit_id, w.before, after, pending)
    return after


def _updated(obj: Any, names: tuple[str, ...]) -> batch.Write:
    """The UPDATE of `obj`'s columns `names`, to send with the write's tail: the object takes its
    values as stored, so the unit of work does not write them again."""
    values = {name: getattr(obj, name) for name in names}
    for name, value in values.items():
        set_committed_value(obj, name, value)
    return batch.Write(batch.updating(type(obj).__table__, tuple(values)), values | {"row_id": obj.id})


async def remove(w: Write) -> None:
    """Delete `w.obj` (whose `w.before` is known): a tombstone, or gone with what it owns."""
    resource, obj = w.resource, w.obj
    await resource.removing(w)
    if resource.tombstones:
        obj.touch()
        obj.deleted_at = obj.updated_at
    else:
        await w.session.delete(obj)
    await w.session.flush()
    await _written(w, "delete", obj.id, obj.unit_id, w.before, None)


async def _written(
    w: Write,
    action: str,
    record_id: uuid.UUID,
    unit_id: uuid.UUID,
    before: Any,
    after: Any,
    pending: list | None = None,
) -> None:
    """What follows every write, in this order: the aggregates, then the audit row (both in the
    write's transaction, so they land if and only if it does). The writes that need nothing back
    (`pending`: the record's own row, when deferred) go to the database together, in one round trip
    on PostgreSQL (`app.core.batch`)."""
    resource = w.resource
    writes = await resource.written(w, before, after) or []
    snapshots = {k: resource.snapshot(v) for k, v in (("before", before), ("after", after)) if v is not None}
    row = audit_entry(w.principal, action, resource.name, record_id, unit_id=unit_id, **snapshots)
    await batch.send(w.session, [*(pending or []), *writes, row])
