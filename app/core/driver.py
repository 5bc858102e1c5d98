"""A SQLAlchemy Core statement run straight on asyncpg, for the hottest reads on PostgreSQL.

The statement is built the usual way (the scope module writes its WHERE), compiled once per shape
(SQLAlchemy's own cache key: the same statement with other values is the same shape) and executed on
the session's connection by the driver: no ORM, no result processing, no BEGIN. That costs a third
of SQLAlchemy's execute path here (bench/README.md). Only for statements whose parameters need no
SQLAlchemy processing beyond the dialect's bind processors (no expanding IN lists).
"""

import weakref
from collections import OrderedDict
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

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
        if (compiled := _templates.get(statement)) is None:
            compiled = _templates[statement] = _compile(statement, dialect)
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
    """The session's asyncpg connection, taken once for a few statements."""

    def __init__(self, connection, dialect) -> None:
        self.connection, self.dialect = connection, dialect

    async def fetch(self, statement: Select, **params: Any) -> list:
        sql, values = render(statement, self.dialect, params)
        return await self.connection.fetch(sql, *values)

    async def fetchval(self, statement: Select, **params: Any) -> Any:
        sql, values = render(statement, self.dialect, params)
        return await self.connection.fetchval(sql, *values)


async def driver(session: AsyncSession) -> Driver:
    raw = await (await session.connection()).get_raw_connection()
    return Driver(raw.driver_connection, session.bind.dialect)
