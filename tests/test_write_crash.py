"""Issue 22: a write is one transaction, its Idempotency-Key's claim and stored answer included.

The connection is killed before each statement of a recorded activity in turn, and before its commit
(PostgreSQL: the client's socket is cut, as a crashed worker or a dead network cuts it; SQLite: the
statement fails as a dead file would). After each kill the database holds the whole write (the
activity, its monthly aggregate and roll-up delta, its audit row, the key with its answer) or nothing
of it; the same request with the same key, sent again, records the activity once and answers 201, and
a third send replays that answer. Before, the key was claimed and answered in transactions of their
own: a kill between the activity's commit and the stored answer left a key claimed with nothing to
replay (409 to every retry for two minutes), the activity already written.
"""

import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.authz.permissions import Role
from app.models import Activity, ActivityDelta, ActivityStats, AuditLog, Household, IdempotencyKey
from app.models.kpi import HouseholdObservation, HouseholdStats
from tests.real_database import real_database
from tests.world import build_world, committed_world, make_household

URL = "/api/v1/activities"


@contextmanager
def killed_at(engine: AsyncEngine, statement: int):
    """Kill the connection before the engine's `statement`-th statement (BEGIN and COMMIT counted)
    from now on; `seen[0]` says how many ran, `seen[1]` whether the kill happened."""
    seen = [0, False]

    def step(conn) -> None:
        seen[0] += 1
        if seen[0] != statement:
            return
        seen[1] = True
        if engine.dialect.name == "postgresql":  # the socket is gone: the server rolls back
            conn.connection.dbapi_connection._connection.terminate()
        else:  # the file's transaction is dropped with its connection
            conn.invalidate()
            raise ConnectionResetError(104, "the database went away")

    def before(conn, _cursor, _statement, _parameters, _context, _executemany):
        step(conn)

    target = engine.sync_engine
    event.listen(target, "before_cursor_execute", before)
    event.listen(target, "commit", step)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", before)
        event.remove(target, "commit", step)


def whole_or_nothing(state: dict, nothing: dict, everything: dict, answer, done: int, statement: int,
                     seen: list) -> str:  # fmt: skip
    """The database after a kill holds the whole write or none of it; a write answered `done` is whole,
    any other answer is 503. Returns where the kill was, for the next assertions' messages."""
    where = f"killed before statement {statement} of {seen[0]}: {answer.status_code}"
    assert state in (nothing, everything), where
    if answer.status_code == done:
        assert state == everything, where
    else:
        assert answer.status_code == 503, where
    return where


async def stored(engine: AsyncEngine, world, activity_id: uuid.UUID, key: str) -> dict:
    async with AsyncSession(engine) as session:
        answer = await session.scalar(
            select(IdempotencyKey.status_code).where(
                IdempotencyKey.caller_id == world.users[Role.team_member].id, IdempotencyKey.key == key
            )
        )
        claimed = await session.scalar(
            select(func.count()).select_from(IdempotencyKey).where(IdempotencyKey.key == key)
        )
        return {
            "activity": await session.scalar(
                select(func.count()).select_from(Activity).where(Activity.id == activity_id)
            ),
            "audit": await session.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.resource_id == str(activity_id))
            ),
            "key": (claimed, answer),
            "aggregate": await session.scalar(
                select(func.coalesce(func.sum(ActivityStats.activities), 0)).where(
                    ActivityStats.unit_id == world.v11.id
                )
            ),
            "deltas": await session.scalar(select(func.count()).select_from(ActivityDelta)),
        }


async def test_a_write_killed_before_any_statement_is_stored_whole_or_not_at_all(app, database):
    async with real_database(database, app) as (client, engine):
        world = await committed_world(engine)
        headers = world.auth(Role.team_member)
        recorded = 0  # activities stored so far: the aggregate must count exactly these
        statement = 0
        while True:
            statement += 1
            activity_id, key = uuid.uuid4(), f"crash-{statement}"
            body = {"id": str(activity_id), "unit_id": str(world.v11.id), "kind": "vneid_activation",
                    "occurred_at": datetime.now(UTC).isoformat(), "people_count": 2}  # fmt: skip
            with killed_at(engine, statement) as seen:
                first = await client.post(URL, json=body, headers=headers | {"Idempotency-Key": key})
            before = await stored(engine, world, activity_id, key)
            nothing = {"activity": 0, "audit": 0, "key": (0, None), "aggregate": recorded,
                       "deltas": recorded}  # fmt: skip
            everything = {"activity": 1, "audit": 1, "key": (1, 201), "aggregate": recorded + 1,
                          "deltas": recorded + 1}  # fmt: skip
            where = whole_or_nothing(before, nothing, everything, first, 201, statement, seen)

            again = await client.post(URL, json=body, headers=headers | {"Idempotency-Key": key})
            assert again.status_code == 201, (where, again.text)
            third = await client.post(URL, json=body, headers=headers | {"Idempotency-Key": key})
            assert third.status_code == 201 and third.headers["idempotent-replayed"] == "true", where
            assert third.json() == again.json(), where
            recorded += 1
            after = await stored(engine, world, activity_id, key)
            assert after["activity"] == after["audit"] == 1 and after["aggregate"] == recorded, where
            if not seen[1]:  # this request ran fewer statements than `statement`: every point was tried
                break
        # The kill reached every statement of a real write. On PostgreSQL: the key's claim, the replay
        # check, the write with the key's answer (held for it: one statement), the commit.
        assert statement == 5 if engine.dialect.name == "postgresql" else statement > 5


async def visit_state(engine: AsyncEngine, world, household_id: uuid.UUID) -> dict:
    """What a household's visit writes: its row, its history, its village's months, its audit rows."""
    async with AsyncSession(engine) as session:
        row = (
            await session.execute(
                select(Household.version, Household.adults_vneid).where(Household.id == household_id)
            )
        ).one()
        return {
            "row": tuple(row),
            "observations": await session.scalar(
                select(func.count())
                .select_from(HouseholdObservation)
                .where(HouseholdObservation.household_id == household_id)
            ),
            "aggregate": await session.scalar(
                select(func.coalesce(func.sum(HouseholdStats.adults_vneid), 0)).where(
                    HouseholdStats.unit_id == world.v11.id
                )
            ),
            "audit": await session.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.resource_id == str(household_id))
            ),
        }


async def test_a_visit_killed_before_any_statement_is_stored_whole_or_not_at_all(app, database):
    """A household's visit sends its row's UPDATE with its observation, its village's months and its
    audit row (one statement on PostgreSQL): killed anywhere, all of it lands or none of it, and the
    visit sent again lands once."""
    async with real_database(database, app) as (client, engine):
        async with AsyncSession(engine, expire_on_commit=False) as session:
            world = await build_world(session)
            household = await make_household(session, world.v11, members_count=3, adults_count=2)
            await session.commit()
        url, headers = f"/api/v1/households/{household.id}", world.auth(Role.team_member)
        statement = 0
        while True:
            statement += 1
            now = await visit_state(engine, world, household.id)
            vneid = 1 + statement % 2  # each visit changes the count
            body = {"adults_vneid": vneid, "observed_at": datetime.now(UTC).isoformat()}
            with killed_at(engine, statement) as seen:
                first = await client.patch(url, json=body, headers=headers)
            before = await visit_state(engine, world, household.id)
            everything = {"row": (now["row"][0] + 1, vneid), "observations": now["observations"] + 1,
                          "aggregate": vneid, "audit": now["audit"] + 1}  # fmt: skip
            where = whole_or_nothing(before, now, everything, first, 200, statement, seen)
            if first.status_code != 200:
                again = await client.patch(url, json=body, headers=headers)
                assert again.status_code == 200, (where, again.text)
                assert await visit_state(engine, world, household.id) == everything, where
            if not seen[1]:  # this visit ran fewer statements than `statement`: every point was tried
                break
        assert statement > 5  # the kill reached every statement of a real visit
