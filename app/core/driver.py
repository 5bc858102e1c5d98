"""A SQLAlchemy Core statement run straight on asyncpg, for the hottest reads on PostgreSQL.

The statement is built the usual way (the scope module writes its WHERE), compiled once per shape
(SQLAlchemy's own cache key: the same statement with other values is the same shape) and executed on
the session's connection by the driver: no ORM, no result processing, no BEGIN. That costs a third
of SQLAlchemy's execute path here (bench/README.md). Only for statements whose parameters need no
SQLAlchemy processing beyond the dialect's bind processors (no expanding IN lists).
"""

from collections import OrderedDict
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

_SHAPES = 512
_compiled: OrderedDict[Any, Any] = OrderedDict()


def render(statement: Select, dialect) -> tuple[str, list[Any]]:
    """The SQL (`$1`, `$2`… placeholders) and the positional parameters of `statement`."""
    key = statement._generate_cache_key()
    compiled = _compiled.get(key.key)
    if compiled is None:
        compiled = statement.compile(dialect=dialect, cache_key=key)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("an expanding parameter cannot run on the driver")
        _compiled[key.key] = compiled
        if len(_compiled) > _SHAPES:
            _compiled.popitem(last=False)
    params = compiled.construct_params(extracted_parameters=key.bindparams)
    processors = compiled._bind_processors
    values = [
        processors[name](params[name]) if name in processors else params[name]
        for name in compiled.positiontup
    ]
    return compiled.string, values


async def _driver(session: AsyncSession):
    connection = await (await session.connection()).get_raw_connection()
    return connection.driver_connection


async def fetch(session: AsyncSession, statement: Select) -> list:
    sql, values = render(statement, session.bind.dialect)
    return await (await _driver(session)).fetch(sql, *values)


async def fetchval(session: AsyncSession, statement: Select) -> Any:
    sql, values = render(statement, session.bind.dialect)
    return await (await _driver(session)).fetchval(sql, *values)
