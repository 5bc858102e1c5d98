"""The import of a file into a commune or a village: where, read and check, then write, all or nothing.

1. Where (`place`): the unit (404 outside the caller's area), the right to manage its households
   (403) and its villages, read in a short transaction of its own that ends before the file is read:
   on SQLite every transaction holds the write lock (app/core/db.py), and reading a file must not
   stop the other requests.
2. Read and check (`check_file`, in a worker thread, no database, within the budgets of `reading`,
   `workbook` and `MAX_ROWS`): every row against the household rules (`checks`).
3. In the caller's transaction: the place again (nothing moved meanwhile), the codes already used
   and the assigned members. A dry run returns the report here; a real import with any bad row raises
   `ImportRejected` (422, the report attached) having written nothing. Otherwise the rows and each
   one's first observation (its history, `app.kpi.observations`) are written (PostgreSQL: the
   driver's binary COPY, the next rows' search keys and counters computed in a thread while the
   server takes the previous ones; SQLite: executemany), inside a savepoint rolled back on failure;
   what they add to their villages' monthly KPI aggregates, summed as the rows were made, is added
   and the import is audited. The caller commits.
"""

import asyncio
import gc
import threading
import time
import uuid
from collections import Counter, namedtuple
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import BinaryIO

import asyncpg
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope
from app.core.driver import driver
from app.core.errors import Conflict, Invalid
from app.core.ids import uuid7
from app.households import rules
from app.households.imports import checks
from app.households.imports.checks import FIELDS, Checker, Place, Row, Village
from app.households.imports.columns import VILLAGE, Columns, find_header
from app.households.imports.errors import ImportRejected, TooLarge, unreadable
from app.households.imports.reading import open_table
from app.households.schemas import ImportReport, ImportRowError, ImportVillageCount
from app.kpi import aggregates, observations
from app.models import Household, Member, Unit
from app.models.base import utcnow
from app.records.closed import day_of, ensure_open

MAX_ERRORS = 1000  # errors listed in a report; all are counted
MAX_ROWS = 200_000  # household rows in a file: what is read is held until it is written
CHUNK_ROWS = 2000  # rows checked, or prepared for writing, at a time
COPY_ROWS = 10 * CHUNK_ROWS  # rows a COPY statement
Progress = Callable[[int, int | None, str], None]  # (rows done, rows expected or None, "check" or "write")

# What is written: the fields a row gives, then what the import adds; by name too, for
# `observations.first` (a tuple still, for the COPY).
COLUMNS = ("id", *FIELDS, "search_text", "sort_key", "version", "created_at", "updated_at", "deleted_at")
Record = namedtuple("Record", COLUMNS)
_HEAD, _CODE, _PHONE, _ADDRESS = (FIELDS.index(f) for f in ("head_name", "code", "phone", "address"))


@dataclass
class Checked:
    """A file read and checked: its rows, each with its problems."""

    format: str
    columns: Columns
    rows: list[Row]


async def import_households(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID,
    file: BinaryIO,
    *,
    filename: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
    observed_at: datetime | None = None,
) -> ImportReport:
    """Check (dry run) or import the households of `file` into the commune or village `unit_id`.

    Returns the report; a real import with any bad row writes nothing and raises `ImportRejected`
    (its `report` attached). A file that cannot be read is `Invalid` (loc ["file"]), one over a budget
    `TooLarge` (413). `timings`, when given, receives the seconds spent reading and checking
    ("read_check"), writing the households ("insert"), and writing their history and their villages'
    monthly aggregates ("history"). `observed_at` is when the file's facts were seen (default: now):
    the time of the households' first observations; they are recorded now (`created_at`). The file
    is read while no transaction of the import's is open: a caller whose session is in a transaction
    already holds its locks through the reading (on SQLite, the write lock).
    """
    clock = time.perf_counter()
    with _cyclic_gc_paused:
        day = day_of(observed_at)
        async with _reading(session) as reader:
            where = await place(reader, principal, unit_id, day)
        checked = await asyncio.to_thread(check_file, file, filename, where, progress)
        if await place(session, principal, unit_id, day) != where:
            raise Conflict(f"The villages of {where.name} changed while the file was read: import it again")
        await _check_against_database(session, checked.rows)
        report = _report(where, checked, dry_run)
        if timings is not None:
            timings.update(read_check=time.perf_counter() - clock, insert=0.0)
        if dry_run:
            return report
        if report.rows_invalid:
            raise ImportRejected(report)
        now = utcnow()
        spent = {"insert": 0.0, "history": 0.0}
        deltas = await _write(
            session, [row.values for row in checked.rows], progress, now, observed_at or now, spent
        )
        report.imported = len(checked.rows)
    villages = {village.unit_id: village.rows for village in report.villages}
    await _timed(spent, "history", aggregates.households_imported(session, deltas))
    if timings is not None:
        timings.update(spent)
    await record(
        session,
        principal,
        "import",
        "household_import",
        uuid7(),
        unit_id=where.id,
        after={
            "format": report.format,
            "filename": "".join(c for c in filename or "" if c.isprintable())[:255]
            or None,  # NUL breaks JSONB
            "rows": report.imported,
            "villages": {str(v): n for v, n in villages.items()},
            "village_count": len(villages),
        },
    )
    return report


class _GcPause:
    """The cyclic garbage collector off while imports run (on again when the last ends).

    An import holds its checked rows (a few small containers each, no cycles) until it writes them;
    the collector would walk them over and over: 1.4 of the 2.5 s of CPU that checking 100,000 rows
    took. Memory is freed by reference counting meanwhile; cycles made elsewhere wait a few seconds."""

    def __init__(self) -> None:
        self.imports, self.lock, self.was_on = 0, threading.Lock(), False

    def __enter__(self) -> None:
        with self.lock:
            if self.imports == 0:
                self.was_on = gc.isenabled()
                gc.disable()
            self.imports += 1

    def __exit__(self, *_) -> None:
        with self.lock:
            self.imports -= 1
            if self.imports == 0 and self.was_on:
                gc.enable()


_cyclic_gc_paused = _GcPause()


@asynccontextmanager
async def _reading(session: AsyncSession):
    """A session for what is read before the file: a short one of its own, over by the time the file
    is read; the caller's when that one is in a transaction already (its lock is held anyway)."""
    if session.in_transaction():
        yield session
        return
    async with AsyncSession(bind=session.bind, join_transaction_mode="create_savepoint") as short:
        yield short


async def place(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, day: date | None = None
) -> Place:
    """The commune or village `unit_id` and its open villages, if the caller may manage its households
    and the unit is open on `day` (the day the file's facts were seen; 409 `unit.closed` naming the
    unit that took it over)."""
    target = await get_unit_in_scope(session, principal, unit_id, needs=Permission.households_manage)
    if target.level not in {"commune", "village"}:
        raise Invalid("Import into a commune or a village", loc=["query", "unit_id"])
    await ensure_open(session, target, day, loc=["query", "unit_id"])
    if target.level == "village":
        villages = [Village(target.id, target.code, target.name, target.path)]
    else:
        found = await session.execute(
            select(Unit.id, Unit.code, Unit.name, Unit.path)
            .where(Unit.parent_id == target.id, Unit.level == "village", Unit.valid_to.is_(None))
            .order_by(Unit.code)
        )
        villages = [Village(*v) for v in found]
        if not villages:
            raise Invalid(f"{target.name} has no villages to import into", loc=["query", "unit_id"])
    return Place(target.id, target.name, target.level, tuple(villages))


def check_file(file: BinaryIO, filename: str | None, where: Place, progress: Progress | None) -> Checked:
    """Every row of the file, checked (blocking, no database: run it in a worker thread)."""
    table = open_table(file, filename)
    try:
        columns = find_header(table.rows)
        if where.village is None and VILLAGE not in columns.header_of:
            raise unreadable(
                "Importing into a commune: add a village column ('Thôn/Tổ dân phố'), the village's code or "
                "name on every row",
                "import.no_village_column",
            )
        checker = Checker(columns, where)
        expected = table.expected_lines - columns.header_line if table.expected_lines else None
        rows: list[Row] = []
        for chunk in _chunks(checker.data_rows(table.rows), CHUNK_ROWS):
            if len(rows) + len(chunk) > MAX_ROWS:
                raise TooLarge(f"The file has more than {MAX_ROWS:,} households: split it into several files")
            rows += checker.check(chunk)
            if progress:
                progress(len(rows), max(expected, len(rows)) if expected else None, "check")
    finally:
        table.close()
    if not rows:
        raise unreadable("The file has no household rows below its header", "import.no_rows")
    if progress:
        progress(len(rows), len(rows), "check")
    return Checked(table.format, columns, rows)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _report(where: Place, checked: Checked, dry_run: bool) -> ImportReport:
    header_of = checked.columns.header_of
    errors: list[ImportRowError] = []
    errors_total = rows_invalid = 0
    per_village: Counter[uuid.UUID] = Counter()
    for row in checked.rows:
        if not row.problems:
            per_village[row.village.id] += 1
            continue
        rows_invalid += 1
        errors_total += len(row.problems)
        for name, msg, code in row.problems:
            if len(errors) < MAX_ERRORS:
                errors.append(
                    ImportRowError(
                        line=row.line, column=header_of.get(name), field=name or None, msg=msg, code=code
                    )
                )
    rows_read = len(checked.rows)
    return ImportReport(
        unit_id=where.id,
        dry_run=dry_run,
        format=checked.format,
        header_line=checked.columns.header_line,
        columns={header: name for _, name, header in checked.columns.fields},
        unknown_columns=checked.columns.unknown,
        rows_read=rows_read,
        rows_valid=rows_read - rows_invalid,
        rows_invalid=rows_invalid,
        imported=0,
        errors_total=errors_total,
        errors=errors,
        villages=[
            ImportVillageCount(unit_id=v.id, code=v.code, name=v.name, rows=per_village[v.id])
            for v in sorted(where.villages, key=lambda v: (v.code, v.name))
            if per_village[v.id]
        ],
    )


async def _check_against_database(session: AsyncSession, rows: list[Row]) -> None:
    """The rules that need the database, read inside the caller's transaction: codes already used in
    the villages, assigned members of the village or its commune."""
    checks.codes_taken(
        rows, await _codes_in_use(session, {r.village.id for r in rows if r.code and r.village})
    )
    members = {member for row in rows if (member := checks.member_of(row)) is not None}
    checks.members_elsewhere(rows, await _member_paths(session, members))


async def _codes_in_use(session: AsyncSession, village_ids: set[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """The codes of the villages' households, in one query (per-chunk `code IN (…)` queries become a
    generic plan on PostgreSQL that compares every code with every row: 55 s for 100,000 rows)."""
    taken: dict[uuid.UUID, set[str]] = {v: set() for v in village_ids}
    if village_ids:
        result = await session.execute(
            select(Household.unit_id, Household.code).where(
                Household.unit_id.in_(village_ids),
                Household.code.is_not(None),
                Household.deleted_at.is_(None),
            )
        )
        for unit_id, code in result:
            taken[unit_id].add(code)
    return taken


async def _member_paths(session: AsyncSession, member_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Where the assigned members are (their unit's path), a thousand ids a query."""
    paths: dict[uuid.UUID, str] = {}
    for chunk in _chunks(member_ids, 1000):
        found = await session.execute(
            select(Member.id, Unit.path)
            .join(Unit, Unit.id == Member.unit_id)
            .where(Member.id.in_(chunk), Member.deleted_at.is_(None))
        )
        paths.update((member, path) for member, path in found)
    return paths


# --- writing -----------------------------------------------------------------------------------


def _records(values: list[tuple], now: datetime) -> list[Record]:
    """Rows as `COLUMNS`: the checked fields, and what the import adds (the rules' search text and
    sort key)."""
    new = tuple.__new__  # a Record without the keyword handling of its constructor
    return [
        new(
            Record,
            (
                uuid7(),
                *v,
                rules.search_text(v[_HEAD], v[_CODE], v[_PHONE], v[_ADDRESS]),
                rules.sort_key(v[_HEAD]),
                1,
                now,
                now,
                None,
            ),
        )
        for v in values
    ]


async def _write(
    session: AsyncSession,
    values: list[tuple],
    progress: Progress | None,
    now: datetime,
    at: datetime,
    spent: dict[str, float],
) -> observations.Deltas:
    """Insert every row, each with its first observation (seen at `at`), or none; the session stays
    usable either way. Returns what they add to their villages' months, summed as the rows were made.
    On PostgreSQL binary COPY on the session's connection, inside its transaction, fed as the rows
    are prepared, `COPY_ROWS` households a statement then their observations (each well within the
    statement timeout), their foreign keys' checks planned once (`_plans_kept`). `spent` receives
    the seconds of the households' statements ("insert") and of the observations' ("history")."""
    deltas = observations.no_deltas()
    chunks = _prepared(values, now, at, deltas, progress)
    savepoint = await session.begin_nested()
    try:
        if _postgres(session):
            connection = (await driver(session)).connection
            async with _plans_kept(connection):
                for _ in range(0, len(values), COPY_ROWS):
                    firsts: list[tuple] = []
                    rows = _rows(chunks, COPY_ROWS // CHUNK_ROWS, firsts)
                    copy = connection.copy_records_to_table
                    households = copy(Household.__tablename__, records=rows, columns=COLUMNS)
                    await _timed(spent, "insert", households)
                    history = copy(observations.TABLE.name, records=firsts, columns=observations.ROW)
                    await _timed(spent, "history", history)
        else:
            async for households, firsts in chunks:
                rows = [r._asdict() for r in households]
                await _timed(spent, "insert", session.execute(insert(Household.__table__), rows))
                history = [dict(zip(observations.ROW, r, strict=True)) for r in firsts]
                await _timed(spent, "history", session.execute(insert(observations.TABLE), history))
    except (IntegrityError, asyncpg.IntegrityConstraintViolationError):
        await savepoint.rollback()
        raise Conflict(
            "A household code was taken, or a village or member removed, while the file was importing: "
            "import it again"
        ) from None
    except BaseException:
        if savepoint.is_active:
            await savepoint.rollback()
        raise
    await savepoint.commit()
    return deltas


async def _timed(spent: dict[str, float], phase: str, write: Awaitable) -> None:
    """Await `write`, its seconds added to `spent[phase]` (the importer's own clock, `timings`)."""
    clock = time.perf_counter()
    await write
    spent[phase] += time.perf_counter() - clock


@asynccontextmanager
async def _plans_kept(connection: asyncpg.Connection):
    """PostgreSQL's usual plan caching for what runs inside (the engine asks it to plan every
    statement anew, `app.core.db`): a foreign key's check is a statement prepared once per
    connection and run for every row, three per household here, and planned anew for each it took
    4 s of the server's time per 100,000 households. Set in the transaction, then set back: a
    savepoint rolled back sets it back too."""
    previous = await connection.fetchval("SHOW plan_cache_mode")
    await connection.execute("SET LOCAL plan_cache_mode = auto")
    yield
    await connection.execute("SELECT set_config('plan_cache_mode', $1, true)", previous)


def _prepare(
    values: list[tuple], now: datetime, at: datetime, deltas: observations.Deltas
) -> tuple[list[Record], list[tuple]]:
    """`_records`, and their first observations (`observations.first`, their counts added to
    `deltas`)."""
    households = _records(values, now)
    return households, observations.first(households, at, deltas)


async def _prepared(
    values: list[tuple], now: datetime, at: datetime, deltas: observations.Deltas, progress: Progress | None
) -> AsyncIterator[tuple[list[Record], list[tuple]]]:
    """`_prepare` a chunk at a time, the next one in a worker thread while this one is written (on
    PostgreSQL the server's work and ours then overlap). One chunk is prepared at a time: `deltas`
    is never added to by two threads at once."""

    def prepare(start: int) -> asyncio.Future | None:
        chunk = values[start : start + CHUNK_ROWS]
        return asyncio.ensure_future(asyncio.to_thread(_prepare, chunk, now, at, deltas)) if chunk else None

    ahead = prepare(0)
    for start in range(0, len(values), CHUNK_ROWS):
        chunk = await ahead
        ahead = prepare(start + CHUNK_ROWS)
        yield chunk
        if progress:
            progress(start + len(chunk[0]), len(values), "write")


async def _rows(
    chunks: AsyncIterator[tuple[list[Record], list[tuple]]], count: int, firsts: list[tuple]
) -> AsyncIterator[tuple]:
    """The households of the next `count` chunks, one by one; their first observations go to
    `firsts`."""
    for _ in range(count):
        if (chunk := await anext(chunks, None)) is None:
            return
        households, observed = chunk
        firsts += observed
        for row in households:
            yield row


def _postgres(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"
