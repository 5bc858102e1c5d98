"""Targets per unit, year and indicator. A unit without its own inherits its nearest ancestor's."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, lineage
from app.core.errors import Conflict, Invalid
from app.kpi.indicators import BY_CODE, PLAN_TARGETS
from app.kpi.schemas import EffectiveTarget, EffectiveTargets, TargetRead
from app.models import Unit
from app.models.kpi import Target
from app.records import Permissions, Resource, Write


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
    unit = await get_unit_in_scope(session, principal, unit_id, needs=P.targets_read)
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


class Targets(Resource):
    name, label, model, read = "target", "Target", Target, TargetRead
    dated_by = "year"  # a closed unit takes it only when dated by its close
    permissions = Permissions(P.targets_read, P.targets_manage)
    tombstones = False

    async def rules(self, w: Write) -> dict[str, Any]:
        indicator, value, year = w.values["indicator"], w.values["value"], w.values["year"]
        if BY_CODE[indicator].denominator and value > 100:
            raise Invalid(
                "a percentage target is between 0 and 100", loc=["body", "value"], code="target.percent_range"
            )
        same = (Target.unit_id == w.unit.id, Target.year == year, Target.indicator == indicator)
        if w.obj is None and await w.session.scalar(select(Target.id).where(*same)):
            msg = f"{w.unit.name} already has a {indicator} target for {year}: change that one"
            raise Conflict(msg, code="target.exists")
        return {}


TARGETS = Targets()


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
