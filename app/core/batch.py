"""Writes that need nothing back, sent to the database in one round trip.

On PostgreSQL they go as one statement whose parts are data-modifying CTEs: each part runs exactly
once, every part sees the snapshot the statement started from, and constraints are checked as it
ends. SQLite has no network to save: there they run one by one, in order. So the parts must be
independent of each other: none may read what another writes, and no two may change the same row.

A round trip costs more than a small statement here (a `send` system call alone is ~0.1 ms on these
machines): a recorded activity's aggregate row, roll-up delta and audit row cost one, not three.
"""

from collections.abc import Sequence

from sqlalchemy import literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import UpdateBase


async def send(session: AsyncSession, writes: Sequence[UpdateBase]) -> None:
    """Run `writes` (statements with their values) in the session's transaction, in one statement on
    PostgreSQL."""
    if len(writes) > 1 and session.bind.dialect.name == "postgresql":
        parts = [write.cte(f"w{n}") for n, write in enumerate(writes)]
        await session.execute(select(literal_column("1")).add_cte(*parts))
        return
    for write in writes:
        await session.execute(write)
