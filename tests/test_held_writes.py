"""Issue 22: a transaction's writes held for the write it ends with (`app.core.batch.hold`), which a
POST with an Idempotency-Key uses to send a record's writes with the key's stored answer, in one
statement. Whatever the transaction runs first (a statement on the driver, one through the session,
the commit) sends them before it; a rollback drops them. PostgreSQL only: SQLite has no round trip
to save, and never holds."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.authz.permissions import Role
from app.core import batch
from app.core.driver import first
from app.models import Activity, IdempotencyKey
from tests.real_database import real_database
from tests.world import committed_world

PROBE = Table("held_probe", MetaData(), Column("id", Integer, primary_key=True))


def _row(n: int) -> batch.Write:
    return batch.Write(batch.inserting(PROBE, ("id",)), {"id": n})


def _counted(engine) -> list[str]:
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    return statements


async def _ids(engine) -> list[int]:
    async with AsyncSession(engine) as session:
        return list(await session.scalars(select(PROBE.c.id).order_by(PROBE.c.id)))


@asynccontextmanager
async def probed(app, database) -> AsyncIterator[AsyncEngine]:
    """A real PostgreSQL database with the probe table."""
    if database != "postgresql":
        pytest.skip("SQLite never holds writes")
    async with real_database(database, app) as (_client, engine):
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE held_probe (id int PRIMARY KEY)"))
        yield engine


async def test_held_writes_go_before_anything_else_of_their_transaction(app, database):
    async with probed(app, database) as engine:
        statements = _counted(engine)
        async with AsyncSession(engine) as session:
            await batch.hold(session)
            await batch.send(session, [_row(1), _row(2)])
            assert statements == []  # held
            # A statement on the driver sees them: they went first.
            assert (await first(session, select(func.count()).select_from(PROBE)))[0] == 2
            assert len(statements) == 2
            await batch.send(session, [_row(3)])
            # So does one through the session.
            assert await session.scalar(select(func.count()).select_from(PROBE)) == 3
            await batch.send(session, [_row(4)])
            await session.commit()  # and the commit sends what is still held
        assert await _ids(engine) == [1, 2, 3, 4]

        async with AsyncSession(engine) as session:
            await batch.hold(session)
            await batch.send(session, [_row(5)])
            statements.clear()
            await batch.release(session, [_row(6)])
            assert len(statements) == 1  # the held write and the last one: one statement
            await batch.send(session, [_row(7)])  # released: no longer held
            assert len(statements) == 2
            await session.commit()
        assert await _ids(engine) == [1, 2, 3, 4, 5, 6, 7]


async def test_a_rollback_drops_the_held_writes(app, database):
    async with probed(app, database) as engine:
        async with AsyncSession(engine) as session:
            await batch.hold(session)
            await batch.send(session, [_row(1)])
            await session.rollback()
            # The next transaction, on the same connection, neither holds nor sends the dropped write.
            await batch.send(session, [_row(2)])
            await session.commit()
            await session.execute(select(1))
            await session.commit()
        assert await _ids(engine) == [2]


async def test_a_held_write_the_database_refuses_is_answered_as_the_routes_error(app, database):
    """The activity's INSERT fails only as it goes with the key's answer, after the route answered 201:
    the client gets the 409 the route's own IntegrityError gives (kept for replay), and nothing of the
    activity is stored."""
    if database != "postgresql":
        pytest.skip("SQLite never holds writes")
    async with real_database(database, app) as (client, engine):
        world = await committed_world(engine)
        async with engine.begin() as conn:  # a duplicate, as the database reports one
            await conn.execute(
                text("""
                CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN
                    RAISE EXCEPTION 'taken' USING ERRCODE = 'unique_violation';
                END $$ LANGUAGE plpgsql""")
            )
            await conn.execute(
                text("""
                CREATE TRIGGER refuse BEFORE INSERT ON activities
                FOR EACH ROW WHEN (NEW.note = 'refused') EXECUTE FUNCTION refuse()""")
            )
        body = {"id": str(uuid.uuid4()), "unit_id": str(world.v11.id), "kind": "vneid_activation",
                "occurred_at": datetime.now(UTC).isoformat(), "people_count": 2,
                "note": "refused"}  # fmt: skip
        headers = world.auth(Role.team_member) | {"Idempotency-Key": "refused-1"}

        answer = await client.post("/api/v1/activities", json=body, headers=headers)
        assert answer.status_code == 409, answer.text
        assert answer.json()["title"] == "Conflict"
        again = await client.post("/api/v1/activities", json=body, headers=headers)
        assert again.status_code == 409 and again.headers["idempotent-replayed"] == "true"
        async with AsyncSession(engine) as session:
            assert await session.scalar(select(func.count()).select_from(Activity)) == 0
            kept = await session.scalar(
                select(IdempotencyKey.status_code).where(IdempotencyKey.key == "refused-1")
            )
            assert kept == 409
