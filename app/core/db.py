"""Async engines for SQLite (embedded default) and PostgreSQL (production), and the session factory.

PostgreSQL is bounded in time: connecting and checking a pooled connection take at most
`db_connect_timeout`, a statement `db_statement_timeout` (on the server, and on the client a little
later for a network that hangs). Once the database fails to answer, this worker knows it is down
(`Availability`): requests are refused at once (503, never a wait), one of them tries again every
`db_retry_seconds`, and the first that gets through brings everything back.
"""

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import queue as sqla_queue
from sqlalchemy.util.concurrency import await_

from app.core.config import Settings, get_settings

# SQLSTATEs that mean "no database right now": connection exceptions (08), shutting down or starting
# up (57P01-57P03), too many connections (53300).
OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
CLIENT_MARGIN = 5.0  # seconds the client waits for a statement beyond the server's own timeout
# A pooled connection answers `SELECT 1` within this (or `db_connect_timeout`, if shorter) before it is
# handed out: a hung database is a 503 within a second, not after the connect timeout (issue 21).
CHECK_TIMEOUT = 0.5


class DatabaseUnavailable(ConnectionError):
    """The database is known to be down: refused without trying it."""


def error_chain(exc: BaseException) -> Iterator[BaseException]:
    """The error and the driver's own under it, as raised (asyncpg at connect) or wrapped (`orig`,
    `__cause__`)."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return
        yield seen
        seen = getattr(seen, "orig", None) or seen.__cause__


def sqlstate(exc: BaseException) -> str:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return state if isinstance(state, str) else ""


def is_outage(exc: BaseException) -> bool:
    """The database cannot be reached (refused, reset, timed out, shutting down, pool exhausted), as
    opposed to a bad statement: the request may succeed when retried, so it is a 503, not a 500."""
    if isinstance(exc, OSError | PoolTimeout):  # ConnectionRefusedError, reset, TimeoutError
        return True
    if isinstance(exc, DBAPIError) and (exc.connection_invalidated or isinstance(exc, OperationalError)):
        return True
    for seen in error_chain(exc):
        if sqlstate(seen).startswith(OUTAGE_SQLSTATES):
            return True
        if isinstance(seen, asyncpg.InternalClientError):
            # A connection whose server died under a statement: asyncpg's protocol is left in the
            # middle of it ("cannot switch to state …"), the connection unusable (issue 21: a 500).
            return True
        if isinstance(seen, OSError) or "connection is closed" in str(seen)[:200]:
            return True
    return False


class Availability:
    """What this worker knows of its database: up, or down until the next try. While down, a request
    for a connection is refused at once, except one every `db_retry_seconds`, which tries."""

    clock = staticmethod(time.monotonic)

    def __init__(self) -> None:
        self.retry_at: float | None = None  # None: up

    def admit(self) -> None:
        if self.retry_at is None:
            return
        now = self.clock()
        if now < self.retry_at:
            raise DatabaseUnavailable("The database did not answer: not trying again yet")
        # This request tries; the others are refused while it does (it takes a connect timeout at most).
        self.retry_at = now + get_settings().db_connect_timeout + 1

    def failed(self) -> None:
        self.retry_at = self.clock() + get_settings().db_retry_seconds

    def succeeded(self) -> None:
        self.retry_at = None


class FairQueue(sqla_queue.AsyncAdaptedQueue):
    """The pool's idle connections, handed out first come, first served. With asyncio's queue a
    request arriving as a connection came back took it, and the request that had waited for it
    queued again at the back: under load some waited the whole pool timeout (503) while newcomers
    went through. Here a connection coming back goes straight to the longest waiter."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._idle: deque = deque()
        self._waiters: deque[asyncio.Future] = deque()

    def empty(self) -> bool:
        return not self._idle

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._idle)

    def qsize(self) -> int:
        return len(self._idle)

    def put_nowait(self, item) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # not given up
                waiter.set_result(item)
                return
        if self.full():
            raise sqla_queue.Full()
        self._idle.append(item)

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)  # never waits: the pool returns no more than it handed out

    def get_nowait(self):
        if not self._idle:
            raise sqla_queue.Empty()
        return self._idle.pop() if self.use_lifo else self._idle.popleft()

    def get(self, block: bool = True, timeout: float | None = None):
        if self._idle or not block:
            return self.get_nowait()  # an idle connection means nobody waits
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return await_(self._wait(waiter, timeout))

    async def _wait(self, waiter: asyncio.Future, timeout: float | None):
        try:
            return await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            raise sqla_queue.Empty() from None
        except BaseException:  # cancelled as the connection arrived: it goes to the next in line
            if waiter.done() and not waiter.cancelled():
                self.put_nowait(waiter.result())
            raise


def _guarded_pool(availability: Availability) -> type[AsyncAdaptedQueuePool]:
    """The pool, asking `availability` before handing out a connection and telling it how that went
    (a class per engine: SQLAlchemy recreates a pool from its class); waiters served in order."""

    class GuardedPool(AsyncAdaptedQueuePool):
        _queue_class = FairQueue

        def connect(self):
            availability.admit()
            try:
                connection = super().connect()
            except PoolTimeout:
                raise  # every connection busy: load, not an outage
            except Exception as exc:
                if is_outage(exc):
                    availability.failed()
                raise
            availability.succeeded()
            return connection

    return GuardedPool


def upsert_insert(dialect_name: str):
    """The dialect's INSERT, the one with ON CONFLICT (PostgreSQL's and SQLite's spell it alike)."""
    return pg_insert if dialect_name == "postgresql" else sqlite_insert


def create_engine(settings: Settings | None = None, url: str | None = None) -> AsyncEngine:
    settings = settings or get_settings()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        _sqlite_pragmas(engine)
        return engine
    availability = Availability()
    engine = create_async_engine(
        url,
        poolclass=_guarded_pool(availability),
        # Up to twice DB_POOL_SIZE, all kept: an overflow connection was closed as it came back to a
        # full pool and opened again at the next burst (a connect, a new backend, every statement
        # prepared anew: ~55 more in a 10 s write bench, whose p99 was 90–105 ms against 60–68 kept).
        pool_size=2 * settings.db_pool_size,
        max_overflow=0,
        pool_recycle=1800,
        pool_timeout=settings.db_pool_timeout,
        connect_args={
            "timeout": settings.db_connect_timeout,
            "command_timeout": settings.db_statement_timeout + CLIENT_MARGIN,
            "server_settings": {
                "statement_timeout": str(int(settings.db_statement_timeout * 1000)),
                # asyncpg prepares every statement, and after five runs PostgreSQL may switch to a
                # generic plan, blind to the parameters. The scope's path prefix was the case found
                # (a village count of a province: 2 ms, then 35 ms); it is an index range now, bounded
                # in any plan, but a generic plan can still be the worse one (`kpi.engine.naive_sums`,
                # 2.8× slower): only a reading session that asks for them keeps them (`reading`).
                "plan_cache_mode": PLANS_FOR_VALUES,
            },
        },
        # Error messages (and so logs) never carry the values of a statement: names, phone numbers.
        hide_parameters=True,
    )
    _check_on_checkout(engine, min(settings.db_connect_timeout, CHECK_TIMEOUT))
    _probe_quickly(engine, availability, min(settings.db_connect_timeout, CHECK_TIMEOUT))
    _run_what_goes_first(engine)
    return engine


# In a connection's `info`: a coroutine function to await before the connection's next statement or
# its commit, once (writes held back to go with a later one, `app.core.batch.hold`). A rollback, or
# the connection's return to the pool, drops it.
BEFORE_NEXT = "before_next"


def _run_what_goes_first(engine: AsyncEngine) -> None:
    """What a connection holds back (`BEFORE_NEXT`) goes before a statement of the ORM's or a Core
    statement through the session, and before the commit (the driver's own statements ask themselves,
    `app.core.driver`). These listeners run in SQLAlchemy's sync code, so they wait with `await_`."""

    def run_first(conn, *_args) -> None:  # pragma: no cover - driver callback
        if (before := conn.info.pop(BEFORE_NEXT, None)) is not None:
            await_(before())

    def drop(conn, *_args) -> None:  # pragma: no cover - driver callback
        if not conn.invalidated:  # an invalidated connection's info goes with it (and raises)
            conn.info.pop(BEFORE_NEXT, None)

    event.listen(engine.sync_engine, "before_cursor_execute", run_first)
    event.listen(engine.sync_engine, "commit", run_first)
    event.listen(engine.sync_engine, "rollback", drop)

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:  # pragma: no cover - driver callback
        record.info.pop(BEFORE_NEXT, None)


def _probe_quickly(engine: AsyncEngine, availability: Availability, timeout: float) -> None:
    """While the database is known to be down, the one request that tries again connects within
    `timeout`, not the connect timeout (a hung server would hold it, and its 503, for 2 s): a server
    that is back answers a connection in milliseconds."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(_dialect, _record, _cargs, cparams):  # pragma: no cover - driver callback
        if availability.retry_at is not None:
            cparams["timeout"] = min(cparams.get("timeout", timeout), timeout)


def _check_on_checkout(engine: AsyncEngine, timeout: float) -> None:
    """A pooled connection answers within `timeout` before it is handed out (SQLAlchemy's pre-ping
    would wait for the 30 s statement timeout on a database that hangs); a new one has just proved
    itself by connecting. A failure is the pool's, which marks the database down.

    For a session that writes, what it answers is the BEGIN of the transaction SQLAlchemy's asyncpg
    adapter would begin before its first statement anyway: the check costs no round trip of its own.
    A session that only reads (`reading`) is checked with `SELECT 1`: its statements on the driver
    need no transaction, which would cost a ROLLBACK when the connection goes back. When the session
    wants other plans than the connection has (`reading(keep_plans=…)`), the check sets them instead
    of `SELECT 1`; a writer after a reader that kept them sets them back before its BEGIN."""

    @event.listens_for(engine.sync_engine, "connect")
    def _fresh(_dbapi_connection, record):  # pragma: no cover - driver callback
        record.info["fresh"] = True
        record.info[_PLANS] = PLANS_FOR_VALUES  # the server setting's

    async def check(adapted, info: dict) -> None:
        connection = adapted.driver_connection
        plans = PLANS_KEPT if _reading.get() and _keeping_plans.get() else PLANS_FOR_VALUES
        try:
            if _reading.get():
                if info.get(_PLANS) == plans:
                    await connection.fetchval("SELECT 1", timeout=timeout)
                else:  # the same round trip sets the session's plans
                    await connection.fetchval(_SET_PLANS, plans, timeout=timeout)
            else:
                async with asyncio.timeout(timeout):
                    if info.get(_PLANS) != plans:  # after a reading session that kept plans: rare
                        await connection.fetchval(_SET_PLANS, plans)
                    await adapted._start_transaction()  # the adapter's own BEGIN: its state knows it
            info[_PLANS] = plans
        except BaseException as exc:
            connection.terminate()  # at once: a graceful close would wait on the hung server again
            if isinstance(exc, Exception) and not is_outage(exc):
                # A connection whose server died under it can fail its check in the driver's own way
                # (asyncpg's InternalClientError, "cannot switch to state"): unusable, so an outage.
                raise ConnectionResetError("the pooled connection failed its check") from exc
            raise

    @event.listens_for(engine.sync_engine, "checkout")
    def _check(dbapi_connection, record, _proxy):  # pragma: no cover - driver callback
        if not record.info.pop("fresh", False):
            dbapi_connection.run_async(lambda _connection: check(dbapi_connection, record.info))


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    """Foreign keys on, WAL, and BEGIN issued by us so SAVEPOINTs work (SQLAlchemy's aiosqlite recipe).

    BEGIN IMMEDIATE takes the write lock up front: two deferred transactions that both upgrade to
    writing would fail with "database is locked" instead of waiting on busy_timeout. A session that
    only reads (`reading`) begins deferred: in WAL mode it neither takes nor waits for the write lock.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - driver callback
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn):  # pragma: no cover - driver callback
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


READ_ONLY = "sqlite_read_only"
_reading: ContextVar[bool] = ContextVar("reading", default=False)  # a connection checked out to read
_keeping_plans: ContextVar[bool] = ContextVar("keeping_plans", default=False)  # …that may keep generic plans
# PostgreSQL's `plan_cache_mode` of a connection: every statement planned for its values, or generic
# plans kept where PostgreSQL finds them no worse. In the pool record's info, the connection's own.
PLANS_FOR_VALUES, PLANS_KEPT, _PLANS = "force_custom_plan", "auto", "plan_cache_mode"
_SET_PLANS = "SELECT set_config('plan_cache_mode', $1, false)"


class Database:
    """One engine and session factory per process, created lazily so settings can change in tests."""

    def __init__(self) -> None:
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self.on_dispose: list = []  # more engines to close with this one (app/core/replica.py)

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = create_engine()
            self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        return self._engine

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        self.engine  # noqa: B018 - creates the factory on first use
        assert self._sessions is not None
        return self._sessions

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = self._sessions = None
        for dispose in self.on_dispose:
            await dispose()


db = Database()


@asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    """A unit of work outside HTTP (CLI, jobs): commit on success, roll back on error."""
    async with db.sessions() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


@asynccontextmanager
async def reading(keep_plans: bool = False) -> AsyncIterator[AsyncSession]:
    """A session that only reads: on SQLite its transaction begins deferred, so reads go on while
    a writer holds the lock (a write in it fails: never write through one).

    `keep_plans`: on PostgreSQL its statements may run on generic plans, made once, not planned for
    each run's values (`PLANS_KEPT`; set by the checkout check, in its one round trip). Only for
    statements measured to gain and checked to be bounded in a generic plan (a commune's household
    page: its planning was a third of PostgreSQL's time a page, tests/test_scope_plan.py)."""
    async with db.sessions() as session:
        tokens = _reading.set(True), _keeping_plans.set(keep_plans)
        try:
            await session.connection(execution_options={READ_ONLY: True})
        finally:
            _reading.reset(tokens[0])
            _keeping_plans.reset(tokens[1])
        yield session


async def ping() -> bool:
    """True when the database answers a query."""
    try:
        async with db.sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
    return True
