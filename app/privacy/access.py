"""The access log of personal data: who read whose head name, phone or address, when, through which
route, and for an export which file.

Reads are noted in memory (`record`, `page`), not on the request path: a note is a dict update. The
notes of one caller for the same thing on the same day fold into one entry with a count, in memory
and again in the table (an upsert on `actor_id, day, fold_key`). They are written in batches by
`flush`: when `FLUSH_ENTRIES` distinct entries wait, every `FLUSH_SECONDS` (the app's lifespan runs
`keep_flushing`), at shutdown, and before the log is read in this process.

Bound on loss: a worker killed without its shutdown (SIGKILL, power loss) loses the entries noted in
its last `FLUSH_SECONDS` seconds, at most `FLUSH_ENTRIES` distinct entries (per worker). While the
database is down the entries wait, up to `MAX_PENDING`, and a kill then loses what waited; past it new
ones are dropped and counted (`access_log_dropped_total`). An export (`exported`) names thousands of
records at once: those are written before the file is sent, in a transaction of their own.
"""

import asyncio
import contextlib
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.principal import Principal
from app.core import metrics
from app.core.config import get_settings
from app.core.db import session_scope
from app.core.ids import uuid7
from app.models import AccessLog

FLUSH_ENTRIES = 1000
FLUSH_SECONDS = 2.0
MAX_PENDING = 50_000
MAX_FILTER = 500
# What a caller typed to search (a name, a phone): the log notes that a search was made and which
# records it returned, never the text (it would keep an erased household's name and phone).
SEARCH_PARAMETERS = frozenset({"q"})
SEARCHED = "*"
log = logging.getLogger(__name__)

# The route template of the request being served (`/api/v1/households/{household_id}`), set by the
# HTTP layer when it knows the caller; outside a request, "cli".
route: ContextVar[Callable[[], str] | None] = ContextVar("access_route", default=None)


@dataclass(slots=True)
class Entry:
    day: date
    first_at: datetime
    last_at: datetime
    actor_id: uuid.UUID
    actor_name: str
    actor_kind: str
    route: str
    resource: str
    record_id: str | None
    record_ids: str | None
    filter: str | None
    file: str | None
    unit_id: uuid.UUID | None
    fold_key: str
    count: int = 1


_pending: dict[tuple[uuid.UUID, date, str], Entry] = {}
_flushing: set[asyncio.Task] = set()


def enabled() -> bool:
    return get_settings().access_log_personal


def sees_personal(principal: Principal) -> bool:
    """The caller receives personal fields: everyone who may read the record, except a read-only API
    key (an integration reads counts and rosters, not people's phones)."""
    return not (principal.is_api_key and principal.read_only)


def _note(
    principal: Principal,
    resource: str,
    unit_id: uuid.UUID | None,
    *,
    record_id: str | None = None,
    record_ids: str | None = None,
    filter: str | None = None,
    file: str | None = None,
) -> None:
    now = datetime.now(UTC)
    where = _route()
    fold = _fold(where, resource, record_id or "", record_ids or "", filter or "", file or "")
    key = (principal.id, now.date(), fold)
    entry = _pending.get(key)
    if entry is not None:
        entry.count += 1
        entry.last_at = now
        return
    if len(_pending) >= MAX_PENDING:
        metrics.ACCESS_LOG_DROPPED.inc()
        return
    kind = "api_key" if principal.is_api_key else "user"
    _pending[key] = Entry(
        now.date(), now, now, principal.id, principal.name[:100], kind, where, resource,
        record_id, record_ids, filter, file, unit_id, fold,
    )  # fmt: skip
    if len(_pending) >= FLUSH_ENTRIES:
        _flush_soon()


def _route() -> str:
    template = route.get()
    return (template() if template is not None else "cli")[:200]


def _fold(*parts: str) -> str:
    """What makes two reads the same entry (with the caller and the day)."""
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()


def record(
    principal: Principal, resource: str, record_id: Any, unit_id: uuid.UUID | None, *, file: str | None = None
) -> None:
    """One record's personal fields read by id, or exported in `file`."""
    if enabled():
        _note(principal, resource, unit_id, record_id=str(record_id), file=file[:200] if file else None)


async def exported(
    principal: Principal, resource: str, records: Iterable[tuple[Any, uuid.UUID | None]], file: str
) -> None:
    """An export of `records` (their ids and units) in `file`: one entry per record, written at once
    in a transaction of its own (an export can name thousands: not through the buffer)."""
    if not enabled():
        return
    now = datetime.now(UTC)
    kind = "api_key" if principal.is_api_key else "user"
    where, file = _route(), file[:200]
    entries = {}
    for record_id, unit_id in records:
        record_id = str(record_id)
        fold = _fold(where, resource, record_id, "", "", file)
        entries[fold] = Entry(
            now.date(), now, now, principal.id, principal.name[:100], kind, where, resource,
            record_id, None, None, file, unit_id, fold,
        )  # fmt: skip
    async with session_scope() as session:
        for start in range(0, len(entries), FLUSH_ENTRIES):
            await write(session, list(entries.values())[start : start + FLUSH_ENTRIES])


def page(
    principal: Principal,
    resource: str,
    ids: Iterable[Any],
    filters: dict[str, Any],
    unit_id: uuid.UUID | None,
) -> None:
    """A list or change-feed page: its filter (the query's parameters that were set, a search text as
    `q=*`) and the ids it returned. Belongs to the unit it was filtered to, else to the caller's own
    unit."""
    if not enabled():
        return
    ids = " ".join(str(i) for i in ids)
    if not ids:
        return
    given = ((k, SEARCHED if k in SEARCH_PARAMETERS else str(v)) for k, v in filters.items() if v is not None)
    query = urlencode(sorted(given))[:MAX_FILTER]
    _note(principal, resource, unit_id or _home(principal), record_ids=ids, filter=query or None)


def _home(principal: Principal) -> uuid.UUID | None:
    """The caller's one unit (None for an admin, or for a caller with grants in several units)."""
    units = {g.unit_id for g in principal.grants}
    return units.pop() if len(units) == 1 else None


def without_search_text(filter: str) -> str:
    """A stored filter with its search text replaced by `*` (entries written before the log stopped
    keeping it)."""
    pairs = parse_qsl(filter, keep_blank_values=True)
    return urlencode([(k, SEARCHED if k in SEARCH_PARAMETERS else v) for k, v in pairs])[:MAX_FILTER]


async def redact_search_text(session: AsyncSession) -> int:
    """Take the search text out of every stored filter that still holds one; returns how many entries
    changed (0 when run again). Run by erasure and by the retention job."""
    candidates = or_(*(AccessLog.filter.contains(f"{name}=", autoescape=True) for name in SEARCH_PARAMETERS))
    changed, last = 0, None
    while True:
        query = select(AccessLog).where(candidates).order_by(AccessLog.id).limit(FLUSH_ENTRIES)
        rows = list(await session.scalars(query if last is None else query.where(AccessLog.id > last)))
        if not rows:
            return changed
        for row in rows:
            if (redacted := without_search_text(row.filter)) != row.filter:
                row.filter = redacted
                changed += 1
        await session.flush()
        last = rows[-1].id


def pending() -> int:
    return len(_pending)


def clear() -> None:
    """Forget what waits (tests)."""
    _pending.clear()


def _flush_soon() -> None:
    try:
        task = asyncio.get_running_loop().create_task(flush())
    except RuntimeError:  # no loop: the next flush takes them
        return
    _flushing.add(task)
    task.add_done_callback(_flushing.discard)


async def flush() -> int:
    """Write what waits, in one transaction; on failure it waits again (up to `MAX_PENDING`)."""
    global _pending
    if not _pending:
        return 0
    batch, _pending = _pending, {}
    try:
        async with session_scope() as session:
            await write(session, batch.values())
    except Exception:
        log.warning("access log: %d entries not written; kept for the next flush", len(batch))
        for key, entry in batch.items():
            waiting = _pending.get(key)
            if waiting is not None:
                waiting.count += entry.count
                waiting.first_at = entry.first_at
            elif len(_pending) < MAX_PENDING:
                _pending[key] = entry
            else:
                metrics.ACCESS_LOG_DROPPED.inc()
        raise
    return len(batch)


async def write(session: AsyncSession, entries: Iterable[Entry]) -> None:
    """Upsert entries: a fold already in the table adds its count and moves `last_at`."""
    rows = [asdict(entry) | {"id": uuid7()} for entry in entries]
    if not rows:
        return
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(AccessLog)
    statement = statement.on_conflict_do_update(
        index_elements=["actor_id", "day", "fold_key"],
        set_={
            "count": AccessLog.__table__.c["count"] + statement.excluded["count"],
            "last_at": statement.excluded.last_at,
        },
    )
    await session.execute(statement, rows)


async def keep_flushing() -> None:
    """Flush every `FLUSH_SECONDS` until cancelled (the app's lifespan flushes once more after)."""
    while True:
        await asyncio.sleep(FLUSH_SECONDS)
        with contextlib.suppress(Exception):  # logged by flush; the entries wait for the next round
            await flush()
