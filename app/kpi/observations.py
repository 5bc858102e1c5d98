"""A household's history: every write is an observation of its counts at the moment they were seen
(`observed_at`, the phone's time of the visit), standing until the next observation or the
household's deletion. The rule, in DOMAIN terms (README, "Numbers through time"):

- a period's stock is the state at its end: each household counts with the observation standing
  then, so one recorded after the end does not count, one deleted after it still does, and a change
  observed later leaves the earlier period as it was;
- an older observation that arrives after a newer one (a phone offline for days) takes its place in
  the history at its own time and changes only the periods it stood in; the current state is the
  latest observation, whatever order they arrived in.

Each observation is a row valid over [observed_at, valid_to) with the months (Vietnam time) of both
ends. A village's monthly aggregate is then the sum of what started in the month less what ended in
it, so the state at a month's end is the sum of the village's rows up to that month. Every function
here that changes the history gives those changes as deltas {(unit_id, month): counters} for
`app.kpi.aggregates` to add; nothing here is personal data, so erasure leaves it whole.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Date, and_, case, cast, exists, func, insert, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import batch
from app.core.ids import uuid7
from app.kpi.periods import month_of
from app.models.kpi import HOUSEHOLD_COUNTERS, HouseholdObservation

TABLE = HouseholdObservation.__table__
COUNTERS = tuple(TABLE.c[c] for c in HOUSEHOLD_COUNTERS)
# An observation's columns, in the order of the rows `first` makes (a COPY's).
ROW = (
    "id",
    "household_id",
    "unit_id",
    "observed_at",
    "valid_to",
    "month_from",
    "month_to",
    *HOUSEHOLD_COUNTERS,
)
Deltas = dict[tuple[uuid.UUID, Any], list[int]]


def _counters(h: Any, one: Any, flag, both, given) -> list:
    """A household's contribution to its village's counters (HOUSEHOLD_COUNTERS order), written once
    for Python values and SQL columns alike: `flag` makes a condition 0 or 1, `both` joins two, `given`
    says a value is set."""
    return [
        one,
        h.members_count,
        h.adults_count,
        h.adults_smartphone,
        h.adults_digital_skills,
        h.adults_vneid,
        h.adults_dvc,
        h.adults_epay,
        h.adults_signature,
        flag(h.informed),
        flag(h.has_digital_member),
        flag(h.is_business),
        flag(both(h.is_business, h.business_cashless)),
        flag(h.needs_assistance),
        flag(both(h.needs_assistance, given(h.assigned_member_id))),
        flag(h.adults_digital_skills > 0),
    ]


def vector(h: Any) -> tuple[int, ...]:
    """The counters of one household (a record, or any object with its fields)."""
    return tuple(_counters(h, 1, int, lambda a, b: a and b, lambda value: value is not None))


def columns(h: Any = None) -> list:
    """`vector` as SQL over the households table, for a write of every household at once (`backfill`)."""
    from app.models import Household

    flag = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    return _counters(h or Household, literal(1), flag, and_, lambda column: column.is_not(None))


async def backfill(session: AsyncSession) -> None:
    """Every household without a history observed once, from when it was recorded until its
    deletion: for data written straight into the table (a bulk seed). One statement."""
    from app.models import Household

    h = Household
    pg = session.bind.dialect.name == "postgresql"

    def month(column):
        if pg:
            return cast(func.date_trunc("month", func.timezone("Asia/Ho_Chi_Minh", column)), Date)
        return func.date(column, "+7 hours", "start of month")

    source = select(
        h.id, h.id, h.unit_id, h.created_at, h.deleted_at, month(h.created_at),
        case((h.deleted_at.is_(None), None), else_=month(h.deleted_at)), *columns(),
    ).where(~exists().where(TABLE.c.household_id == h.id))  # fmt: skip
    names = ["id", "household_id", "unit_id", "observed_at", "valid_to", "month_from", "month_to"]
    await session.execute(insert(TABLE).from_select([*names, *HOUSEHOLD_COUNTERS], source))


def no_deltas() -> Deltas:
    """Deltas to add to: every (unit_id, month) starts at zero."""
    return defaultdict(lambda: [0] * len(HOUSEHOLD_COUNTERS))


def first(households: Iterable[Any], at: datetime, deltas: Deltas) -> list[tuple]:
    """The first observations of new households (each with its `id`, `unit_id` and fields), all seen
    at `at` and standing: rows of `ROW`, for a bulk write (an import's COPY); each takes its
    household's id (a uuid7 too, made with it), as `backfill`'s do. What they add to their villages'
    month of `at` is added to `deltas`."""
    month = month_of(at)
    rows, counted = [], defaultdict(list)
    for h in households:
        values = vector(h)
        counted[h.unit_id].append(values)
        rows.append((h.id, h.id, h.unit_id, at, None, month, None, *values))
    for unit_id, vectors in counted.items():
        _add(deltas, unit_id, at, map(sum, zip(*vectors, strict=True)), 1)
    return rows


def _add(
    deltas: Deltas, unit_id: uuid.UUID, moment: datetime | None, values: Iterable[int], sign: int
) -> None:
    if moment is not None:
        row = deltas[(unit_id, month_of(moment))]
        for i, value in enumerate(values):
            row[i] += sign * value


def _row(household_id, unit_id, values, at: datetime, until: datetime | None) -> dict[str, Any]:
    month_to = month_of(until) if until is not None else None
    row = (uuid7(), household_id, unit_id, at, until, month_of(at), month_to, *values)
    return dict(zip(ROW, row, strict=True))


async def observe(
    session: AsyncSession, household_id: uuid.UUID, facts: Any, at: datetime
) -> tuple[Deltas, batch.Write]:
    """Record `facts` (a household's fields, its `unit_id` among them) as seen at `at`. Returns the
    deltas, and the new observation's row as a write to send with the household's other writes
    (`app.core.batch`: it needs nothing back, and nothing here reads it).

    The household's row is locked by the caller (a write fetches it for update), so two writers of one
    household take their turns here."""
    values = vector(facts)
    deltas = no_deltas()
    # The usual case, one statement: the standing observation is older; it ends where this begins.
    closed = (
        await session.execute(
            update(TABLE)
            .where(
                TABLE.c.household_id == household_id, TABLE.c.valid_to.is_(None), TABLE.c.observed_at <= at
            )
            .values(valid_to=at, month_to=month_of(at))
            .returning(TABLE.c.unit_id, *COUNTERS)
        )
    ).first()
    until = None
    if closed is not None:
        previous = closed
    else:  # older than the latest (it arrived late), or the first
        previous = (
            await session.execute(
                select(TABLE.c.id, TABLE.c.valid_to, TABLE.c.unit_id, *COUNTERS)
                .where(TABLE.c.household_id == household_id, TABLE.c.observed_at <= at)
                .order_by(TABLE.c.observed_at.desc(), TABLE.c.id.desc())
                .limit(1)
            )
        ).first()
        if previous is not None:
            until = previous.valid_to
            await session.execute(
                update(TABLE).where(TABLE.c.id == previous.id).values(valid_to=at, month_to=month_of(at))
            )
            previous = previous[2:]
        else:  # before every observation kept: it stands until the first of them
            until = await session.scalar(
                select(func.min(TABLE.c.observed_at)).where(TABLE.c.household_id == household_id)
            )
    row = _row(household_id, facts.unit_id, values, at, until)
    _add(deltas, facts.unit_id, at, values, 1)
    _add(deltas, facts.unit_id, until, values, -1)
    if previous is not None:
        _add(deltas, previous[0], at, previous[1:], -1)
        _add(deltas, previous[0], until, previous[1:], 1)
    return deltas, batch.Write(batch.inserting(TABLE, tuple(row)), row)


async def seen_after(session: AsyncSession, household_id: uuid.UUID, at: datetime | None) -> bool:
    """The household has an observation newer than `at` (None: now, never older): facts seen at `at`
    arrive late and leave its current counts as they are."""
    if at is None:
        return False
    latest = await session.scalar(
        select(func.max(TABLE.c.observed_at)).where(TABLE.c.household_id == household_id)
    )
    return latest is not None and latest > at


async def end(session: AsyncSession, household_id: uuid.UUID, at: datetime) -> Deltas:
    """The household is deleted at `at`: its standing observation ends there."""
    deltas = no_deltas()
    closed = (
        await session.execute(
            update(TABLE)
            .where(TABLE.c.household_id == household_id, TABLE.c.valid_to.is_(None))
            .values(valid_to=at, month_to=month_of(at))
            .returning(TABLE.c.unit_id, *COUNTERS)
        )
    ).first()
    if closed is not None:
        _add(deltas, closed[0], at, closed[1:], -1)
    return deltas


def history(household_id: uuid.UUID, unit_id: uuid.UUID, states: list[tuple[datetime, Any]]) -> list[dict]:
    """The history rows of a household seen in `states` ((observed_at, facts), in time order), for a
    bulk load (the demo, an import); the last stands. Add them with `insert(TABLE)`."""
    return [
        _row(household_id, unit_id, vector(facts), at, states[i + 1][0] if i + 1 < len(states) else None)
        for i, (at, facts) in enumerate(states)
    ]


async def moved(session: AsyncSession, from_unit: uuid.UUID, to_unit: uuid.UUID, at: datetime) -> None:
    """Every household of `from_unit` belongs to `to_unit` from `at` (a merger): the observations
    from then on move, and one standing across `at` is split there. Recount both units after."""
    await session.execute(
        update(TABLE).where(TABLE.c.unit_id == from_unit, TABLE.c.observed_at >= at).values(unit_id=to_unit)
    )
    across = (TABLE.c.unit_id == from_unit) & (TABLE.c.valid_to.is_(None) | (TABLE.c.valid_to > at))
    split = (await session.execute(select(TABLE).where(across))).mappings().all()
    if split:
        await session.execute(
            insert(TABLE),
            [
                dict(row) | {"id": uuid7(), "unit_id": to_unit, "observed_at": at, "month_from": month_of(at)}
                for row in split
            ],
        )
        await session.execute(
            update(TABLE)
            .where(TABLE.c.id.in_([row["id"] for row in split]))
            .values(valid_to=at, month_to=month_of(at))
        )


def sums(unit_ids: Iterable[uuid.UUID] | None = None):
    """(unit_id, month, counters…) rows: what started in each month less what ended in it, from the
    history (of these units; all when None). Several rows may share a key: add them up."""
    started = select(TABLE.c.unit_id, TABLE.c.month_from, *(func.sum(c) for c in COUNTERS)).group_by(
        TABLE.c.unit_id, TABLE.c.month_from
    )
    ended = (
        select(TABLE.c.unit_id, TABLE.c.month_to, *(-func.sum(c) for c in COUNTERS))
        .where(TABLE.c.month_to.is_not(None))
        .group_by(TABLE.c.unit_id, TABLE.c.month_to)
    )
    if unit_ids is not None:
        unit_ids = list(unit_ids)
        started = started.where(TABLE.c.unit_id.in_(unit_ids))
        ended = ended.where(TABLE.c.unit_id.in_(unit_ids))
    return union_all(started, ended)
