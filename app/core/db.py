"""Async engines for SQLite (embedded default) and PostgreSQL (production), and the session factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.core.config import Settings, get_settings


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
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        pool_timeout=10,
        connect_args={"command_timeout": 30, "timeout": 5},
        # Error messages (and so logs) never carry the values of a statement: names, phone numbers.
        hide_parameters=True,
    )


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    """Foreign keys on, WAL, and BEGIN issued by us so SAVEPOINTs work (SQLAlchemy's aiosqlite recipe).

    BEGIN IMMEDIATE takes the write lock up front: two deferred transactions that both upgrade to
    writing would fail with "database is locked" instead of waiting on busy_timeout.
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
        conn.exec_driver_sql("BEGIN IMMEDIATE")


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


async def ping() -> bool:
    """True when the database answers a query."""
    try:
        async with db.sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
    return True
