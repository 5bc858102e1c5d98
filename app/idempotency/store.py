"""Idempotency keys for POST (the IETF httpapi draft): the same key and body replay the first
response; the same key with another body is 422. The key is claimed, and answered, in the request's
own transaction (`api.idempotency`): a retry while the first is running waits for its claim's row,
then replays its answer, or claims the key afresh if the first rolled back."""

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import batch
from app.core.db import upsert_insert
from app.core.driver import execute
from app.core.errors import Invalid
from app.models import IdempotencyKey

TABLE = IdempotencyKey.__table__  # Core statements: the ORM's cost nothing here needs

KEEP = timedelta(days=7)  # the contract promises at least this long
BUSY = "A request with this Idempotency-Key is still being processed: retry later"


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: dict[str, str]
    body: bytes


async def claim(
    session: AsyncSession, caller_id: uuid.UUID, key: str, fingerprint: str
) -> StoredResponse | None:
    """The stored response to replay, or None after claiming the key for this request."""
    now = datetime.now(UTC)
    # A new key (nearly every request): claimed in one statement. A key in use is read and locked.
    values = {"caller_id": caller_id, "key": key, "fingerprint": fingerprint, "created_at": now}
    if await execute(session, _claim_new(session.bind.dialect.name), **values) == 1:
        return None
    row = await session.get(IdempotencyKey, (caller_id, key), with_for_update=True)
    if row is not None and row.created_at < now - KEEP:
        await session.delete(row)
        await session.flush()
        row = None
    if row is None:
        session.add(IdempotencyKey(caller_id=caller_id, key=key, fingerprint=fingerprint, created_at=now))
        await session.flush()
        return None
    if row.fingerprint != fingerprint:
        raise Invalid(
            "This Idempotency-Key was already used for a different request", loc=["header", "Idempotency-Key"]
        )
    return StoredResponse(row.status_code, dict(row.headers or {}), row.body or b"")


CLAIM = ("caller_id", "key", "fingerprint", "created_at")
ANSWER = ("status_code", "headers", "body")


@functools.cache
def _claim_new(dialect: str):
    return upsert_insert(dialect)(TABLE).values(batch.parameters(TABLE, CLAIM, "")).on_conflict_do_nothing()


async def answer(
    session: AsyncSession, caller_id: uuid.UUID, key: str, fingerprint: str, response: StoredResponse
) -> None:
    """Keep the response for replay, in the request's transaction, with the writes it holds
    (`app.core.batch.hold`): onto the claim made in it, or as a new row when the route rolled back
    (an error answer is kept too) and took the claim with it."""
    values = {
        "caller_id": caller_id,
        "key": key,
        "fingerprint": fingerprint,
        "created_at": datetime.now(UTC),
        "status_code": response.status_code,
        "headers": response.headers,
        "body": response.body,
    }
    await batch.release(session, [batch.Write(_answer(session.bind.dialect.name), values)])


@functools.cache
def _answer(dialect: str) -> batch.Template:
    def build(prefix: str):
        statement = upsert_insert(dialect)(TABLE).values(batch.parameters(TABLE, CLAIM + ANSWER, prefix))
        return statement.on_conflict_do_update(
            index_elements=[TABLE.c.caller_id, TABLE.c.key],
            set_={name: statement.excluded[name] for name in ANSWER},
        )

    return batch.Template(build)


async def purge(session: AsyncSession) -> int:
    """Delete keys older than the promised lifetime; returns how many."""
    result = await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < datetime.now(UTC) - KEEP)
    )
    return result.rowcount or 0


async def scrub(session: AsyncSession, needle: bytes, fix: Callable[[bytes], bytes | None]) -> int:
    """Rewrite the stored responses whose body holds `needle` with `fix(body)`, or delete those it
    returns None for (erasure: a replay must not bring back erased data). Returns how many."""
    contains = (
        text("position(CAST(:needle AS bytea) IN body) > 0")
        if session.bind.dialect.name == "postgresql"
        else text("instr(body, :needle) > 0")
    ).bindparams(needle=needle)
    rows = list(
        await session.scalars(select(IdempotencyKey).where(IdempotencyKey.body.is_not(None), contains))
    )
    for row in rows:
        body = fix(row.body)
        if body is None:
            await session.delete(row)
        else:
            row.body = body
    await session.flush()
    return len(rows)
