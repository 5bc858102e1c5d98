"""Per-unit aggregates by month, kept current in the same transaction as every write that changes them.

Households and activities change their unit's monthly counters by a delta, so a write costs one small
upsert a month it touches, and the same delta is logged for the roll-ups above the village
(`rollups`). A household's rows are the changes of its stock from its history (`observations`): the
state at a month's end is the sum of the rows up to it; an activity's, the events of the month.
Member counts are small and are recounted for the touched units. `rebuild` recomputes everything
from the base tables.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import batch
from app.kpi import observations, rollups
from app.kpi.periods import VIETNAM, month_of
from app.models import Activity, Member, Team, Training, TrainingAttendance
from app.models.kpi import ACTIVITY_COUNTERS, HOUSEHOLD_COUNTERS, ActivityStats, HouseholdStats, MemberStats

KEYS = ("unit_id", "month")


def activity_vector(a: Any) -> tuple[int, ...]:
    return (1, a.people_count, a.dossier_count, a.people_count if a.kind == "digital_signature" else 0)


async def household_observed(
    session: AsyncSession, household_id: uuid.UUID, facts: Any, at: datetime
) -> list[batch.Write]:
    """A household's facts seen at `at` (`observations.observe`): its new observation and the changes
    of its villages' months, as writes to send with the household's other writes (`app.core.batch`)."""
    deltas, observation = await observations.observe(session, household_id, facts, at)
    return [observation, *_adding(session, HouseholdStats, KEYS, HOUSEHOLD_COUNTERS, deltas)]


async def households_imported(session: AsyncSession, deltas: observations.Deltas) -> None:
    """What an import's new households add to their villages' months (`observations.first`, summed
    as their rows were made), added as any write adds its own (no recount of the villages' whole
    history)."""
    await _add(session, HouseholdStats, KEYS, HOUSEHOLD_COUNTERS, deltas)


async def household_ended(session: AsyncSession, household_id: uuid.UUID, at: datetime) -> None:
    """A household deleted at `at`: it counts until then."""
    await _add(
        session, HouseholdStats, KEYS, HOUSEHOLD_COUNTERS, await observations.end(session, household_id, at)
    )


async def activity_changed(session: AsyncSession, before: Any | None, after: Any | None) -> None:
    await batch.send(session, activity_writes(session, before, after))


def activity_writes(session: AsyncSession, before: Any | None, after: Any | None) -> list[batch.Write]:
    """What an activity's write (`before` → `after`, None when absent) changes in the aggregates, as
    statements to send with the write's other writes (`app.core.batch`)."""
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(ACTIVITY_COUNTERS))
    for record, sign in ((before, -1), (after, 1)):
        if record is not None:
            row = deltas[(record.unit_id, month_of(record.occurred_at))]
            for i, value in enumerate(activity_vector(record)):
                row[i] += sign * value
    return _adding(session, ActivityStats, KEYS, ACTIVITY_COUNTERS, deltas)


async def _add(session, model, keys: tuple[str, ...], counters: tuple[str, ...], deltas: dict) -> None:
    await batch.send(session, _adding(session, model, keys, counters, deltas))


def _adding(
    session, model, keys: tuple[str, ...], counters: tuple[str, ...], deltas: dict
) -> list[batch.Write]:
    """Add each delta to its row, creating the row when missing, and log it for the row's roll-up: a
    statement per row and one per logged change, sent together (one round trip on PostgreSQL)."""
    changes = [
        dict(zip(keys, key, strict=True)) | dict(zip(counters, values, strict=True))
        for key, values in deltas.items()
        if any(values)
    ]
    upsert = batch.adding(session.bind.dialect.name, model.__table__, keys, counters)
    return [batch.Write(upsert, change) for change in changes] + rollups.log_writes(model, changes)


# --- recounts from the base tables: the truth the deltas must equal ------------------------------


async def count_households(session: AsyncSession, unit_ids: Iterable[uuid.UUID] | None = None) -> dict:
    """{(unit_id, month): counters} from the households' history (all units when unit_ids is None):
    what each village's monthly rows must hold."""
    rows = observations.sums(unit_ids).subquery()
    keys = (rows.c.unit_id, rows.c.month_from)
    query = select(*keys, *(func.sum(c) for c in list(rows.c)[2:])).group_by(*keys)
    counts = {(r[0], r[1]): tuple(int(v or 0) for v in r[2:]) for r in await session.execute(query)}
    return {k: v for k, v in counts.items() if any(v)}


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


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(VIETNAM).date() if moment is not None else None


async def count_members(session: AsyncSession, unit_ids: Iterable[uuid.UUID] | None = None) -> dict:
    """{(unit_id, year, month): change}: year 0 how the active members changed in the month, other
    years how many of them had trained in that year. A member is active from joining (else from being
    recorded) until leaving or being deleted, in an active team until the team was deleted."""
    query = select(
        Member.id, Member.unit_id, Member.joined_on, Member.left_on, Member.created_at, Member.deleted_at,
        Team.deleted_at,
    ).join(Team, Team.id == Member.team_id).where(Team.status == "active")  # fmt: skip
    trainings = (
        select(TrainingAttendance.member_id, Training.held_on)
        .join(Training, Training.id == TrainingAttendance.training_id)
        .join(Member, Member.id == TrainingAttendance.member_id)
    )
    if unit_ids is not None:
        query = query.where(Member.unit_id.in_(list(unit_ids)))
        trainings = trainings.where(Member.unit_id.in_(list(unit_ids)))
    first: dict[tuple, date] = {}
    for member_id, held_on in await session.execute(trainings):
        key = (member_id, held_on.year)
        first[key] = min(first.get(key, held_on), held_on)
    years: dict[uuid.UUID, list[date]] = defaultdict(list)
    for (member_id, _), held_on in first.items():
        years[member_id].append(held_on)
    counts: dict[tuple, int] = defaultdict(int)
    for (
        member_id,
        unit_id,
        joined_on,
        left_on,
        created_at,
        deleted_at,
        team_deleted_at,
    ) in await session.execute(query):
        start = joined_on or _day(created_at)
        ends = [d for d in (left_on, _day(deleted_at), _day(team_deleted_at)) if d is not None]
        end = min(ends) if ends else None
        if end is not None and end <= start:
            continue
        counts[(unit_id, 0, start.replace(day=1))] += 1
        if end is not None:
            counts[(unit_id, 0, end.replace(day=1))] -= 1
        for trained_on in years.get(member_id, ()):
            since = max(trained_on, start)
            if since.year == trained_on.year and (end is None or since < end):
                counts[(unit_id, trained_on.year, since.replace(day=1))] += 1
                if end is not None:
                    counts[(unit_id, trained_on.year, end.replace(day=1))] -= 1
    return {k: v for k, v in counts.items() if v}


async def members_changed(session: AsyncSession, unit_ids: Iterable[uuid.UUID]) -> None:
    """Recount the member rows of these units (a team has a handful of members: cheap)."""
    unit_ids = {u for u in unit_ids if u is not None}
    if not unit_ids:
        return
    await session.execute(delete(MemberStats).where(MemberStats.unit_id.in_(unit_ids)))
    counts = await count_members(session, unit_ids)
    if counts:
        await session.execute(insert(MemberStats), _member_rows(counts))


def _member_rows(counts: dict) -> list[dict]:
    return [{"unit_id": u, "year": y, "month": m, "members": n} for (u, y, m), n in counts.items()]


async def attendance_changed(session: AsyncSession, member_ids: Iterable[uuid.UUID]) -> None:
    """A training's attendees or date changed: recount the units those members belong to."""
    member_ids = list(set(member_ids))
    if member_ids:
        units = await session.scalars(select(Member.unit_id).where(Member.id.in_(member_ids)).distinct())
        await members_changed(session, set(units))


async def households_recount(session: AsyncSession, unit_ids: Iterable[uuid.UUID]) -> None:
    """Recount the monthly household rows of these villages from their history (after a bulk import
    or a merger), and log the difference for the roll-ups."""
    unit_ids = list(set(unit_ids))
    if not unit_ids:
        return
    await session.flush()  # the villages' owners are read from the database
    table = HouseholdStats.__table__
    kept = (table.c.unit_id, table.c.month, *(table.c[c] for c in HOUSEHOLD_COUNTERS))
    before = await session.execute(delete(table).where(table.c.unit_id.in_(unit_ids)).returning(*kept))
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(HOUSEHOLD_COUNTERS))
    for row in before:
        target = deltas[(row[0], row[1])]
        for i, value in enumerate(row[2:]):
            target[i] -= value
    after = await count_households(session, unit_ids)
    if after:
        await session.execute(insert(table), _household_rows(after))
    for key, values in after.items():
        target = deltas[key]
        for i, value in enumerate(values):
            target[i] += value
    await rollups.log(
        session,
        HouseholdStats,
        [
            dict(zip(KEYS, k, strict=True)) | dict(zip(HOUSEHOLD_COUNTERS, v, strict=True))
            for k, v in deltas.items()
            if any(v)
        ],
    )


def _household_rows(counts: dict) -> list[dict]:
    return [
        dict(zip(KEYS, k, strict=True)) | dict(zip(HOUSEHOLD_COUNTERS, v, strict=True))
        for k, v in counts.items()
    ]


async def rebuild(session: AsyncSession) -> dict[str, int]:
    """Recompute every aggregate from the base tables; returns the row counts written."""
    for model in (HouseholdStats, ActivityStats, MemberStats):
        await session.execute(delete(model))
    households = await count_households(session)
    activities = await count_activities(session)
    members = await count_members(session)
    if households:
        await session.execute(insert(HouseholdStats), _household_rows(households))
    if activities:
        await session.execute(
            insert(ActivityStats),
            [
                {"unit_id": u, "month": m} | dict(zip(ACTIVITY_COUNTERS, v, strict=True))
                for (u, m), v in activities.items()
            ],
        )
    if members:
        await session.execute(insert(MemberStats), _member_rows(members))
    await rollups.rebuild(session)
    return {
        "household_stats": len(households),
        "activity_stats": len(activities),
        "member_stats": len(members),
    }
