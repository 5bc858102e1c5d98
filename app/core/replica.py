"""Reads that tolerate a few seconds of staleness (KPIs, breakdowns, report exports) on a replica.

With `DATABASE_REPLICA_URL` set, `replica.read(fn, ...)` runs `fn(session, ...)` in a session on the
PostgreSQL streaming replica while it answers and replays at most `replica_max_lag_seconds` behind
the primary; otherwise in one on the primary. The check runs at most every `replica_check_seconds`
per process, one at a time; requests in between use its last answer. Writes and change feeds never
come here: a phone must see its own writes at once.

Two cases go to the primary inside one request: a `NotFound` on the replica (a record written a
moment ago may not have arrived yet) and a failure of the replica itself (which is then left alone
until the next check).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

import asyncpg
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import get_settings
from app.core.db import create_engine, db
from app.core.errors import NotFound

log = logging.getLogger("app.replica")
P = ParamSpec("P")
T = TypeVar("T")
# What a replica that is down, restarting or cancelling queries for recovery conflicts raises.
FAILURES = (SQLAlchemyError, OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)
CHECK_TIMEOUT = 5.0  # seconds a check may take before the replica counts as unreachable

# Seconds the replica's data is behind the primary. Caught up when it has replayed all the WAL it
# received and its WAL receiver runs; otherwise the age of the last transaction it replayed (which
# also grows while it is cut off from the primary). Not a replica at all: 0.
LAG = text(
    """SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
             AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0
        ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 'Infinity')
    END::float8"""
)


async def replay_lag(session: AsyncSession) -> float:
    """Seconds the database behind `session` lags its primary (0 for SQLite: no replication)."""
    if session.bind.dialect.name != "postgresql":
        return 0.0
    return float(await session.scalar(LAG))


class Replica:
    """The replica's engine, made on first use, and whether reads may go there now."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._usable = False
        self._checked_at: float | None = None
        self._lock = asyncio.Lock()
        self.lag: float | None = None  # seconds, at the last check (None: unreachable or unchecked)

    def sessions(self) -> async_sessionmaker[AsyncSession]:
        if self._sessions is None:
            settings = get_settings()
            self._engine = create_engine(settings, url=settings.database_replica_url)
            self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        return self._sessions

    async def usable(self) -> bool:
        """Configured, reachable and within the lag bound at the last check (made now if it is due)."""
        settings = get_settings()
        if not settings.database_replica_url:
            return False
        due = self._checked_at is None or self.clock() - self._checked_at >= settings.replica_check_seconds
        if due and not self._lock.locked():
            async with self._lock:
                self._set(*await self._check(settings.replica_max_lag_seconds))
        return self._usable

    async def _check(self, bound: float) -> tuple[bool, float | None]:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT), self.sessions()() as session:
                lag = await replay_lag(session)
        except FAILURES:
            return False, None
        return lag <= bound, lag

    def _set(self, usable: bool, lag: float | None) -> None:
        if usable != self._usable:
            state = "in use" if usable else "left for the primary"
            log.warning("read replica %s (lag %s s)", state, "unknown" if lag is None else f"{lag:.1f}")
        self._usable, self.lag, self._checked_at = usable, lag, self.clock()

    async def read(
        self, fn: Callable[Concatenate[AsyncSession, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`fn(session, ...)` on the replica when usable, else (or when it fails) on the primary."""
        if await self.usable():
            try:
                async with self.sessions()() as session:
                    return await fn(session, *args, **kwargs)
            except NotFound:
                pass  # perhaps not replicated yet: the primary decides
            except FAILURES as exc:
                log.warning("read replica failed (%s): reading from the primary", type(exc).__name__)
                self._set(False, None)
        async with db.sessions() as session:
            return await fn(session, *args, **kwargs)

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = self._sessions = None
        self._usable, self._checked_at, self.lag = False, None, None


replica = Replica()
db.on_dispose.append(replica.dispose)
