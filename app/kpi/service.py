"""Live KPIs and the per-child breakdown with ranking."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_area_in_scope
from app.core.errors import Invalid
from app.kpi import engine, targets
from app.kpi.indicators import BY_CODE, composite_score, evaluate
from app.kpi.periods import Period, parse_period
from app.kpi.schemas import BreakdownRead, BreakdownRow, IndicatorValue, KpiRead
from app.models import Unit
from app.models.unit import valid_between

COMPOSITE = "composite_score"


async def indicators_for(session: AsyncSession, unit: Unit, period: Period) -> list[dict]:
    """The unit's indicators for the period, with the targets that apply to it."""
    sums = (await engine.sums(session, unit, period)).get(None, {})
    return with_targets(sums, (await targets.effective(session, [unit], period.year))[unit.id])


def with_targets(sums: dict, applicable: dict) -> list[dict]:
    results = evaluate(sums, {code: t.value for code, t in applicable.items()})
    for result in results:
        result["target_unit_id"] = (
            applicable[result["code"]].unit_id if result["code"] in applicable else None
        )
    return results


async def read_kpi(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, period_code: str
) -> KpiRead:
    unit = await get_area_in_scope(session, principal, unit_id, needs=Permission.kpi_read)
    results = await indicators_for(session, unit, parse_period(period_code))
    return KpiRead(
        unit_id=unit.id,
        unit_name=unit.name,
        period=period_code,
        indicators=[IndicatorValue(**r) for r in results],
        composite_score=composite_score(results),
    )


def ranks(values: list[float | None]) -> list[int | None]:
    """Competition ranks of values sorted best first (no data last): ties share a rank, no data has none."""
    result, previous, rank = [], None, 0
    for position, value in enumerate(values, start=1):
        if value is not None and value != previous:
            rank, previous = position, value
        result.append(rank if value is not None else None)
    return result


async def children_indicators(
    session: AsyncSession, unit: Unit, period: Period
) -> list[tuple[Unit, list[dict]]]:
    """Each child unit of `unit` with its indicators for the period and the targets that apply to it."""
    in_period = valid_between(period.start, period.last_day)  # not the units merged away before it
    # The country's children are the provinces.
    below = Unit.parent_id.is_(None) if unit.path == "" else Unit.parent_id == unit.id
    children = list(await session.scalars(select(Unit).where(below, in_period)))
    sums = await engine.sums(session, unit, period, by_child=True)
    applicable = await targets.effective(session, children, period.year)
    return [(child, with_targets(sums.get(child.path, {}), applicable[child.id])) for child in children]


async def breakdown(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, period_code: str, indicator: str
) -> BreakdownRead:
    """The indicator for each child unit, best first (no data last); ties share a rank."""
    if indicator != COMPOSITE and indicator not in BY_CODE:
        raise Invalid(f"unknown indicator {indicator!r}", loc=["query", "indicator"])
    unit = await get_area_in_scope(session, principal, unit_id, needs=Permission.kpi_read)
    period = parse_period(period_code)
    rows = []
    for child, results in await children_indicators(session, unit, period):
        if indicator == COMPOSITE:
            value, numerator, denominator, target, met = composite_score(results), None, None, 100.0, None
        else:
            r = next(r for r in results if r["code"] == indicator)
            value, numerator, denominator, target, met = (
                r["value"],
                r["numerator"],
                r["denominator"],
                r["target"],
                r["met"],
            )
        rows.append(
            BreakdownRow(
                rank=None,
                unit_id=child.id,
                code=child.code,
                name=child.name,
                value=value,
                numerator=numerator,
                denominator=denominator,
                target=target,
                met=met,
            )
        )
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), r.name))
    for row, rank in zip(rows, ranks([row.value for row in rows]), strict=True):
        row.rank = rank
    return BreakdownRead(unit_id=unit.id, period=period.code, indicator=indicator, rows=rows)
