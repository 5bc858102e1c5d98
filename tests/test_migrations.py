"""`alembic upgrade head` builds exactly the schema the models describe, on each database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import app.models  # noqa: F401


def _diff(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)


async def test_migrations_match_the_models(connection):
    diff = await connection.run_sync(_diff)
    assert diff == [], f"models and migrations differ: {diff}"
