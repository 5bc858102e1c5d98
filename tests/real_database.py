"""A database where requests really run at the same time: its own engine and pool, every session
committing for real (the per-test transaction of `conftest.py` serialises everything on one
connection). SQLite: a fresh file; PostgreSQL: a database of its own beside TEST_DATABASE_URL's,
created for the test and dropped after it. The caller gets a client of the app and the engine."""

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.auth.principals import cache as principal_cache
from app.core.config import Settings
from app.core.db import create_engine, db
from app.core.migrate import upgrade
from app.core.throttle import throttle


def _postgresql_urls() -> tuple[str, str]:
    """TEST_DATABASE_URL's server (as asyncpg takes it) and the URL of the database beside it."""
    base = make_url(Settings(database_url=os.environ["TEST_DATABASE_URL"]).database_url)
    server = base.set(drivername="postgresql").render_as_string(hide_password=False)
    return server, base.set(database=f"{base.database}_real").render_as_string(hide_password=False)


async def _on_server(server: str, *statements: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@asynccontextmanager
async def real_database(kind: str, app) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncEngine]]:
    if kind == "postgresql":
        server, url = _postgresql_urls()
        name = make_url(url).database
        await _on_server(
            server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
        )
        engine = create_engine(url=url)
    else:
        path = os.path.join(tempfile.mkdtemp(prefix="cnscd-real-"), "real.db")
        engine = create_engine(url=f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    saved = db._engine, db._sessions
    db._engine, db._sessions = engine, async_sessionmaker(engine, expire_on_commit=False)
    throttle.clear()
    principal_cache.clear()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, engine
    finally:
        db._engine, db._sessions = saved
        principal_cache.clear()
        await engine.dispose()
        if kind == "postgresql":
            await _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
