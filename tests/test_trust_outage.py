"""Issue 21, item 8: the database killed under load. A pooled connection whose server died under it
can fail its check in the driver's own way (asyncpg's InternalClientError, "cannot switch to state"):
that is an outage (503 and the database marked down), never an unhandled error (a 500, found by the
fault run against a PostgreSQL killed with SIGKILL)."""

import os

import asyncpg
import pytest
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import DatabaseUnavailable, create_engine, is_outage

DIED = "cannot switch to state 12; another operation is in progress"


async def test_a_pooled_connection_broken_by_a_killed_server_is_an_outage(database, monkeypatch):
    if database != "postgresql":
        pytest.skip("the pooled connections' check is PostgreSQL's")
    engine = create_engine(url=Settings(database_url=os.environ["TEST_DATABASE_URL"]).database_url)
    try:
        async with engine.connect() as conn:  # one connection in the pool, checked on its next checkout
            await conn.execute(select(1))
        # The check is a reading session's SELECT 1 or a writing session's BEGIN: both break.
        for method, check in (("fetchval", "SELECT 1"), ("execute", "BEGIN")):
            real = getattr(asyncpg.connection.Connection, method)

            async def broken(self, query, *args, real=real, check=check, **kwargs):
                if query.startswith(check):
                    raise asyncpg.exceptions.InternalClientError(
                        "cannot switch to state 12; another operation"
                    )
                return await real(self, query, *args, **kwargs)

            monkeypatch.setattr(asyncpg.connection.Connection, method, broken)
        with pytest.raises(Exception) as failed:
            async with engine.connect():
                pass
        assert is_outage(failed.value), repr(failed.value)
        with pytest.raises(DatabaseUnavailable):  # marked down: the next request is refused at once
            async with engine.connect():
                pass
    finally:
        await engine.dispose()
