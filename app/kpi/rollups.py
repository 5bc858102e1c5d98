"""Roll-ups: the per-unit aggregates summed one level up, so the KPIs of a province or of the country
sum thousands of rows, not every village's (a year of the country's `activity_stats` is 1.1 million
rows; its roll-ups ~40,000).

A unit's rows roll up to its owner: a village's parent (its commune), any other unit itself. No write
touches a roll-up row, so the writers of one commune on a campaign day never wait on one row: every
change of a unit's row is logged in the same transaction as an insert-only delta for its owner
(`log`), and `fold` moves the logged deltas into the roll-ups in one transaction, in the background
every few seconds (`bench/rollup_writes.py`, a campaign day in one commune: 0.95× the writes/s of
village rows alone, against 0.42× for commune rows kept in the write's transaction). A read sums the
roll-ups and the deltas not yet folded in one statement (`rows`), so it is exact whenever it runs.

The invariant: an owner's roll-up row plus its unfolded deltas equal the sum of its units' rows. A
village moving to another commune carries its rows from one owner to the other (`moved`); `rebuild`
recomputes every roll-up from the units' rows.
"""

import asyncio
import functools
import logging
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Date, Integer, bindparam, case, delete, func, insert, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import batch
from app.core.db import session_scope
from app.models import Unit, UnitLevel
from app.models.kpi import (
    ACTIVITY_COUNTERS,
    HOUSEHOLD_COUNTERS,
    ActivityDelta,
    ActivityRollup,
    ActivityStats,
    HouseholdDelta,
    HouseholdRollup,
    HouseholdStats,
)

logger = logging.getLogger(__name__)
FOLD_SECONDS = 2.0


@dataclass(frozen=True)
class Kind:
    stats: type
    rollup: type
    delta: type
    keys: tuple[str, ...]  # besides unit_id
    counters: tuple[str, ...]


KINDS = {
    HouseholdStats: Kind(HouseholdStats, HouseholdRollup, HouseholdDelta, ("month",), HOUSEHOLD_COUNTERS),
    ActivityStats: Kind(ActivityStats, ActivityRollup, ActivityDelta, ("month",), ACTIVITY_COUNTERS),
}


def covers(unit: Unit) -> bool:
    """Roll-ups serve the units above the commune (a province, the country): their subtrees hold
    every owner of their units whole."""
    return unit.level not in (UnitLevel.commune, UnitLevel.village)


@functools.cache
def owner():
    """The unit a unit's rows roll up to: a village's parent, any other unit itself (built once: it
    goes into every logged change)."""
    return func.coalesce(case((Unit.level == UnitLevel.village, Unit.parent_id)), Unit.id)


def rows(stats, rolled_up: bool):
    """The rows a KPI sums, with `unit_id`, the keys and the counters: the units' own, or the
    roll-ups and the deltas not yet folded (`unit_id` their owner)."""
    if not rolled_up:
        return stats.__table__
    kind = KINDS[stats]
    return union_all(
        *(
            select(model.unit_id, *(getattr(model, c) for c in kind.keys + kind.counters))
            for model in (kind.rollup, kind.delta)
        )
    ).subquery()


async def log(session: AsyncSession, stats, changes: list[dict]) -> None:
    """Log changes of units' rows (`unit_id`, the keys, each counter's delta) for their owners."""
    await batch.send(session, log_writes(stats, changes))


def log_writes(stats, changes: list[dict]) -> list[batch.Write]:
    """The writes that log `changes` (`log`), to send with other writes."""
    template = _logging(KINDS[stats])
    return [batch.Write(template, change) for change in changes]


@functools.cache
def _logging(kind: Kind) -> batch.Template:
    """A change logged for its owner, read under a key-share lock of the unit's row: a village moving
    to another commune locks it first (`moved`), so a write waits for the move or the move for the
    write."""
    types = {"month": Date()}

    def build(prefix: str):
        values = [
            bindparam(prefix + name, type_=types.get(name, Integer())) for name in kind.keys + kind.counters
        ]
        source = (
            select(owner(), *values)
            .where(Unit.id == bindparam(prefix + "unit_id", type_=Unit.__table__.c.id.type))
            .with_for_update(read=True, key_share=True)
        )
        return insert(kind.delta.__table__).from_select(["unit_id", *kind.keys, *kind.counters], source)

    return batch.Template(build)


async def fold(session: AsyncSession) -> int:
    """Move the logged deltas into their roll-up rows; how many were folded. Two folds at once each
    take only the deltas their own DELETE removed."""
    folded = 0
    for kind in KINDS.values():
        table = kind.delta.__table__
        taken = await session.execute(
            delete(table).returning(table.c.unit_id, *(table.c[c] for c in kind.keys + kind.counters))
        )
        sums: dict[tuple, list[int]] = defaultdict(lambda width=len(kind.counters): [0] * width)
        for row in taken:
            folded += 1
            target = sums[tuple(row[: 1 + len(kind.keys)])]
            for i, value in enumerate(row[1 + len(kind.keys) :]):
                target[i] += value
        await _add(session, kind, sums)
    return folded


async def moved(session: AsyncSession, unit: Unit, parent: Unit) -> None:
    """`unit` is about to move under `parent`: when that changes its owner (a village's), its rows
    leave the old owner's roll-ups for the new one's, as two deltas."""
    if unit.level != UnitLevel.village or unit.parent_id == parent.id:
        return
    await session.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update())
    for kind in KINDS.values():
        stats = kind.stats
        held = await session.execute(
            select(*(getattr(stats, c) for c in kind.keys + kind.counters)).where(stats.unit_id == unit.id)
        )
        changes = []
        for row in held:
            keys = dict(zip(kind.keys, row, strict=False))
            counters = dict(zip(kind.counters, row[len(kind.keys) :], strict=True))
            changes.append({"unit_id": unit.parent_id} | keys | {c: -v for c, v in counters.items()})
            changes.append({"unit_id": parent.id} | keys | counters)
        if changes:
            await session.execute(insert(kind.delta.__table__), changes)


async def rebuild(session: AsyncSession) -> None:
    """Recompute every roll-up from the units' rows and empty the log (its changes are in those rows).
    Like `aggregates.rebuild`, for a quiet database."""
    for kind in KINDS.values():
        stats = kind.stats
        await session.execute(delete(kind.delta.__table__))
        await session.execute(delete(kind.rollup.__table__))
        by = [owner(), *(getattr(stats, k) for k in kind.keys)]
        sums = (
            select(*by, *(func.sum(getattr(stats, c)) for c in kind.counters))
            .join(Unit, Unit.id == stats.unit_id)
            .group_by(*by)
        )
        await session.execute(
            insert(kind.rollup.__table__).from_select(["unit_id", *kind.keys, *kind.counters], sums)
        )


async def _add(session: AsyncSession, kind: Kind, sums: dict[tuple, list[int]]) -> None:
    """Add each sum to its roll-up row, in key order (two folds lock rows in the same order). An
    owner deleted since (a unit holding no data) has nothing left to roll up."""
    owners = {key[0] for key, values in sums.items() if any(values)}
    if not owners:
        return
    standing = set(await session.scalars(select(Unit.id).where(Unit.id.in_(owners))))
    keys = ("unit_id", *kind.keys)
    statement = batch.adding(session.bind.dialect.name, kind.rollup.__table__, keys, kind.counters).statement
    for key in sorted(sums, key=str):
        if key[0] in standing and any(sums[key]):
            row = dict(zip(keys, key, strict=True)) | dict(zip(kind.counters, sums[key], strict=True))
            await session.execute(statement, row)


async def keep_folding() -> None:
    """Fold every `FOLD_SECONDS` until cancelled. A failed fold changes nothing (one transaction):
    its deltas wait for the next, and reads stay exact meanwhile."""
    while True:
        await asyncio.sleep(FOLD_SECONDS)
        try:
            async with session_scope() as session:
                await fold(session)
        except Exception:  # noqa: BLE001 - the database may be away; the next round tries again
            logger.warning("roll-ups: fold failed; the deltas wait for the next round", exc_info=True)
