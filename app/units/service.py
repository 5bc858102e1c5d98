"""Administrative units: province > commune > village, through time.

Writing a unit is managing its parent's subtree (an officer manages the units below their own):
creating, renaming, deleting, moving and merging need `units:manage` at the parent (admins only for
provinces), and a move or a merger also at the receiving side."""

import uuid
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, require, require_somewhere, unit_in_body
from app.core.errors import Conflict, Invalid
from app.core.feed import encode_cursor
from app.core.ids import uuid7
from app.core.replay import ensure_same
from app.core.text import fold
from app.core.versioning import check_version
from app.models import Unit
from app.models.unit import PARENT_LEVEL, UnitLevel
from app.records.closed import ensure_open
from app.units import history, repository, resolver, settlement
from app.units.schemas import (
    ResolutionList,
    UnitChangeRead,
    UnitCreate,
    UnitFeed,
    UnitHistory,
    UnitList,
    UnitMerge,
    UnitMove,
    UnitRead,
    UnitUpdate,
)


async def list_units(
    session: AsyncSession, principal: Principal, *, as_of: date | None = None, **filters
) -> UnitList:
    """The caller's units valid on `as_of` (today by default), with their names, codes and parents
    of that day."""
    today = history.today()
    rows, total = await repository.list_units(session, principal, day=as_of or today, today=today, **filters)
    items = [UnitRead.model_validate(unit).model_copy(update=then) for unit, then in rows]
    return UnitList(items=items, total=total, limit=filters["limit"], offset=filters["offset"])


async def unit_changes(
    session: AsyncSession, principal: Principal, *, since: datetime | None, cursor: str | None, limit: int
) -> UnitFeed:
    rows = list(await session.scalars(repository.changes_query(principal, since, cursor, limit)))
    has_more, rows = len(rows) > limit, rows[:limit]
    return UnitFeed(
        items=[UnitRead.model_validate(u) for u in rows],
        next_cursor=encode_cursor(rows[-1].updated_at, rows[-1].id) if rows else cursor,
        has_more=has_more,
        limit=limit,
    )


async def get_unit(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> Unit:
    """Closed units stay readable by id."""
    return await get_unit_in_scope(session, principal, unit_id)


async def create_unit(session: AsyncSession, principal: Principal, data: UnitCreate) -> tuple[Unit, bool]:
    """The unit and whether it was created (False when a client repeats a create with its own id)."""
    if data.id is not None and (existing := await session.get(Unit, data.id)) is not None:
        if not principal.sees(existing.path):
            raise Conflict("This id is already in use")
        ensure_same(UnitRead.model_validate(existing), data)
        return existing, False

    parent = await _parent_for(session, principal, data)
    require(principal, Permission.units_manage, parent)
    settlement.check(data.level, data.settlement)
    if await repository.code_taken(session, data.level.value, data.code):
        raise Conflict(
            f"Unit code {data.code!r} is already in use",
            errors=[{"loc": ["body", "code"], "msg": "already in use"}],
        )
    unit_id = data.id or uuid7()
    unit = Unit(
        id=unit_id,
        code=data.code,
        name=data.name,
        name_folded=fold(data.name),
        level=data.level.value,
        parent_id=parent.id if parent else None,
        path=f"{parent.path if parent else ''}{unit_id.hex}/",
        valid_from=data.valid_from,
        settlement=data.settlement,
    )
    session.add(unit)
    await session.flush()
    await _audit(session, principal, "create", unit, after=snapshot(UnitRead.model_validate(unit)))
    return unit, True


async def _parent_for(session: AsyncSession, principal: Principal, data: UnitCreate) -> Unit | None:
    expected = PARENT_LEVEL[data.level]
    if expected is None:
        if data.parent_id is not None:
            raise Invalid("A province has no parent unit", loc=["body", "parent_id"])
        return None
    if data.parent_id is None:
        raise Invalid(f"A {data.level.value} needs a parent {expected.value}", loc=["body", "parent_id"])
    parent = await _open_unit_in_body(session, principal, data.parent_id, "parent_id", "The parent unit")
    if parent.level != expected:
        raise Invalid(
            f"The parent of a {data.level.value} must be a {expected.value}", loc=["body", "parent_id"]
        )
    return parent


async def _open_unit_in_body(session, principal, unit_id, field: str, label: str) -> Unit:
    """A unit the body names, open today (else 409 `unit.closed`, naming its successor)."""
    unit = await unit_in_body(session, principal, unit_id, field, label)
    await ensure_open(session, unit, loc=["body", field])
    return unit


async def _manage(session: AsyncSession, principal: Principal, unit: Unit) -> None:
    """Managing a unit is managing its parent's subtree: an officer cannot rework their own unit."""
    parent = await session.get(Unit, unit.parent_id) if unit.parent_id else None
    require(principal, Permission.units_manage, parent)


async def _managed(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, if_match: int | None
) -> Unit:
    """The unit a change names: in scope (404), the caller may manage it (403), at the version the
    caller read (412)."""
    unit = await get_unit_in_scope(session, principal, unit_id)
    await _manage(session, principal, unit)
    check_version(unit, if_match)
    return unit


async def _audit(session, principal, action: str, unit: Unit, **values) -> None:
    await record(session, principal, action, "unit", unit.id, unit_id=unit.id, **values)


async def update_unit(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, data: UnitUpdate, if_match: int | None
) -> Unit:
    """A rename: the previous name and code stay in the unit's history from `effective_on` on."""
    unit = await _managed(session, principal, unit_id, if_match)
    await settlement.settle(session, principal, unit, data)  # a village's urban or rural: no history
    changes = {
        field: value
        for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items()
        if field in ("code", "name") and value != getattr(unit, field)
    }
    if not changes:
        return unit
    effective_on = data.effective_on or history.today()
    await history.check_effective(session, unit, effective_on, "effective_on")
    if "code" in changes and await repository.code_taken(
        session, unit.level, changes["code"], other_than=unit.id
    ):
        raise Conflict(f"Unit code {changes['code']!r} is already in use")
    before = snapshot(UnitRead.model_validate(unit))
    previous = {field: getattr(unit, field) for field in changes}
    for field, value in changes.items():
        setattr(unit, field, value)
    unit.name_folded = fold(unit.name)
    unit.touch()
    await history.rename(session, unit, previous, effective_on, principal.name)
    await session.flush()
    await _audit(
        session, principal, "update", unit, before=before, after=snapshot(UnitRead.model_validate(unit))
    )
    return unit


async def move_unit(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, data: UnitMove, if_match: int | None
) -> Unit:
    """A village to another commune, a commune to another province; its whole subtree follows."""
    unit = await _managed(session, principal, unit_id, if_match)
    parent = await _open_unit_in_body(session, principal, data.parent_id, "parent_id", "The new parent")
    require(principal, Permission.units_manage, parent)
    expected = PARENT_LEVEL[UnitLevel(unit.level)]
    if expected is None or parent.level != expected:
        raise Invalid(f"A {unit.level} cannot move under a {parent.level}", loc=["body", "parent_id"])
    if parent.id == unit.parent_id:
        raise Invalid(f"{unit.name} is already under {parent.name}", loc=["body", "parent_id"])
    _opened_by(parent, data.effective_on, "parent_id")
    await history.check_effective(session, unit, data.effective_on, "effective_on")
    before = snapshot(UnitRead.model_validate(unit))
    await history.move(session, unit, parent, data.effective_on, principal.name)
    await session.flush()
    await _audit(
        session, principal, "move", unit, before=before, after=snapshot(UnitRead.model_validate(unit))
    )
    return unit


async def merge_unit(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, data: UnitMerge, if_match: int | None
) -> Unit:
    """Merge the unit into `into_id` from `effective_on`; returns the closed unit."""
    unit = await _managed(session, principal, unit_id, if_match)
    into = await _open_unit_in_body(session, principal, data.into_id, "into_id", "The surviving unit")
    await _manage(session, principal, into)
    if into.id == unit.id or into.level != unit.level:
        raise Invalid("A unit merges into another unit of the same level", loc=["body", "into_id"])
    _opened_by(into, data.effective_on, "into_id")
    await history.check_effective(session, unit, data.effective_on, "effective_on", closes=True)
    if clashes := await history.clashing_household_codes(session, unit, into):
        raise Conflict(
            f"Household codes used in both units: {', '.join(clashes)}. Change them before the merger",
            errors=[{"loc": ["body", "into_id"], "msg": "household codes clash"}],
        )
    before = snapshot(UnitRead.model_validate(unit))
    await history.merge(session, unit, into, data.effective_on, principal.name)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The merger clashes with records of the surviving unit") from None
    after = snapshot(UnitRead.model_validate(unit))
    await _audit(session, principal, "merge", unit, before=before, after=after)
    await _audit(session, principal, "absorb", into, after={"merged_unit_id": str(unit.id), **after})
    return unit


def _opened_by(unit: Unit, day: date, field: str) -> None:
    if unit.valid_from is not None and unit.valid_from > day:
        raise Invalid(f"{unit.name} exists only from {unit.valid_from:%d/%m/%Y}", loc=["body", field])


async def unit_history(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, *, limit: int, offset: int
) -> UnitHistory:
    unit = await get_unit_in_scope(session, principal, unit_id)
    changes, total = await history.changes_of(session, unit.id, limit, offset)
    items = [UnitChangeRead.model_validate(c) for c in changes]
    return UnitHistory(items=items, total=total, limit=limit, offset=offset)


async def resolve(
    session: AsyncSession, principal: Principal, text: str, *, limit: int, offset: int
) -> ResolutionList:
    """Official units are public: an old name resolves wherever the caller works."""
    require_somewhere(principal, Permission.units_read)
    found = await resolver.resolve(session, text)
    return ResolutionList(items=found[offset : offset + limit], total=len(found), limit=limit, offset=offset)


async def delete_unit(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, if_match: int | None
) -> None:
    unit = await _managed(session, principal, unit_id, if_match)
    if await repository.holds_data(session, unit.id):
        raise Conflict("The unit still holds child units, users, records or history: merge it instead")
    before = snapshot(UnitRead.model_validate(unit))
    await session.delete(unit)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The unit is still referenced by other records") from None
    await record(session, principal, "delete", "unit", unit_id, unit_id=unit_id, before=before)


async def find(session: AsyncSession, text: str) -> Unit | None:
    """A unit by id or code, else the current commune a pre-2025 one became (for the CLI)."""
    return await repository.find(session, text) or await resolver.current_commune(session, text)


__all__ = [
    "UnitLevel",
    "create_unit",
    "delete_unit",
    "find",
    "get_unit",
    "list_units",
    "merge_unit",
    "move_unit",
    "resolve",
    "unit_history",
    "unit_changes",
    "update_unit",
]
