"""Live KPIs for a unit and a period: sums of the maintained aggregates over the unit's subtree.

A commune is a few dozen aggregate rows, a province or the country a few thousand roll-ups
(`rollups`), whatever the number of households. `naive_sums` computes the same sums straight from
the base tables: the baseline the benchmark compares against.
"""

import functools
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Date, and_, case, cast, exists, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.scope import under as _under
from app.kpi import rollups
from app.kpi.periods import VIETNAM, Period, local_today, next_month
from app.models import Activity, HouseholdObservation, Member, Team, Training, TrainingAttendance, Unit
from app.models.kpi import ACTIVITY_COUNTERS, HOUSEHOLD_COUNTERS, ActivityStats, HouseholdStats, MemberStats

SEGMENT = 33  # one level of a materialized path: 32 hex digits and a slash
# Statements kept built, by what they are built from: building one costs more than running it (about
# half of a province's KPI read was SQLAlchemy making its statements; the same read again builds none).
STATEMENTS = 256


def _child_key(path: str):
    """The path of the child of `path` that a descendant's path lies under."""
    return func.substr(Unit.path, 1, len(path) + SEGMENT)


async def sums(
    session: AsyncSession, unit: Unit, period: Period, *, by_child: bool = False
) -> dict[Any, dict]:
    """{key: sums} where key is None for the unit itself, or each child's path with by_child: the
    stock as it stood at the end of the period's last day (now, for a period not over), the flows
    dated inside the period. Whole months are read from the monthly rows; the days of a span that
    starts or ends inside a month (`periods.window`) from the base tables."""
    return (await _sums(session, unit, [period], by_child))[0]


async def trend(session: AsyncSession, unit: Unit, periods: list[Period]) -> list[dict]:
    """`sums(...)[None]` for each of `periods` (months of a year, say), reading each table once."""
    return [result.get(None, {}) for result in await _sums(session, unit, periods, False)]


async def _sums(session: AsyncSession, unit: Unit, periods: list[Period], by_child: bool) -> list[dict]:
    group = _group(unit.path, by_child)
    results: list[dict[Any, dict]] = [{} for _ in periods]

    def add(result, rows, names):
        for row in rows:
            values = result.setdefault(row[0] if by_child else None, {})
            for name, value in zip(names, row[1 if by_child else 0 :], strict=True):
                values[name] = values.get(name, 0) + int(value or 0)

    def per_month(rows, names):
        """{month: [(child key, counters…)]}, the rows of a grouped query by month."""
        months: dict[date, list] = {}
        for row in rows:
            month = row[len(group)]
            months.setdefault(month, []).append((*row[: len(group)], *row[len(group) + 1 :]))
        return months

    rolled_up, path = rollups.covers(unit), unit.path
    last_end = max(p.end for p in periods)
    first_month = min(p.start for p in periods).replace(day=1)
    years = tuple(sorted({p.last_day.year for p in periods}))
    households = per_month(
        await session.execute(_stock(path, by_child, rolled_up, last_end)), HOUSEHOLD_COUNTERS
    )
    activities = per_month(
        await session.execute(_flows(path, by_child, rolled_up, first_month, last_end)), ACTIVITY_COUNTERS
    )
    members = per_month(await session.execute(_members(path, by_child, last_end, years)), None)

    for period, result in zip(periods, results, strict=True):
        edge = period.end.replace(day=1)  # the month the period ends in, when it ends inside one
        for month, rows_ in households.items():
            if month < edge:
                add(result, rows_, HOUSEHOLD_COUNTERS)
        first, last = _whole_months(period)
        for month, rows_ in activities.items():
            if first <= month < last:
                add(result, rows_, ACTIVITY_COUNTERS)
        for month, rows_ in members.items() if edge == period.end else ():
            if month < edge:
                for row in rows_:
                    year, count = row[-2], row[-1]
                    name = (
                        "members_active"
                        if year == 0
                        else "members_trained"
                        if year == period.last_day.year
                        else None
                    )
                    if name:
                        add(result, [(*row[: len(group)], count)], (name,))
        if edge < period.end:
            add(
                result,
                await _days_of_households(session, unit, edge, period.end, by_child),
                HOUSEHOLD_COUNTERS,
            )
        for start, end in ((period.start, min(first, period.end)), (max(last, period.start), period.end)):
            if start < end:
                add(
                    result,
                    await _days_of_activities(session, unit, start, end, by_child),
                    ACTIVITY_COUNTERS,
                )
    for result, rows in zip(results, await _villages(session, unit, group, periods), strict=True):
        add(result, rows, ("villages", "villages_with_team"))
    return results


def _group(path: str, by_child: bool) -> list:
    return [_child_key(path)] if by_child else []


@functools.lru_cache(maxsize=STATEMENTS)
def _stock(path: str, by_child: bool, rolled_up: bool, last_end: date):
    """The household rows of every month before the period's end month, by month."""
    group, rows = _group(path, by_child), rollups.rows(HouseholdStats, rolled_up)
    query = select(*group, rows.c.month, *(func.sum(rows.c[c]) for c in HOUSEHOLD_COUNTERS))
    return _within(query, rows, path, by_child).where(rows.c.month < last_end).group_by(*group, rows.c.month)


@functools.lru_cache(maxsize=STATEMENTS)
def _flows(path: str, by_child: bool, rolled_up: bool, first_month: date, last_end: date):
    """The activity rows of the months from `first_month` to the period's end, by month."""
    group, rows = _group(path, by_child), rollups.rows(ActivityStats, rolled_up)
    query = select(*group, rows.c.month, *(func.sum(rows.c[c]) for c in ACTIVITY_COUNTERS))
    query = _within(query, rows, path, by_child).where(rows.c.month >= first_month, rows.c.month < last_end)
    return query.group_by(*group, rows.c.month)


@functools.lru_cache(maxsize=STATEMENTS)
def _members(path: str, by_child: bool, last_end: date, years: tuple[int, ...]):
    """The member rows before the period's end month: the active ones (year 0), the trained by year."""
    group = _group(path, by_child)
    return (
        select(*group, MemberStats.month, MemberStats.year, func.sum(MemberStats.members))
        .join(Unit, Unit.id == MemberStats.unit_id)
        .where(_under(path), MemberStats.month < last_end, MemberStats.year.in_([0, *years]))
        .group_by(*group, MemberStats.month, MemberStats.year)
    )


async def _members_on(session, unit: Unit, group, period: Period):
    """The subtree's members active at the end of the period's last day, and those of them trained
    in its year by then, from the members table (a span ending inside a month; the truth the monthly
    rows must equal)."""
    day, end = period.last_day, _local_midnight(period.end)
    active = and_(
        or_(Member.joined_on <= day, and_(Member.joined_on.is_(None), Member.created_at < end)),
        or_(Member.left_on.is_(None), Member.left_on > day),
        or_(Member.deleted_at.is_(None), Member.deleted_at >= end),
        or_(Team.deleted_at.is_(None), Team.deleted_at >= end),
        Team.status == "active",
        _under(unit.path),
    )
    trained = exists().where(
        TrainingAttendance.member_id == Member.id,
        Training.id == TrainingAttendance.training_id,
        Training.held_on >= date(period.last_day.year, 1, 1),
        Training.held_on <= day,
    )
    query = (
        select(*group, func.count(), func.sum(case((trained, 1), else_=0)))
        .select_from(Member)
        .join(Team, Team.id == Member.team_id)
        .join(Unit, Unit.id == Member.unit_id)
        .where(active)
        .group_by(*group)
    )
    return list(await session.execute(query))


def _whole_months(period: Period) -> tuple[date, date]:
    """[first, last): the months wholly inside the period (empty when first >= last)."""
    first = period.start if period.start.day == 1 else next_month(period.start)
    last = period.end.replace(day=1)
    return first, max(first, last)


async def _days_of_households(session, unit: Unit, start: date, end: date, by_child: bool):
    """How the subtree's household stock changed from `start` to `end` (days of one month), from the
    history: what began in them less what ended in them."""
    results = []
    for query in _days_of_stock(unit.path, by_child, start, end):
        results += list(await session.execute(query))
    return results


@functools.lru_cache(maxsize=STATEMENTS)
def _days_of_stock(path: str, by_child: bool, start: date, end: date) -> tuple:
    """What began from `start` to `end`, and (negated) what ended then."""
    t, group = HouseholdObservation.__table__, _group(path, by_child)
    since, until = _local_midnight(start), _local_midnight(end)
    return tuple(
        select(*group, *(sign * func.sum(t.c[c]) for c in HOUSEHOLD_COUNTERS))
        .join_from(t, Unit, Unit.id == t.c.unit_id)
        .where(_under(path), column >= since, column < until)
        .group_by(*group)
        for column, sign in ((t.c.observed_at, 1), (t.c.valid_to, -1))
    )


async def _days_of_activities(session, unit: Unit, start: date, end: date, by_child: bool):
    """The subtree's activities dated from `start` to `end`, from the activities table."""
    return list(await session.execute(_days_of_flows(unit.path, by_child, start, end)))


@functools.lru_cache(maxsize=STATEMENTS)
def _days_of_flows(path: str, by_child: bool, start: date, end: date):
    a, group = Activity, _group(path, by_child)
    return (
        select(
            *group,
            func.count(),
            func.sum(a.people_count),
            func.sum(a.dossier_count),
            func.sum(case((a.kind == "digital_signature", a.people_count), else_=0)),
        )
        .join(Unit, Unit.id == a.unit_id)
        .where(
            _under(path),
            a.deleted_at.is_(None),
            a.occurred_at >= _local_midnight(start),
            a.occurred_at < _local_midnight(end),
        )
        .group_by(*group)
    )


async def _villages(session, unit: Unit, group, periods: list[Period]) -> list[list]:
    """For each period, the villages standing at its end, and those of them with a team standing then
    (active, founded by then: its decision's date, else the day it was recorded; not deleted by then).
    One statement for all the periods, its villages grouped by their dates (a few hundred groups), the
    periods counted from the groups: a village's teams are read as one span, from the first one's
    founding to the last one's deletion (a gap between two teams of one village is not seen)."""
    query = _village_dates(unit.path, bool(group), session.bind.dialect.name)
    rows = list(await session.execute(query))
    width, today = len(group), local_today()
    results = []
    for period in periods:
        end = min(period.last_day, today)
        counts: dict[tuple, list[int]] = {}
        for row in rows:
            valid_from, valid_to, decided, recorded, standing, deleted, count = row[width:]
            if (valid_from is None or valid_from <= end) and (valid_to is None or valid_to >= end):
                founded = (decided is not None and decided <= end) or (
                    recorded is not None and recorded <= end
                )
                with_team = founded and (standing or (deleted is not None and deleted > end))
                target = counts.setdefault(tuple(row[:width]), [0, 0])
                target[0] += count
                target[1] += count if with_team else 0
        results.append([(*key, *values) for key, values in counts.items()])
    return results


@functools.lru_cache(maxsize=STATEMENTS)
def _village_dates(path: str, by_child: bool, dialect: str):
    """The subtree's villages counted by their dates and their teams' (`_villages`)."""
    day, group = _local_day(dialect), _group(path, by_child)
    teams = (
        select(
            Team.unit_id,
            func.min(Team.decision_date).label("decided"),
            func.min(case((Team.decision_date.is_(None), day(Team.created_at)))).label("recorded"),
            (func.count() - func.count(Team.deleted_at)).label("standing"),
            func.max(day(Team.deleted_at)).label("deleted"),
        )
        .where(Team.status == "active")
        .group_by(Team.unit_id)
        .subquery()
    )
    dates = (
        Unit.valid_from,
        Unit.valid_to,
        teams.c.decided,
        teams.c.recorded,
        teams.c.standing > 0,
        teams.c.deleted,
    )
    return (
        select(*group, *dates, func.count())
        .select_from(Unit)
        .outerjoin(teams, teams.c.unit_id == Unit.id)
        .where(_under(path), Unit.level == "village")
        .group_by(*group, *dates)
    )


def _local_day(dialect: str):
    """The day (in Vietnam) of a UTC moment, as SQL."""
    if dialect == "postgresql":
        return lambda column: cast(func.timezone("Asia/Ho_Chi_Minh", column), Date)
    return lambda column: type_coerce(func.date(column, "+7 hours"), Date)


def _within(query, rows, path: str, by_child: bool):
    """`query` over `rows` of the subtree at `path`. The whole country (the empty path) needs no join
    to the units unless its children are asked for: hashing 100,000 units cost more than the sums."""
    if path == "" and not by_child:
        return query.select_from(rows)
    return query.join_from(rows, Unit, Unit.id == rows.c.unit_id).where(_under(path))


async def naive_sums(session: AsyncSession, unit: Unit, period: Period) -> dict[str, int]:
    """The same sums as `sums`, scanning the subtree's household history, activities and members: the
    baseline the benchmark compares with, and the truth the tests compare with."""
    in_subtree = select(Unit.id).where(_under(unit.path))
    end = _local_midnight(period.end)
    t = HouseholdObservation.__table__
    standing = and_(t.c.observed_at < end, or_(t.c.valid_to.is_(None), t.c.valid_to >= end))
    row = (
        await session.execute(
            select(*(func.sum(t.c[c]) for c in HOUSEHOLD_COUNTERS)).where(
                standing, t.c.unit_id.in_(in_subtree)
            )
        )
    ).one()
    result = dict(zip(HOUSEHOLD_COUNTERS, (int(v or 0) for v in row), strict=True))

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
                Activity.occurred_at >= _local_midnight(period.start),
                Activity.occurred_at < end,
            )
        )
    ).one()
    result |= dict(zip(ACTIVITY_COUNTERS, (int(v or 0) for v in row), strict=True))

    (row,) = await _members_on(session, unit, [], period)
    result["members_active"], result["members_trained"] = int(row[0] or 0), int(row[1] or 0)
    (rows,) = await _villages(session, unit, [], [period])
    result["villages"], result["villages_with_team"] = rows[0] if rows else (0, 0)
    return result


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), VIETNAM)
