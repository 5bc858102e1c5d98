"""A database outage is a quick 503 problem+json with Retry-After, never a 500 or a hang: proved by
making the database calls fail the ways an outage makes them fail, on both databases, and by pointing
the app at a database that is not there. `bench/field_load.py` cuts a real connection under load."""

import asyncio
import socket
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from api import idempotency
from app.authz.permissions import Role
from app.core.db import create_engine, db
from app.idempotency import store
from app.models import Activity, IdempotencyKey

OUTAGES = {
    "refused": lambda: ConnectionRefusedError(111, "Connection refused"),
    "reset": lambda: ConnectionResetError(104, "Connection reset by peer"),
    "operational": lambda: OperationalError("SELECT 1", {}, Exception("server closed the connection")),
    "invalidated": lambda: DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
    "pool_timeout": lambda: PoolTimeout("QueuePool limit of size 10 overflow 10 reached"),
    "asyncpg_closed": lambda: asyncpg.exceptions.ConnectionDoesNotExistError(
        "connection was closed in the middle of operation"
    ),
    "asyncpg_starting": lambda: asyncpg.exceptions.CannotConnectNowError(
        "the database system is starting up"
    ),
}
CLEANUP = ("SAVEPOINT", "ROLLBACK", "RELEASE")  # let the harness roll back


@pytest.fixture
def database_fails(connection):
    """`database_fails(exc)`: every statement from now on raises `exc()` (as a dead connection would)."""
    target = connection.sync_connection
    listeners = []

    def fail(factory):
        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(CLEANUP):
                raise factory()

        event.listen(target, "before_cursor_execute", before)
        listeners.append(before)

    yield fail
    for listener in listeners:
        event.remove(target, "before_cursor_execute", listener)


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service unavailable"
    assert "SELECT" not in response.text and "Traceback" not in response.text


def activity(world, **values):
    return {
        "id": str(uuid.uuid4()),
        "unit_id": str(world.v11.id),
        "occurred_at": datetime.now(UTC).isoformat(),
        "kind": "vneid_activation",
    } | values


@pytest.mark.parametrize("kind", list(OUTAGES))
async def test_an_outage_in_a_route_is_503(client, world, database_fails, kind):
    database_fails(OUTAGES[kind])
    assert_unavailable(await client.get("/api/v1/units", headers=world.auth(Role.commune_officer)))
    response = await client.post(
        "/api/v1/activities", json=activity(world), headers=world.auth(Role.team_member)
    )
    assert_unavailable(response)


@pytest.mark.parametrize("kind", ["refused", "operational", "asyncpg_closed"])
async def test_an_outage_in_the_idempotency_middleware_is_503(client, world, database_fails, kind):
    database_fails(OUTAGES[kind])
    headers = world.auth(Role.team_member) | {"Idempotency-Key": f"outage-{kind}"}
    assert_unavailable(await client.post("/api/v1/activities", json=activity(world), headers=headers))


async def test_a_bad_statement_is_still_a_500(client, world, database_fails):
    database_fails(lambda: ProgrammingError("SELECT nonsense", {}, Exception("syntax error")))
    response = await client.get("/api/v1/units", headers=world.auth(Role.commune_officer))
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_database_that_is_not_there_is_a_quick_503(client, world, database, monkeypatch, tmp_path):
    if database == "postgresql":
        engine = create_engine(url=f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/nowhere")
    else:  # a database file that cannot be opened
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'no-such-dir' / 'app.db'}")
    monkeypatch.setattr(db, "_sessions", async_sessionmaker(engine, expire_on_commit=False))
    try:
        started = time.perf_counter()
        assert_unavailable(await client.get("/api/v1/units", headers=world.auth(Role.commune_officer)))
        headers = world.auth(Role.team_member) | {"Idempotency-Key": "nowhere"}
        assert_unavailable(await client.post("/api/v1/activities", json=activity(world), headers=headers))
        assert time.perf_counter() - started < 3
        ready = await client.get("/readyz")
        assert ready.status_code == 503
    finally:
        await engine.dispose()


async def test_a_key_claimed_before_an_outage_is_settled_once_the_database_is_back(
    client, world, session, monkeypatch
):
    """The route committed, then the database went away before the response was stored: the client
    still gets its 201, and the key is stored in the background, so a retry replays it."""
    monkeypatch.setattr(idempotency, "SETTLE_DELAY", 0.01)
    real_complete, failures = store.complete, [2]

    async def complete(*args):
        if failures[0]:
            failures[0] -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        await real_complete(*args)

    monkeypatch.setattr(store, "complete", complete)
    body = activity(world)
    headers = world.auth(Role.team_member) | {"Idempotency-Key": "settle-me"}
    first = await client.post("/api/v1/activities", json=body, headers=headers)
    assert first.status_code == 201
    for _ in range(100):
        if not idempotency.pending:
            break
        await asyncio.sleep(0.01)
    assert not idempotency.pending
    stored = await session.get(IdempotencyKey, (world.users[Role.team_member].id, "settle-me"))
    await session.refresh(stored)
    assert stored.status_code == 201
    again = await client.post("/api/v1/activities", json=body, headers=headers)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    count = await session.scalar(
        select(func.count()).select_from(Activity).where(Activity.id == uuid.UUID(body["id"]))
    )
    assert count == 1
