"""Writes that need nothing back, sent to the database in one round trip.

On PostgreSQL they go as one statement whose parts are data-modifying CTEs: each part runs exactly
once, every part sees the snapshot the statement started from, and constraints are checked as it
ends. SQLite has no network to save: there they run one by one, in order. So the parts must be
independent of each other: none may read what another writes, and no two may change the same row.

A round trip costs more than a small statement here (a `send` system call alone is ~0.1 ms on these
machines): a recorded activity's row, aggregate row, roll-up delta and audit row cost one, not four.
And building a statement costs more than running it: a write is a `Template` (the statement's shape,
built once, its values as parameters) and its values, so a batch's statement is composed and
compiled once per shape.

A transaction that ends with a write of its own (a POST's Idempotency-Key answer, `api.idempotency`)
can `hold` the writes sent before it and `release` them with it: one round trip for both. Whatever
else the transaction runs first sends them before it (`app.core.db.BEFORE_NEXT`), its commit too, so
nothing in the transaction reads around them.
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, insert, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import UpdateBase

from app.core.db import BEFORE_NEXT, upsert_insert
from app.core.driver import Driver, driver, execute


class Template:
    """A statement's shape: `build(prefix)` is the statement with its values as parameters named
    `prefix + name`. Made once per shape (by a cached factory such as `inserting`)."""

    def __init__(self, build: Callable[[str], UpdateBase]) -> None:
        self.build = build

    @functools.cached_property
    def statement(self) -> UpdateBase:
        """The statement on its own: its parameters named as its values."""
        return self.build("")


@dataclass(frozen=True, slots=True)
class Write:
    template: Template
    values: dict[str, Any]


def parameters(table: Table, names: Sequence[str], prefix: str) -> dict[str, Any]:
    """Each column of `names` as a parameter named `prefix + name`, of the column's type."""
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in names}


@functools.cache
def inserting(table: Table, names: tuple[str, ...]) -> Template:
    """The INSERT of one row of `table` with the columns `names`."""
    return Template(lambda prefix: insert(table).values(parameters(table, names, prefix)))


@functools.cache
def updating(table: Table, names: tuple[str, ...]) -> Template:
    """The UPDATE of the columns `names` of one row of `table`: the row whose id is the value `row_id`
    (an UPDATE's parameter may not bear a column's name)."""

    def build(prefix: str) -> UpdateBase:
        row = table.c.id == bindparam(prefix + "row_id", type_=table.c.id.type)
        return update(table).where(row).values(parameters(table, names, prefix))

    return Template(build)


async def send(session: AsyncSession, writes: Sequence[Write]) -> None:
    """Run `writes` in the session's transaction: in one statement on PostgreSQL (on the driver), in
    order on SQLite; or keep them for `release` while the transaction holds its writes."""
    if session.bind.dialect.name != "postgresql":
        for write in writes:
            await execute(session, write.template.statement, **write.values)
        return
    on = await driver(session)
    if on.held is not None:
        on.held.extend(writes)
        on.sqla.info[BEFORE_NEXT] = functools.partial(_send_held, on)
        return
    await _send(on, writes)


async def hold(session: AsyncSession) -> None:
    """From now on, this transaction's writes wait for `release` (PostgreSQL; SQLite has no round
    trip to save)."""
    if session.bind.dialect.name == "postgresql":
        (await driver(session)).held = []


async def release(session: AsyncSession, writes: Sequence[Write]) -> None:
    """Send the held writes and then `writes`, in one statement; the transaction holds no more."""
    if session.bind.dialect.name != "postgresql":
        return await send(session, writes)
    on = await driver(session)
    held, on.held = on.held or [], None
    on.sqla.info.pop(BEFORE_NEXT, None)
    await _send(on, [*held, *writes])


async def _send_held(on: Driver) -> None:
    """The held writes, before another statement of their transaction (which goes on holding)."""
    writes, on.held = on.held or [], []
    await _send(on, writes)


async def _send(on: Driver, writes: Sequence[Write]) -> None:
    if len(writes) == 1:
        await on.execute(writes[0].template.statement, **writes[0].values)
    elif writes:
        values = {f"w{n}_{name}": v for n, write in enumerate(writes) for name, v in write.values.items()}
        await on.execute(_combined(tuple(write.template for write in writes)), **values)


@functools.lru_cache(maxsize=512)
def _combined(templates: tuple[Template, ...]):
    parts = [template.build(f"w{n}_").cte(f"w{n}") for n, template in enumerate(templates)]
    return select(literal_column("1")).add_cte(*parts)


@functools.cache
def adding(dialect_name: str, table: Table, keys: tuple[str, ...], counters: tuple[str, ...]) -> Template:
    """`INSERT … ON CONFLICT (keys) DO UPDATE SET counter = counter + excluded.counter` of one row:
    add each counter's delta to its row, creating the row when missing."""

    def build(prefix: str) -> UpdateBase:
        statement = upsert_insert(dialect_name)(table).values(parameters(table, keys + counters, prefix))
        return statement.on_conflict_do_update(
            index_elements=list(keys), set_={c: table.c[c] + statement.excluded[c] for c in counters}
        )

    return Template(build)
