"""A database where requests really run at the same time: its own engine and pool, every session
committing for real (the per-test transaction of `conftest.py` serialises everything on one
connection). SQLite: a fresh file; PostgreSQL: a database of its own beside TEST_DATABASE_URL's,
its schema recreated per test. The caller gets a client of the app and the engine."""

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.auth.principals import cache as principal_cache
from app.core.config import Settings
from app.core.db import create_engine, db
from app.core.migrate import upgrade
from app.core.throttle import throttle


async def _postgresql_url() -> str:
    base = make_url(Settings(database_url=os.environ["TEST_DATABASE_URL"]).database_url)
    url = base.set(database=f"{base.database}_real")
    plain = base.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(plain)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", url.database):
            await conn.execute(f'CREATE DATABASE "{url.database}"')
    finally:
        await conn.close()
    return url.render_as_string(hide_password=False)


@asynccontextmanager
async def real_database(kind: str, app) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncEngine]]:
    if kind == "postgresql":
        engine = create_engine(url=await _postgresql_url())
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
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
