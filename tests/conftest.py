"""Test harness: migrations once per database, each test inside a transaction that is rolled back.

Runs on SQLite always, and on PostgreSQL too when TEST_DATABASE_URL is set: every test is
parametrized by the `database` fixture, so ids read `test_x[sqlite]` and `test_x[postgresql]`.
"""

import os
import tempfile

os.environ.update(
    ENVIRONMENT="test",
    SECRET_KEY="test-secret-key-that-is-long-enough-0123456789",
    ARGON2_MEMORY_KIB="64",
    ARGON2_TIME_COST="1",
    CORS_ORIGINS="[]",
)
os.environ.pop("DATABASE_URL", None)

import httpx  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker  # noqa: E402

from app.auth.principals import cache as principal_cache  # noqa: E402
from app.auth.service import login_failures  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import create_engine, db  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.privacy import access  # noqa: E402
from tests.world import World, build_world  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL")
# The access log of personal data is written when a test reads it (GET /access-log flushes), never by
# a flush in the background in the middle of another test's transaction.
access.FLUSH_ENTRIES = 10**9
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
async def engine(request) -> AsyncEngine:
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL run skipped")
        url = Settings(database_url=PG_URL).database_url
        engine = create_engine(url=url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    else:
        path = os.path.join(tempfile.mkdtemp(prefix="cnscd-test-"), "test.db")
        engine = create_engine(url=f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine):
    """One connection and an outer transaction per test; every session commits to a savepoint."""
    access.clear()  # entries noted by an earlier test, whose rows are rolled back
    async with engine.connect() as conn:
        transaction = await conn.begin()
        db._engine = engine
        db._sessions = async_sessionmaker(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield conn
        finally:
            db._engine = db._sessions = None
            await transaction.rollback()


@pytest.fixture
async def session(connection):
    async with db.sessions() as session:
        yield session


@pytest.fixture(scope="session")
def app():
    from api.main import create_app

    return create_app()


@pytest.fixture
async def client(app, connection):
    login_failures.clear()
    principal_cache.clear()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def world(session) -> World:
    world = await build_world(session)
    await session.commit()
    return world


@pytest.fixture
def database(engine) -> str:
    return engine.dialect.name
