"""A SQLAlchemy Core statement run straight on asyncpg, for the hottest reads and writes on
PostgreSQL.

The statement is built the usual way (the scope module writes its WHERE), compiled once per shape
(SQLAlchemy's own cache key: the same statement with other values is the same shape) and executed on
the session's connection by the driver, in the session's transaction: no ORM, no result processing.
That costs a third of SQLAlchemy's execute path here (bench/README.md). Only for statements whose
parameters need no SQLAlchemy processing beyond the dialect's bind processors (no expanding IN
lists). A constraint the database enforces fails as SQLAlchemy's `IntegrityError`, as through the
session, so callers and the API's error handlers see one kind of error.
"""

import weakref
from collections import OrderedDict
from typing import Any

import asyncpg
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.core.db import BEFORE_NEXT, is_outage

_SHAPES = 512
_compiled: OrderedDict[Any, Any] = OrderedDict()
# Templates (statements built once, run with `params`) are compiled once, by identity: no cache key.
_templates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compile(statement: Select, dialect, key=None):
    compiled = statement.compile(dialect=dialect, cache_key=key)
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("an expanding parameter cannot run on the driver")
    return compiled


def render(statement: Select, dialect, params: dict[str, Any] | None = None) -> tuple[str, list[Any]]:
    """The SQL (`$1`, `$2`… placeholders) and the positional parameters of `statement`: a statement
    with its values written in, or, with `params`, a template whose values they are."""
    if params:
        if (template := _templates.get(statement)) is None:
            compiled = _compile(statement, dialect)
            processors = compiled._bind_processors
            order = [(name, processors.get(name)) for name in compiled.positiontup]
            template = _templates[statement] = compiled, order
        compiled, order = template
        try:  # a template's parameters all come from `params`: no need of SQLAlchemy's generic pass
            return compiled.string, [
                params[name] if process is None else process(params[name]) for name, process in order
            ]
        except KeyError:  # a value written in the statement
            values = compiled.construct_params(params)
    else:
        key = statement._generate_cache_key()
        if (compiled := _compiled.get(key.key)) is None:
            compiled = _compiled[key.key] = _compile(statement, dialect, key)
            if len(_compiled) > _SHAPES:
                _compiled.popitem(last=False)
        values = compiled.construct_params(extracted_parameters=key.bindparams)
    processors = compiled._bind_processors
    return compiled.string, [
        processors[name](values[name]) if name in processors else values[name]
        for name in compiled.positiontup
    ]


class Driver:
    """The session's asyncpg connection, taken once for a few statements. The engine's and the
    connection's listeners still see each statement (`before_cursor_execute`, `after_…`), as they
    see SQLAlchemy's own: counters, the tests' faults."""

    def __init__(self, connection: AsyncConnection, adapted) -> None:
        self.owner, self.adapted, self.connection = connection, adapted, adapted.driver_connection
        self.sqla, self.dialect = connection.sync_connection, connection.dialect
        self.held: list | None = None  # the transaction's writes held back (`app.core.batch.hold`)

    async def fetch(self, statement: Select, **params: Any) -> list:
        return await self._run(self.connection.fetch, statement, params)

    async def fetchval(self, statement: Select, **params: Any) -> Any:
        return await self._run(self.connection.fetchval, statement, params)

    async def fetchrow(self, statement: Select, **params: Any) -> Any:
        return await self._run(self.connection.fetchrow, statement, params)

    async def execute(self, statement, **params: Any) -> int:
        """Run a write in the session's transaction; returns how many rows it touched (the status's
        count). SQLAlchemy's asyncpg adapter sends BEGIN only before its own first statement: until
        then a write on the driver would commit on its own, so the transaction is begun here if it is
        not yet (reads need none: each sees its own snapshot either way, at READ COMMITTED)."""
        if self.adapted._transaction is None:  # the adapter's own state: no public way to ask
            await self.adapted._start_transaction()
        status = await self._run(self.connection.execute, statement, params)
        count = status.rpartition(" ")[2]
        return int(count) if count.isdigit() else 0

    async def _run(self, method, statement, params: dict[str, Any]):
        if (before := self.sqla.info.pop(BEFORE_NEXT, None)) is not None:
            await before()  # writes held back go first (`app.core.batch.hold`)
        sql, values = render(statement, self.dialect, params)
        events = self.sqla.dispatch
        events.before_cursor_execute(self.sqla, None, sql, values, None, False)
        try:
            result = await method(sql, *values)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(sql, None, exc) from exc
        except Exception as exc:
            if is_outage(exc):  # as SQLAlchemy does: a dead connection never goes back to the pool
                await self.owner.invalidate(exc)
            raise
        events.after_cursor_execute(self.sqla, None, sql, values, None, False)
        return result


async def driver(session: AsyncSession) -> Driver:
    """The driver of the session's connection, kept for the transaction (asking the session for its
    connection costs more than a statement on the driver: a write asks four times)."""
    kept = session.info.get(_KEPT)
    if kept is not None and kept[0] is session.sync_session.get_transaction() and kept[0].is_active:
        return kept[1]
    connection = await session.connection()
    kept = (
        session.sync_session.get_transaction(),
        Driver(connection, (await connection.get_raw_connection()).dbapi_connection),
    )
    session.info[_KEPT] = kept
    return kept[1]


_KEPT = "driver"


async def first(session: AsyncSession, statement: Select, **params: Any) -> Any:
    """The first row of a Core select, or None: on the driver on PostgreSQL (raw values), through the
    session on SQLite. Either is indexed by position."""
    if session.bind.dialect.name == "postgresql":
        return await (await driver(session)).fetchrow(statement, **params)
    return (await session.execute(statement, params)).first()


async def execute(session: AsyncSession, statement, **params: Any) -> int:
    """Run a Core write in the session's transaction: on the driver on PostgreSQL, through the
    session on SQLite. Returns how many rows it touched."""
    if session.bind.dialect.name == "postgresql":
        return await (await driver(session)).execute(statement, **params)
    return (await session.execute(statement, params)).rowcount
