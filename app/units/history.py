"""The tree through time: renames, moves and mergers with an effective date, and the tree as it
stood on a given day.

A change is applied to the current tree at once (effective dates are today or in the past) and
recorded in `unit_changes` with the values before and after. History cannot be back-dated past what a
unit holds: a change takes effect no earlier than the first record dated in the unit that stays there
(activities, trainings, campaigns and their events, reports, targets, awards), and a merger only after
the last of them (they stay in the closed unit, which takes nothing dated after its close:
`app.records.closed`). Households, teams, members, roles and keys are carried to the survivor, the
households' history split at the merger's date, so they never hold a merger back.

The tree of an earlier day is the current one with the later changes undone: the earliest change
after that day holds the value the unit had then. A merger closes the unit the day before and moves
it under the survivor, so every path-prefix query (scope, KPI roll-up, list filters) sees the merged
unit's history inside the survivor's subtree, while its parent's subtree, and so its totals, stay the
same.
"""

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, delete, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app.authz.scope import under
from app.core.errors import Conflict, Invalid
from app.kpi import aggregates, observations, rollups
from app.kpi.periods import VIETNAM
from app.kpi.periods import local_today as today
from app.models import (
    Activity,
    ApiKey,
    Award,
    Campaign,
    CampaignEvent,
    Household,
    KpiSnapshot,
    Member,
    RoleAssignment,
    Target,
    Team,
    Training,
    Unit,
)
from app.models.base import utcnow
from app.models.unit_change import UnitChange
from app.records.closed import day_of


def as_of(column_before, current, day: date) -> ColumnElement:
    """The value a unit's field had on `day`: the `before` value of its earliest later change of
    that field, or the current value when none changed it since."""
    earliest = (
        select(column_before)
        .where(UnitChange.unit_id == Unit.id, column_before.is_not(None), UnitChange.effective_on > day)
        .order_by(UnitChange.effective_on, UnitChange.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(earliest, current)


async def check_effective(
    session: AsyncSession, unit: Unit, effective_on: date, field: str, *, closes: bool = False
) -> None:
    """A change takes effect by today, while the unit is open, after its last recorded change and not
    before the first record dated in the unit; a merger (`closes`) only after the last one."""
    loc = ["body", field]
    if effective_on > today():
        raise Invalid("A change takes effect today at the latest: record it on the day", loc=loc)
    if unit.valid_to is not None:
        raise Conflict(f"{unit.name} closed on {unit.valid_to:%d/%m/%Y}: it can no longer change")
    if unit.valid_from is not None and effective_on <= unit.valid_from:
        raise Invalid(f"{unit.name} exists only from {unit.valid_from:%d/%m/%Y}", loc=loc)
    last = await session.scalar(
        select(func.max(UnitChange.effective_on)).where(UnitChange.unit_id == unit.id)
    )
    if last is not None and effective_on < last:
        raise Invalid(
            f"{unit.name} already has a change effective {last:%d/%m/%Y}: changes are recorded in order",
            loc=loc,
        )
    first, latest = await dated_span(session, unit.id)
    if first is not None and effective_on < first:
        raise Invalid(
            f"{unit.name} holds records dated from {first:%d/%m/%Y}: a change cannot take effect before them",
            loc=loc,
            code="unit.effective_before_data",
        )
    if closes and latest is not None and effective_on <= latest:
        raise Invalid(
            f"{unit.name} holds records dated up to {latest:%d/%m/%Y} (activities, trainings, campaigns, "
            "reports or targets stay where they happened): a merger takes effect after them",
            loc=loc,
            code="unit.effective_before_data",
        )


async def dated_span(session: AsyncSession, unit_id: uuid.UUID) -> tuple[date | None, date | None]:
    """The first and the last day of the records dated in the unit itself that stay with it when it
    merges: activities, trainings, campaigns and their events, reports, targets and awards (a period
    or a year counts from its first day). (None, None) when it holds none."""
    days: list[date] = []
    for column, *live in (
        (Activity.occurred_at, Activity.deleted_at.is_(None)),
        (Training.held_on,),
        (Campaign.starts_on,),
        (CampaignEvent.starts_at,),
        (Target.year,),
    ):
        model = column.class_
        row = (
            await session.execute(
                select(func.min(column), func.max(column)).where(model.unit_id == unit_id, *live)
            )
        ).one()
        days += [d for d in map(day_of, row) if d is not None]
    for column in (KpiSnapshot.period, Award.period):
        periods = await session.scalars(select(column).where(column.class_.unit_id == unit_id).distinct())
        days += [d for d in map(day_of, periods) if d is not None]
    return (min(days), max(days)) if days else (None, None)


def _change(unit: Unit, kind: str, effective_on: date, by: str, **values) -> UnitChange:
    return UnitChange(unit_id=unit.id, kind=kind, effective_on=effective_on, recorded_by=by, **values)


async def rename(
    session: AsyncSession, unit: Unit, changes: dict[str, str], effective_on: date, by: str
) -> UnitChange | None:
    """Record the new name and/or code (already set on `unit`'s caller side: `changes` holds the old
    values of the fields that changed)."""
    if not changes:
        return None
    change = _change(
        unit,
        "rename",
        effective_on,
        by,
        name_before=changes.get("name"),
        name_after=unit.name if "name" in changes else None,
        code_before=changes.get("code"),
        code_after=unit.code if "code" in changes else None,
    )
    session.add(change)
    return change


async def reparent(session: AsyncSession, unit: Unit, parent: Unit) -> None:
    """Put `unit` and its whole subtree under `parent`: one UPDATE rewriting the path prefix. The
    KPI aggregates are per unit, so nothing is recounted; a village's rows change roll-up."""
    await rollups.moved(session, unit, parent)
    old, new = unit.path, f"{parent.path}{unit.id.hex}/"
    await session.execute(
        update(Unit)
        .where(under(old))
        .values(path=literal(new) + func.substr(Unit.path, len(old) + 1))
        .execution_options(synchronize_session=False)
    )
    for held in list(session.identity_map.values()):  # the loaded units of the subtree follow
        if isinstance(held, Unit) and held.path.startswith(old):
            set_committed_value(held, "path", new + held.path[len(old) :])
    unit.parent_id = parent.id
    unit.touch()


async def move(
    session: AsyncSession,
    unit: Unit,
    parent: Unit,
    effective_on: date,
    by: str,
    related: Unit | None = None,
) -> UnitChange:
    change = _change(
        unit,
        "move",
        effective_on,
        by,
        parent_before_id=unit.parent_id,
        parent_after_id=parent.id,
        related_unit_id=related.id if related else None,
    )
    await reparent(session, unit, parent)
    session.add(change)
    return change


async def clashing_household_codes(session: AsyncSession, unit: Unit, into: Unit) -> list[str]:
    """Household codes of `unit` already used in `into` (a code is unique in its village)."""
    theirs = select(Household.code).where(
        Household.unit_id == into.id, Household.deleted_at.is_(None), Household.code.is_not(None)
    )
    rows = await session.scalars(
        select(Household.code)
        .where(Household.unit_id == unit.id, Household.deleted_at.is_(None), Household.code.in_(theirs))
        .order_by(Household.code)
        .limit(10)
    )
    return list(rows)


async def merge(session: AsyncSession, unit: Unit, into: Unit, effective_on: date, by: str) -> UnitChange:
    """Close `unit` the day before `effective_on` and hand everything it holds to `into`: its child
    units, households, teams and members, its users' roles and its API keys. Activities, trainings,
    campaigns, targets and reports stay where they happened, now inside `into`'s subtree."""
    # Open children move; closed ones are the unit's own history and stay inside it.
    children = list(
        await session.scalars(select(Unit).where(Unit.parent_id == unit.id, Unit.valid_to.is_(None)))
    )
    for child in children:
        await check_effective(session, child, effective_on, "effective_on")  # moves with its records
        await move(session, child, into, effective_on, by, related=unit)

    now = utcnow()  # a new version, so the phones' change feeds carry the move
    for model in (Household, Team, Member, ApiKey):
        await session.execute(
            update(model)
            .where(model.unit_id == unit.id)
            .values(unit_id=into.id, version=model.version + 1, updated_at=now),
            execution_options={"synchronize_session": False},
        )
    # A role the user already holds at the survivor is not held twice.
    survivor = RoleAssignment.__table__.alias("survivor")
    await session.execute(
        delete(RoleAssignment).where(
            RoleAssignment.unit_id == unit.id,
            exists().where(
                survivor.c.user_id == RoleAssignment.user_id,
                survivor.c.role == RoleAssignment.role,
                survivor.c.unit_id == into.id,
            ),
        )
    )
    await session.execute(
        update(RoleAssignment)
        .where(RoleAssignment.unit_id == unit.id)
        .values(unit_id=into.id)
        .execution_options(synchronize_session=False)
    )
    await observations.moved(session, unit.id, into.id, datetime.combine(effective_on, time(), VIETNAM))
    await aggregates.households_recount(session, [unit.id, into.id])
    await aggregates.members_changed(session, [unit.id, into.id])

    change = _change(
        unit,
        "merge",
        effective_on,
        by,
        parent_before_id=unit.parent_id,
        parent_after_id=into.id,
        related_unit_id=into.id,
    )
    await reparent(session, unit, into)
    unit.valid_to = effective_on - timedelta(days=1)
    unit.merged_into_id = into.id
    session.add(change)
    return change


async def changes_of(
    session: AsyncSession, unit_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[UnitChange], int]:
    """A unit's own changes and the mergers into it, in the order they took effect, and their count."""
    where = (UnitChange.unit_id == unit_id) | (
        (UnitChange.related_unit_id == unit_id) & (UnitChange.kind == "merge")
    )
    total = await session.scalar(select(func.count()).select_from(UnitChange).where(where))
    rows = await session.scalars(
        select(UnitChange)
        .where(where)
        .order_by(UnitChange.effective_on, UnitChange.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


async def survivor(session: AsyncSession, unit: Unit) -> Unit:
    """The open unit a closed one lives on in (itself when open), following mergers."""
    seen = set()
    while unit.merged_into_id is not None and unit.id not in seen:
        seen.add(unit.id)
        unit = await session.get(Unit, unit.merged_into_id)
    return unit
