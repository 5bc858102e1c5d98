"""Live KPIs for a unit and a period: sums of the maintained aggregates over the unit's subtree.

A commune is a few dozen aggregate rows, a province or the country a few thousand roll-ups
(`rollups`), whatever the number of households. `naive_sums` computes the same sums straight from
the base tables: the baseline the benchmark compares against.
"""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.scope import under as _under
from app.kpi import rollups
from app.kpi.aggregates import household_sums
from app.kpi.periods import VIETNAM, Period, local_today
from app.models import Activity, Household, Member, Team, Training, TrainingAttendance, Unit
from app.models.kpi import ACTIVITY_COUNTERS, HOUSEHOLD_COUNTERS, ActivityStats, HouseholdStats, MemberStats
from app.models.unit import valid_on

SEGMENT = 33  # one level of a materialized path: 32 hex digits and a slash


def _child_key(path: str):
    """The path of the child of `path` that a descendant's path lies under."""
    return func.substr(Unit.path, 1, len(path) + SEGMENT)


async def sums(
    session: AsyncSession, unit: Unit, period: Period, *, by_child: bool = False
) -> dict[Any, dict]:
    """{key: sums} where key is None for the unit itself, or each child's path with by_child."""
    key = _child_key(unit.path) if by_child else None
    group = [key] if by_child else []
    result: dict[Any, dict] = {}

    def add(rows, names):
        for row in rows:
            values = result.setdefault(row[0] if by_child else None, {})
            for name, value in zip(names, row[1 if by_child else 0 :], strict=True):
                values[name] = values.get(name, 0) + int(value or 0)

    rolled_up = rollups.covers(unit)
    rows = rollups.rows(HouseholdStats, rolled_up)
    query = _within(select(*group, *(func.sum(rows.c[c]) for c in HOUSEHOLD_COUNTERS)), rows, unit, by_child)
    add(await session.execute(query.group_by(*group)), HOUSEHOLD_COUNTERS)

    rows = rollups.rows(ActivityStats, rolled_up)
    query = _within(select(*group, *(func.sum(rows.c[c]) for c in ACTIVITY_COUNTERS)), rows, unit, by_child)
    query = query.where(rows.c.month >= period.start, rows.c.month < period.end)
    add(await session.execute(query.group_by(*group)), ACTIVITY_COUNTERS)

    query = (
        select(
            *group,
            func.sum(case((MemberStats.year == 0, MemberStats.members), else_=0)),
            func.sum(case((MemberStats.year == period.year, MemberStats.members), else_=0)),
        )
        .join(Unit, Unit.id == MemberStats.unit_id)
        .where(_under(unit.path), MemberStats.year.in_([0, period.year]))
    )
    add(await session.execute(query.group_by(*group)), ("members_active", "members_trained"))

    # Uncorrelated, so PostgreSQL hashes it once rather than probing teams for every village.
    with_team = Unit.id.in_(select(Team.unit_id).where(Team.status == "active", Team.deleted_at.is_(None)))
    query = select(*group, func.count(), func.sum(case((with_team, 1), else_=0))).where(
        _under(unit.path), Unit.level == "village", _villages_of(period)
    )
    add(await session.execute(query.group_by(*group)), ("villages", "villages_with_team"))
    return result


def _within(query, rows, unit: Unit, by_child: bool):
    """`query` over `rows` of the unit's subtree. The whole country (the empty path) needs no join
    to the units unless its children are asked for: hashing 100,000 units cost more than the sums."""
    if unit.path == "" and not by_child:
        return query.select_from(rows)
    return query.join_from(rows, Unit, Unit.id == rows.c.unit_id).where(_under(unit.path))


async def naive_sums(session: AsyncSession, unit: Unit, period: Period) -> dict[str, int]:
    """The same sums as `sums`, scanning households, activities and members of the subtree."""
    in_subtree = select(Unit.id).where(_under(unit.path))
    row = (
        await session.execute(
            select(*household_sums()).where(Household.deleted_at.is_(None), Household.unit_id.in_(in_subtree))
        )
    ).one()
    result = dict(zip(HOUSEHOLD_COUNTERS, (int(v or 0) for v in row), strict=True))

    start = _local_midnight(period.start)
    end = _local_midnight(period.end)
    row = (
        await session.execute(
            select(
                func.count(),
                func.sum(Activity.people_count),
                func.sum(Activity.dossier_count),
                func.sum(case((Activity.kind == "digital_signature", Activity.people_count), else_=0)),
            ).where(
                Activity.deleted_at.is_(None),
                Activity.unit_id.in_(in_subtree),
                Activity.occurred_at >= start,
                Activity.occurred_at < end,
            )
        )
    ).one()
    result |= dict(zip(ACTIVITY_COUNTERS, (int(v or 0) for v in row), strict=True))

    today = local_today()
    active = and_(
        Member.deleted_at.is_(None),
        or_(Member.left_on.is_(None), Member.left_on > today),
        Team.deleted_at.is_(None),
        Team.status == "active",
        Member.unit_id.in_(in_subtree),
    )
    result["members_active"] = int(
        await session.scalar(
            select(func.count()).select_from(Member).join(Team, Team.id == Member.team_id).where(active)
        )
        or 0
    )
    trained = (
        select(func.count(distinct(Member.id)))
        .select_from(Member)
        .join(Team, Team.id == Member.team_id)
        .join(TrainingAttendance, TrainingAttendance.member_id == Member.id)
        .join(Training, Training.id == TrainingAttendance.training_id)
        .where(
            active,
            Training.held_on >= date(period.year, 1, 1),
            Training.held_on < date(period.year + 1, 1, 1),
        )
    )
    result["members_trained"] = int(await session.scalar(trained) or 0)

    villages = select(Unit.id).where(_under(unit.path), Unit.level == "village", _villages_of(period))
    result["villages"] = int(await session.scalar(select(func.count()).select_from(villages.subquery())) or 0)
    result["villages_with_team"] = int(
        await session.scalar(
            select(func.count(distinct(Team.unit_id))).where(
                Team.unit_id.in_(villages), Team.status == "active", Team.deleted_at.is_(None)
            )
        )
        or 0
    )
    return result


def _villages_of(period: Period):
    """The villages that count for a period: those standing on its last day (today, for the current
    one). A village merged away counts before its merger, its survivor after."""
    return valid_on(min(period.last_day, local_today()))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), VIETNAM)
