"""Targets per unit, year and indicator. A unit without its own inherits its nearest ancestor's."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, require, unit_in_body
from app.core.errors import Conflict, Invalid
from app.core.ids import uuid7
from app.core.resource import apply_changes, fetch, replay
from app.core.versioning import check_version
from app.kpi.indicators import BY_CODE, PLAN_TARGETS
from app.kpi.schemas import EffectiveTarget, EffectiveTargets, TargetCreate, TargetRead, TargetUpdate
from app.models import Unit
from app.models.kpi import Target


def lineage(path: str) -> list[uuid.UUID]:
    """The ids of a unit's ancestors and itself, root first, read off its materialized path."""
    return [uuid.UUID(hex=segment) for segment in path.split("/") if segment]


async def effective(
    session: AsyncSession, units: list[Unit], year: int
) -> dict[uuid.UUID, dict[str, Target]]:
    """{unit id: {indicator: the target that applies}} for several units in one query."""
    ids = {a for unit in units for a in lineage(unit.path)}
    rows = await session.scalars(select(Target).where(Target.year == year, Target.unit_id.in_(ids)))
    by_unit: dict[uuid.UUID, dict[str, Target]] = {}
    for target in rows:
        by_unit.setdefault(target.unit_id, {})[target.indicator] = target
    result = {}
    for unit in units:
        chosen: dict[str, Target] = {}
        for ancestor in lineage(unit.path):  # root first: deeper units override
            chosen |= by_unit.get(ancestor, {})
        result[unit.id] = chosen
    return result


async def effective_targets(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, year: int
) -> EffectiveTargets:
    unit = await get_unit_in_scope(session, principal, unit_id)
    require(principal, Permission.targets_read, unit)
    targets = (await effective(session, [unit], year))[unit.id]
    items = [
        EffectiveTarget(
            indicator=t.indicator,
            value=t.value,
            year=year,
            unit_id=t.unit_id,
            target_id=t.id,
            inherited=t.unit_id != unit.id,
        )
        for t in sorted(targets.values(), key=lambda t: list(BY_CODE).index(t.indicator))
    ]
    return EffectiveTargets(unit_id=unit.id, year=year, items=items)


def _check_value(data_indicator: str, value: float) -> None:
    if BY_CODE[data_indicator].denominator and value > 100:
        raise Invalid("a percentage target is between 0 and 100", loc=["body", "value"])


async def create_target(
    session: AsyncSession, principal: Principal, data: TargetCreate
) -> tuple[Target, bool]:
    if (existing := await replay(session, principal, Target, data, TargetRead)) is not None:
        return existing, False
    unit = await unit_in_body(session, principal, data.unit_id)
    require(principal, Permission.targets_manage, unit)
    _check_value(data.indicator, data.value)
    taken = await session.scalar(
        select(Target.id).where(
            Target.unit_id == unit.id, Target.year == data.year, Target.indicator == data.indicator
        )
    )
    if taken:
        raise Conflict(f"{unit.name} already has a {data.indicator} target for {data.year}: change that one")
    target = Target(id=data.id or uuid7(), **data.model_dump(exclude={"id"}))
    session.add(target)
    await session.flush()
    record(
        session,
        principal,
        "create",
        "target",
        target.id,
        unit_id=unit.id,
        after=snapshot(TargetRead.model_validate(target)),
    )
    return target, True


async def get_target(session: AsyncSession, principal: Principal, target_id: uuid.UUID) -> Target:
    target, _ = await fetch(session, principal, Target, target_id, Permission.targets_read, label="Target")
    return target


async def update_target(
    session: AsyncSession,
    principal: Principal,
    target_id: uuid.UUID,
    data: TargetUpdate,
    if_match: int | None,
) -> Target:
    target, _ = await fetch(
        session, principal, Target, target_id, Permission.targets_manage, label="Target", lock=True
    )
    check_version(target, if_match)
    _check_value(target.indicator, data.value)
    before = snapshot(TargetRead.model_validate(target))
    if apply_changes(target, {"value": data.value}):
        await session.flush()
        record(
            session,
            principal,
            "update",
            "target",
            target.id,
            unit_id=target.unit_id,
            before=before,
            after=snapshot(TargetRead.model_validate(target)),
        )
    return target


async def delete_target(
    session: AsyncSession, principal: Principal, target_id: uuid.UUID, if_match: int | None
) -> None:
    target, _ = await fetch(
        session, principal, Target, target_id, Permission.targets_manage, label="Target", lock=True
    )
    check_version(target, if_match)
    before = snapshot(TargetRead.model_validate(target))
    await session.delete(target)
    await session.flush()
    record(session, principal, "delete", "target", target_id, unit_id=target.unit_id, before=before)


async def load_plan_targets(session: AsyncSession, unit: Unit, year: int) -> int:
    """Set the plans' targets (DOMAIN.md) on a unit for a year where it has none; returns how many."""
    existing = set(
        await session.scalars(select(Target.indicator).where(Target.unit_id == unit.id, Target.year == year))
    )
    added = [
        Target(unit_id=unit.id, year=year, indicator=code, value=value)
        for code, value in PLAN_TARGETS.items()
        if code not in existing
    ]
    session.add_all(added)
    await session.flush()
    return len(added)
