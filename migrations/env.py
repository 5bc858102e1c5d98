"""Alembic environment: async, the URL from settings (or the caller), batch mode on SQLite."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table
from app.core.db import create_engine

config = context.config
target_metadata = SQLModel.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_engine(url=config.get_main_option("sqlalchemy.url") or None)
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
        await connection.commit()
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)  # called from code that already holds a connection (tests, CLI)
else:
    asyncio.run(run_online())
