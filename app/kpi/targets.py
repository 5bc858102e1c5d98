"""Targets per unit, year and indicator, and for a count, per month or quarter of the year.

A rate (%) target is a level to reach: a unit without its own inherits its nearest ancestor's, and
every period is compared with it. A count target (people supported, dossiers, signatures) is the total
of the unit where it is set, for its period: no unit below inherits it, and a month is compared with
1/12 of the year's (a third of its quarter's, when the quarter has one) and a quarter with 1/4, unless
the month or the quarter has its own (issue 19 item 4)."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, lineage
from app.core.errors import Conflict, Invalid
from app.kpi.indicators import BY_CODE, PLAN_TARGETS
from app.kpi.periods import Period, parse_period
from app.kpi.schemas import EffectiveTarget, EffectiveTargets, TargetRead
from app.models import Unit
from app.models.kpi import Target
from app.records import Permissions, Resource, Write


@dataclass(frozen=True)
class Applied:
    """The target a period's figure is compared with, where it is set, on what basis
    (`app.kpi.indicators.BASES`), and for a count the unit's own year target beside it."""

    value: float
    unit_id: uuid.UUID
    basis: str
    year_value: float | None = None


def is_count(indicator: str) -> bool:
    return BY_CODE[indicator].denominator is None


async def load(session: AsyncSession, units: list[Unit], year: int) -> dict[uuid.UUID, list[Target]]:
    """{unit id: its targets of the year} for the units and their ancestors, in one query."""
    ids = {a for unit in units for a in lineage(unit.path)}
    rows = await session.scalars(select(Target).where(Target.year == year, Target.unit_id.in_(ids)))
    by_unit: dict[uuid.UUID, list[Target]] = {}
    for target in rows:
        by_unit.setdefault(target.unit_id, []).append(target)
    return by_unit


def choose(by_unit: dict[uuid.UUID, list[Target]], unit: Unit, period: Period) -> dict[str, Applied]:
    """{indicator: the target that applies} to the unit for the period, from `load`'s targets."""
    chosen: dict[str, Applied] = {}
    for ancestor in lineage(unit.path):  # root first: deeper units override
        for t in by_unit.get(ancestor, ()):
            if not is_count(t.indicator) and t.period is None:
                chosen[t.indicator] = Applied(t.value, t.unit_id, "year")
    own: dict[str, dict[str | None, Target]] = {}
    for t in by_unit.get(unit.id, ()):
        if is_count(t.indicator):
            own.setdefault(t.indicator, {})[t.period] = t
    for indicator, by_period in own.items():
        applied = _count_target(by_period, period)
        if applied is not None:
            chosen[indicator] = applied
    return chosen


def _count_target(by_period: dict[str | None, Target], period: Period) -> Applied | None:
    """A count's target for the period from the unit's own targets of the year (`by_period`, keyed by
    their period, None the year's)."""
    year = by_period.get(None)
    year_value = year.value if year is not None else None

    def applied(target: Target | None, basis: str, share: float = 1.0) -> Applied | None:
        if target is None:
            return None
        return Applied(round(target.value * share, 2), target.unit_id, basis, year_value)

    if period.kind == "year":
        return applied(year, "year")
    quarter_code = f"{period.year}-Q{(period.start.month - 1) // 3 + 1}"
    if period.kind == "month":
        return (
            applied(by_period.get(period.code), "month")
            or applied(by_period.get(quarter_code), "quarter_month_share", 1 / 3)
            or applied(year, "month_share", 1 / 12)
        )
    if period.kind == "quarter":
        return applied(by_period.get(period.code), "quarter") or applied(year, "quarter_share", 1 / 4)
    if period.end <= date(period.year + 1, 1, 1):  # a range within one year: its days' share
        days = (date(period.year + 1, 1, 1) - date(period.year, 1, 1)).days
        return applied(year, "day_share", (period.end - period.start).days / days)
    return None


async def applicable(
    session: AsyncSession, units: list[Unit], period: Period
) -> dict[uuid.UUID, dict[str, Applied]]:
    """{unit id: {indicator: the target that applies for the period}} for several units in one query."""
    by_unit = await load(session, units, period.year)
    return {unit.id: choose(by_unit, unit, period) for unit in units}


def _order(target: Target) -> tuple:
    """Indicators in the plans' order; a count's year target first, then its quarters and months."""
    return (list(BY_CODE).index(target.indicator), target.period is not None, target.period or "")


async def effective_targets(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, year: int
) -> EffectiveTargets:
    """The rates that apply to the unit (its own or inherited) and its own counts, by period."""
    unit = await get_unit_in_scope(session, principal, unit_id, needs=P.targets_read)
    by_unit = await load(session, [unit], year)
    rates: dict[str, Target] = {}
    for ancestor in lineage(unit.path):
        rates |= {
            t.indicator: t
            for t in by_unit.get(ancestor, ())
            if not is_count(t.indicator) and t.period is None
        }
    counts = [t for t in by_unit.get(unit.id, ()) if is_count(t.indicator)]
    items = [
        EffectiveTarget(
            indicator=t.indicator,
            value=t.value,
            year=year,
            period=t.period,
            unit_id=t.unit_id,
            target_id=t.id,
            inherited=t.unit_id != unit.id,
        )
        for t in sorted([*rates.values(), *counts], key=_order)
    ]
    return EffectiveTargets(unit_id=unit.id, year=year, items=items)


class Targets(Resource):
    name, label, model, read = "target", "Target", Target, TargetRead
    dated_by = "year"  # a closed unit takes it only when dated by its close
    permissions = Permissions(P.targets_read, P.targets_manage)
    tombstones = False

    async def rules(self, w: Write) -> dict[str, Any]:
        indicator, value, year = w.values["indicator"], w.values["value"], w.values["year"]
        period = w.values.get("period")
        if BY_CODE[indicator].denominator and value > 100:
            raise Invalid(
                "a percentage target is between 0 and 100", loc=["body", "value"], code="target.percent_range"
            )
        if period is not None:
            if not is_count(indicator):
                raise Invalid(
                    "a percentage target is the year's: only a count has a target by month or quarter",
                    loc=["body", "period"],
                    code="target.period_rate",
                )
            if parse_period(period).year != year:
                raise Invalid(f"{period} is not in {year}", loc=["body", "period"], code="target.period_year")
        same = (
            Target.unit_id == w.unit.id,
            Target.year == year,
            Target.indicator == indicator,
            Target.period.is_(None) if period is None else Target.period == period,
        )
        if w.obj is None and await w.session.scalar(select(Target.id).where(*same)):
            msg = f"{w.unit.name} already has a {indicator} target for {period or year}: change that one"
            raise Conflict(msg, code="target.exists")
        return {}


TARGETS = Targets()


async def load_plan_targets(session: AsyncSession, unit: Unit, year: int) -> int:
    """Set the plans' targets (DOMAIN.md) on a unit for a year where it has none; returns how many."""
    existing = set(
        await session.scalars(
            select(Target.indicator).where(
                Target.unit_id == unit.id, Target.year == year, Target.period.is_(None)
            )
        )
    )
    added = [
        Target(unit_id=unit.id, year=year, indicator=code, value=value)
        for code, value in PLAN_TARGETS.items()
        if code not in existing
    ]
    session.add_all(added)
    await session.flush()
    return len(added)
