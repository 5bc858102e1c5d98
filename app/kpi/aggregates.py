"""Per-unit aggregates, kept current in the same transaction as every write that changes them.

Households and activities change their unit's counters by a delta (the record's contribution
before, subtracted; after, added), so a write costs one small upsert, and the same delta is logged
for the roll-ups above the village (`rollups`). Member counts are small and are recounted for the
touched units. `rebuild` recomputes everything from the base tables.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, case, delete, distinct, extract, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import adding_upsert
from app.kpi import rollups
from app.kpi.periods import local_today, month_of
from app.models import Activity, Household, Member, Team, Training, TrainingAttendance
from app.models.kpi import ACTIVITY_COUNTERS, HOUSEHOLD_COUNTERS, ActivityStats, HouseholdStats, MemberStats


def household_vector(h: Any) -> tuple[int, ...]:
    """A live household's contribution to its village's counters (HOUSEHOLD_COUNTERS order)."""
    return (
        1,
        h.members_count,
        h.adults_count,
        h.adults_smartphone,
        h.adults_digital_skills,
        h.adults_vneid,
        h.adults_dvc,
        h.adults_epay,
        h.adults_signature,
        int(h.informed),
        int(h.has_digital_member),
        int(h.is_business),
        int(h.is_business and h.business_cashless),
        int(h.needs_assistance),
        int(h.needs_assistance and h.assigned_member_id is not None),
    )


def activity_vector(a: Any) -> tuple[int, ...]:
    return (1, a.people_count, a.dossier_count, a.people_count if a.kind == "digital_signature" else 0)


async def household_changed(session: AsyncSession, before: Any | None, after: Any | None) -> None:
    """`before` and `after` are the live record's fields (None when absent or deleted)."""
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(HOUSEHOLD_COUNTERS))
    for record, sign in ((before, -1), (after, 1)):
        if record is not None:
            row = deltas[(record.unit_id,)]
            for i, value in enumerate(household_vector(record)):
                row[i] += sign * value
    await _add(session, HouseholdStats, ("unit_id",), HOUSEHOLD_COUNTERS, deltas)


async def activity_changed(session: AsyncSession, before: Any | None, after: Any | None) -> None:
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(ACTIVITY_COUNTERS))
    for record, sign in ((before, -1), (after, 1)):
        if record is not None:
            row = deltas[(record.unit_id, month_of(record.occurred_at))]
            for i, value in enumerate(activity_vector(record)):
                row[i] += sign * value
    await _add(session, ActivityStats, ("unit_id", "month"), ACTIVITY_COUNTERS, deltas)


async def _add(session, model, keys: tuple[str, ...], counters: tuple[str, ...], deltas: dict) -> None:
    """Add each delta to its row, creating the row when missing (one statement per row), and log
    it for the row's roll-up."""
    changes = [
        dict(zip(keys, key, strict=True)) | dict(zip(counters, values, strict=True))
        for key, values in deltas.items()
        if any(values)
    ]
    statement = adding_upsert(session.bind.dialect.name, model, keys, counters)
    for change in changes:
        await session.execute(statement, change)
    await rollups.log(session, model, changes)


# --- recounts from the base tables: the truth the deltas must equal ------------------------------


def household_sums():
    """The household counters as SQL sums (HOUSEHOLD_COUNTERS order)."""
    h = Household
    return [
        func.count(),
        func.sum(h.members_count),
        func.sum(h.adults_count),
        *(func.sum(getattr(h, c)) for c in HOUSEHOLD_COUNTERS[3:9]),
        func.sum(case((h.informed, 1), else_=0)),
        func.sum(case((h.has_digital_member, 1), else_=0)),
        func.sum(case((h.is_business, 1), else_=0)),
        func.sum(case((and_(h.is_business, h.business_cashless), 1), else_=0)),
        func.sum(case((h.needs_assistance, 1), else_=0)),
        func.sum(case((and_(h.needs_assistance, h.assigned_member_id.is_not(None)), 1), else_=0)),
    ]


async def count_households(session: AsyncSession, unit_ids: Iterable[uuid.UUID] | None = None) -> dict:
    """{unit_id: counters} straight from the households table (all units when unit_ids is None)."""
    query = select(Household.unit_id, *household_sums()).where(Household.deleted_at.is_(None))
    if unit_ids is not None:
        query = query.where(Household.unit_id.in_(list(unit_ids)))
    rows = await session.execute(query.group_by(Household.unit_id))
    return {r[0]: tuple(int(v or 0) for v in r[1:]) for r in rows}


async def count_activities(session: AsyncSession) -> dict:
    """{(unit_id, month): counters} straight from the activities table."""
    rows = await session.execute(
        select(
            Activity.unit_id,
            Activity.occurred_at,
            Activity.people_count,
            Activity.dossier_count,
            Activity.kind,
        ).where(Activity.deleted_at.is_(None))
    )
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(ACTIVITY_COUNTERS))
    for row in rows:
        target = sums[(row.unit_id, month_of(row.occurred_at))]
        for i, value in enumerate(activity_vector(row)):
            target[i] += value
    return {k: tuple(v) for k, v in sums.items()}


def _active_members(today: date):
    return and_(
        Member.deleted_at.is_(None),
        or_(Member.left_on.is_(None), Member.left_on > today),
        Team.deleted_at.is_(None),
        Team.status == "active",
    )


async def count_members(session: AsyncSession, unit_ids: Iterable[uuid.UUID] | None = None) -> dict:
    """{(unit_id, year): members}: year 0 the active members, other years those of them trained then."""
    today = local_today()
    active = (
        select(Member.unit_id, func.count())
        .join(Team, Team.id == Member.team_id)
        .where(_active_members(today))
    )
    year = extract("year", Training.held_on)
    trained = (
        select(Member.unit_id, year, func.count(distinct(Member.id)))
        .join(Team, Team.id == Member.team_id)
        .join(TrainingAttendance, TrainingAttendance.member_id == Member.id)
        .join(Training, Training.id == TrainingAttendance.training_id)
        .where(_active_members(today))
    )
    if unit_ids is not None:
        active = active.where(Member.unit_id.in_(list(unit_ids)))
        trained = trained.where(Member.unit_id.in_(list(unit_ids)))
    counts = {(r[0], 0): int(r[1]) for r in await session.execute(active.group_by(Member.unit_id))}
    for r in await session.execute(trained.group_by(Member.unit_id, year)):
        counts[(r[0], int(r[1]))] = int(r[2])
    return counts


async def members_changed(session: AsyncSession, unit_ids: Iterable[uuid.UUID]) -> None:
    """Recount the member rows of these units (a team has a handful of members: cheap)."""
    unit_ids = {u for u in unit_ids if u is not None}
    if not unit_ids:
        return
    await session.execute(delete(MemberStats).where(MemberStats.unit_id.in_(unit_ids)))
    counts = await count_members(session, unit_ids)
    if counts:
        await session.execute(
            insert(MemberStats), [{"unit_id": u, "year": y, "members": n} for (u, y), n in counts.items()]
        )


async def attendance_changed(session: AsyncSession, member_ids: Iterable[uuid.UUID]) -> None:
    """A training's attendees or date changed: recount the units those members belong to."""
    member_ids = list(set(member_ids))
    if member_ids:
        units = await session.scalars(select(Member.unit_id).where(Member.id.in_(member_ids)).distinct())
        await members_changed(session, set(units))


async def households_recount(session: AsyncSession, unit_ids: Iterable[uuid.UUID]) -> None:
    """Recount the household rows of these villages from their live households (after a bulk
    import or a merger). A village left with none loses its row, as in `rebuild`."""
    unit_ids = list(set(unit_ids))
    if not unit_ids:
        return
    await session.flush()  # the villages' owners are read from the database
    table = HouseholdStats.__table__
    kept = (table.c.unit_id, *(table.c[c] for c in HOUSEHOLD_COUNTERS))
    before = await session.execute(delete(table).where(table.c.unit_id.in_(unit_ids)).returning(*kept))
    counts = (
        select(Household.unit_id, *household_sums())
        .where(Household.unit_id.in_(unit_ids), Household.deleted_at.is_(None))
        .group_by(Household.unit_id)
    )
    after = await session.execute(
        insert(table).from_select(["unit_id", *HOUSEHOLD_COUNTERS], counts).returning(*kept)
    )
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(HOUSEHOLD_COUNTERS))
    for rows, sign in ((before, -1), (after, 1)):
        for row in rows:
            target = deltas[(row[0],)]
            for i, value in enumerate(row[1:]):
                target[i] += sign * value
    await rollups.log(
        session,
        HouseholdStats,
        [
            {"unit_id": u} | dict(zip(HOUSEHOLD_COUNTERS, v, strict=True))
            for (u,), v in deltas.items()
            if any(v)
        ],
    )


async def rebuild(session: AsyncSession) -> dict[str, int]:
    """Recompute every aggregate from the base tables; returns the row counts written."""
    for model in (HouseholdStats, ActivityStats, MemberStats):
        await session.execute(delete(model))
    households = await count_households(session)
    activities = await count_activities(session)
    members = await count_members(session)
    if households:
        await session.execute(
            insert(HouseholdStats),
            [{"unit_id": u} | dict(zip(HOUSEHOLD_COUNTERS, v, strict=True)) for u, v in households.items()],
        )
    if activities:
        await session.execute(
            insert(ActivityStats),
            [
                {"unit_id": u, "month": m} | dict(zip(ACTIVITY_COUNTERS, v, strict=True))
                for (u, m), v in activities.items()
            ],
        )
    if members:
        await session.execute(
            insert(MemberStats), [{"unit_id": u, "year": y, "members": n} for (u, y), n in members.items()]
        )
    await rollups.rebuild(session)
    return {
        "household_stats": len(households),
        "activity_stats": len(activities),
        "member_stats": len(members),
    }
