"""Administrative units: province > commune > village."""

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, require, unit_in_body
from app.core.errors import Conflict, Invalid
from app.core.ids import uuid7
from app.core.replay import ensure_same
from app.core.text import fold
from app.core.versioning import check_version
from app.models import Unit
from app.models.unit import PARENT_LEVEL, UnitLevel
from app.units import repository
from app.units.schemas import UnitCreate, UnitList, UnitRead, UnitUpdate


async def list_units(session: AsyncSession, principal: Principal, **filters) -> UnitList:
    rows, total = await repository.list_units(session, principal, **filters)
    return UnitList(
        items=[UnitRead.model_validate(u) for u in rows],
        total=total,
        limit=filters["limit"],
        offset=filters["offset"],
    )


async def get_unit(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> Unit:
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
    if await repository.code_taken(session, data.code):
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
    )
    session.add(unit)
    await session.flush()
    record(
        session,
        principal,
        "create",
        "unit",
        unit.id,
        unit_id=unit.id,
        after=snapshot(UnitRead.model_validate(unit)),
    )
    return unit, True


async def _parent_for(session: AsyncSession, principal: Principal, data: UnitCreate) -> Unit | None:
    expected = PARENT_LEVEL[data.level]
    if expected is None:
        if data.parent_id is not None:
            raise Invalid("A province has no parent unit", loc=["body", "parent_id"])
        return None
    if data.parent_id is None:
        raise Invalid(f"A {data.level.value} needs a parent {expected.value}", loc=["body", "parent_id"])
    parent = await unit_in_body(session, principal, data.parent_id, "parent_id", "The parent unit")
    if parent.level != expected:
        raise Invalid(
            f"The parent of a {data.level.value} must be a {expected.value}", loc=["body", "parent_id"]
        )
    return parent


async def update_unit(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, data: UnitUpdate, if_match: int | None
) -> Unit:
    unit = await get_unit_in_scope(session, principal, unit_id)
    require(principal, Permission.units_manage, unit)
    check_version(unit, if_match)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "code" in changes and await repository.code_taken(session, changes["code"], other_than=unit.id):
        raise Conflict(f"Unit code {changes['code']!r} is already in use")
    before = snapshot(UnitRead.model_validate(unit))
    for field, value in changes.items():
        setattr(unit, field, value)
    if "name" in changes:
        unit.name_folded = fold(unit.name)
    if changes:
        unit.touch()
        await session.flush()
        record(
            session,
            principal,
            "update",
            "unit",
            unit.id,
            unit_id=unit.id,
            before=before,
            after=snapshot(UnitRead.model_validate(unit)),
        )
    return unit


async def delete_unit(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, if_match: int | None
) -> None:
    unit = await get_unit_in_scope(session, principal, unit_id)
    # Deleting a unit is managing its parent's subtree: an officer cannot delete their own unit.
    parent = await session.get(Unit, unit.parent_id) if unit.parent_id else None
    require(principal, Permission.units_manage, parent)
    check_version(unit, if_match)
    if await repository.is_referenced(session, unit.id):
        raise Conflict("The unit still has child units, users or records: move or delete them first")
    before = snapshot(UnitRead.model_validate(unit))
    await session.delete(unit)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The unit is still referenced by other records") from None
    record(session, principal, "delete", "unit", unit_id, unit_id=unit_id, before=before)


__all__ = ["UnitLevel", "create_unit", "delete_unit", "get_unit", "list_units", "update_unit"]
