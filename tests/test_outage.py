"""A database outage is a quick 503 problem+json with Retry-After, never a 500 or a hang: proved by
making the database calls fail the ways an outage makes them fail, on both databases, and by pointing
the app at a database that is not there. `bench/field_load.py` cuts a real connection under load."""

import asyncio
import os
import socket
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.authz.permissions import Role
from app.core.db import create_engine, db, reading
from tests.real_database import real_database

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


@pytest.mark.parametrize("kind", ["pool_timeout", "refused"])
async def test_a_busy_server_does_not_say_the_database_is_unreachable(client, world, database_fails, kind):
    """Every pooled connection taken by a burst is load: the 503 says busy, not that the database is
    gone (in the field load, phones showed "not reachable" while it was up)."""
    database_fails(OUTAGES[kind])
    response = await client.get("/api/v1/units", headers=world.auth(Role.commune_officer))
    assert_unavailable(response)
    expected = {
        "pool_timeout": "The server is busy: try again shortly",
        "refused": "The database is not reachable: try again shortly",
    }
    assert response.json()["detail"] == expected[kind]


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


# --- a database that hangs (issue 10, item 9) ------------------------------------------------------


class FreezingProxy:
    """A TCP proxy to PostgreSQL that can freeze: it then forwards nothing either way and accepts new
    connections without ever answering them (a hung server or a black-holed network, not a refusal)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.accepted = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    def freeze(self) -> None:
        self.flowing.clear()

    def thaw(self) -> None:
        self.flowing.set()

    async def close(self) -> None:
        self.thaw()
        for writer in list(self.writers):
            writer.transport.abort()
        if self.server is not None:
            self.server.close()

    async def _accept(self, reader, writer) -> None:
        self.accepted += 1
        self.writers.add(writer)
        await self.flowing.wait()
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        self.writers.add(up_writer)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()


@pytest.fixture
async def frozen_database(app, database, monkeypatch):
    """The app on a committed PostgreSQL database reached through a FreezingProxy, with timeouts set
    low and a clock the test moves; yields (client, proxy, headers, clock)."""
    if database != "postgresql":
        pytest.skip("a network database hangs; SQLite is a file")
    from sqlalchemy.engine import make_url

    from app.core import db as database_module
    from app.core.config import get_settings
    from tests.real_database import real_database
    from tests.world import committed_world

    monkeypatch.setattr(get_settings(), "db_connect_timeout", 0.5, raising=False)
    async with real_database("postgresql", app) as (client, engine):
        world = await committed_world(engine)
        url = make_url(engine.url)
        proxy = FreezingProxy((url.host, url.port or 5432))
        port = await proxy.start()
        proxied = create_engine(
            url=url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
        )
        now = [0.0]
        if hasattr(database_module, "Availability"):
            monkeypatch.setattr(database_module.Availability, "clock", staticmethod(lambda: now[0]))
        monkeypatch.setattr(db, "_engine", proxied)
        monkeypatch.setattr(db, "_sessions", async_sessionmaker(proxied, expire_on_commit=False))
        try:
            yield client, proxy, world.auth(Role.commune_officer), now
        finally:
            await proxy.close()
            await proxied.dispose()


async def test_a_hung_database_is_refused_quickly_then_at_once_and_recovers(frozen_database):
    client, proxy, headers, clock = frozen_database
    assert (await client.get("/api/v1/units", headers=headers)).status_code == 200
    proxy.freeze()
    # The first request finds out: within the connect timeout, not the 30 s statement timeout.
    assert_unavailable(await asyncio.wait_for(client.get("/api/v1/units", headers=headers), timeout=5))
    # Then every request is refused at once, without trying the database.
    accepted = proxy.accepted
    for _ in range(5):
        assert_unavailable(await asyncio.wait_for(client.get("/api/v1/units", headers=headers), timeout=1))
        logout = client.post("/api/v1/auth/logout", json={"refresh_token": "abc"})
        assert_unavailable(await asyncio.wait_for(logout, timeout=1))
    assert proxy.accepted == accepted
    # Still down a while later: one request probes (and finds out again), the rest stay refused.
    clock[0] += 10
    assert_unavailable(await asyncio.wait_for(client.get("/api/v1/units", headers=headers), timeout=5))
    # Back: the next probe finds it, and everything is served again.
    proxy.thaw()
    clock[0] += 10
    assert (
        await asyncio.wait_for(client.get("/api/v1/units", headers=headers), timeout=5)
    ).status_code == 200
    assert (await client.get("/readyz")).status_code == 200


async def test_a_busy_pool_is_load_not_an_outage(database, monkeypatch):
    """Every pooled connection busy (a burst) times out the wait, but does not mark the database down:
    the next request is served, not refused."""
    if database != "postgresql":
        pytest.skip("the guarded pool is PostgreSQL's")
    from app.core.config import Settings, get_settings

    monkeypatch.setattr(get_settings(), "db_pool_size", 1)
    monkeypatch.setattr(get_settings(), "db_pool_timeout", 0.2)
    engine = create_engine(url=Settings(database_url=os.environ["TEST_DATABASE_URL"]).database_url)
    try:
        async with engine.connect() as busy, engine.connect() as overflow:  # the pool holds 2 × 1
            await busy.execute(select(1))
            await overflow.execute(select(1))
            with pytest.raises(PoolTimeout):
                async with engine.connect():
                    pass
        async with engine.connect() as served:
            assert (await served.execute(select(1))).scalar() == 1
    finally:
        await engine.dispose()


async def test_the_checkout_check_is_a_writers_begin_and_a_readers_select(app, database):
    """A pooled connection answers before it is handed out (issue 21). To a session that writes, the
    check is its transaction's BEGIN (issue 22: no round trip of its own); to one that only reads, a
    `SELECT 1`, leaving no transaction to end when the connection goes back."""
    if database != "postgresql":
        pytest.skip("the checkout check is PostgreSQL's")
    async with real_database(database, app):
        in_transaction = {}
        for _ in range(2):  # a connection's first checkout connects, and is not checked
            for name, opened in (("reads", reading), ("writes", db.sessions)):
                async with opened() as session:
                    raw = await (await session.connection()).get_raw_connection()
                    in_transaction[name] = raw.dbapi_connection._transaction is not None
        assert in_transaction == {"reads": False, "writes": True}
