"""Live KPIs, the trend of a year, and the per-child breakdown with ranking."""

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_area_in_scope
from app.core.errors import Invalid
from app.kpi import engine, targets
from app.kpi.indicators import BY_CODE, COUNTS, composite_score, evaluate
from app.kpi.periods import Period, local_today, parse_period, window
from app.kpi.schemas import BreakdownRead, BreakdownRow, IndicatorValue, KpiMonth, KpiRead, KpiTrend
from app.models import Unit
from app.models.unit import valid_between

COMPOSITE = "composite_score"
# The counters a count indicator sums: what year-to-date adds up.
FLOWS = tuple(BY_CODE[code].numerator for code in COUNTS)


def _from_new_year(period: Period) -> Period | None:
    """The days from the year's start to the period's end, when they are more than the period's."""
    first = date(period.year, 1, 1)
    return window(first, period.end) if period.start > first else None


async def indicators_for(session: AsyncSession, unit: Unit, period: Period) -> list[dict]:
    """The unit's indicators for the period, with the targets that apply to it and, for a count, its
    year to date."""
    to_date = _from_new_year(period)
    sums, *ytd = await engine.trend(session, unit, [period, to_date] if to_date else [period])
    applicable = (await targets.applicable(session, [unit], period))[unit.id]
    return with_targets(sums, applicable, ytd[0] if ytd else sums)


def with_targets(sums: dict, applicable: dict[str, targets.Applied], ytd: dict | None = None) -> list[dict]:
    results = evaluate(
        sums,
        {code: a.value for code, a in applicable.items()},
        {code: a.basis for code, a in applicable.items()},
        ytd,
        {code: a.year_value for code, a in applicable.items() if a.year_value is not None},
    )
    for result in results:
        applied = applicable.get(result["code"])
        result["target_unit_id"] = applied.unit_id if applied is not None else None
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


async def trend(session: AsyncSession, principal: Principal, unit_id: uuid.UUID, year: int) -> KpiTrend:
    """Each month of the year up to the current one, as `read_kpi` answers it, in one request (the
    country's too, through its well-known id)."""
    unit = await get_area_in_scope(session, principal, unit_id, needs=Permission.kpi_read)
    today = local_today()
    last = 12 if year < today.year else today.month if year == today.year else 0
    periods = [parse_period(f"{year}-{month:02d}") for month in range(1, last + 1)]
    by_unit = await targets.load(session, [unit], year)
    months, running = [], dict.fromkeys(FLOWS, 0)
    by_month = await engine.trend(session, unit, periods) if periods else []
    for period, sums in zip(periods, by_month, strict=True):
        for name in FLOWS:
            running[name] += int(sums.get(name) or 0)
        results = with_targets(sums, targets.choose(by_unit, unit, period), dict(running))
        months.append(
            KpiMonth(
                period=period.code,
                indicators=[IndicatorValue(**r) for r in results],
                composite_score=composite_score(results),
            )
        )
    return KpiTrend(unit_id=unit.id, unit_name=unit.name, year=year, months=months)


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
    to_date = _from_new_year(period)
    ytd = await engine.sums(session, unit, to_date, by_child=True) if to_date else sums
    applicable = await targets.applicable(session, children, period)
    return [
        (child, with_targets(sums.get(child.path, {}), applicable[child.id], ytd.get(child.path, {})))
        for child in children
    ]


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
            figures = {"value": composite_score(results), "target": 100.0}
            figures |= dict.fromkeys(("numerator", "denominator", "met"))
        else:
            r = next(r for r in results if r["code"] == indicator)
            fields = (
                "value",
                "numerator",
                "denominator",
                "target",
                "met",
                "target_basis",
                "ytd_value",
                "year_target",
            )
            figures = {name: r[name] for name in fields}
        rows.append(BreakdownRow(rank=None, unit_id=child.id, code=child.code, name=child.name, **figures))
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), r.name))
    for row, rank in zip(rows, ranks([row.value for row in rows]), strict=True):
        row.rank = rank
    return BreakdownRead(unit_id=unit.id, period=period.code, indicator=indicator, rows=rows)
