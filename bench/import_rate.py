"""Household import rate against its floor: a generated commune file of N rows (100,000 by default)
imported through `app.households.imports.run.import_households` (not HTTP) into PostgreSQL, timed by
phase, beside a raw binary COPY of the same rows in the same run.

The file is a commune's list (CSV UTF-8, then XLSX; `--import-format` picks one) naming one of 30
villages on every row. Phases: a dry run (read and check only), then the real import, split by the
importer's own clock into read and check, insert (the households), history and aggregates (their
first observations and their villages' monthly rows), and the commit.

The COPY floor is what a perfect importer would have to send, prepared beforehand and not timed: the
file's households as the table stores them (the importer's columns, `run.COLUMNS`) and each one's
first observation (`app.kpi.observations.ROW`), sent with asyncpg's binary `copy_records_to_table`
into the real tables, `households` then `household_observations`, with all their indexes (the trigram
GIN index too), constraints and foreign keys, holding the bench database's rows; in one
transaction, timed from the first COPY to the end of the second, then rolled back. It is measured
before and after the imports (the median is the floor); the goal is an import at ≥ 0.6× its rows/s.
The former floor, labelled "households only", is printed too: the households alone, committed into
a fresh empty table made `LIKE households INCLUDING ALL` (its indexes, no foreign keys, no
observations). For the XLSX file, reading every row with openpyxl's read-only mode and with
python-calamine is timed too. The benchmark makes its own province, commune and villages (codes
`IMPBENCH-…`) and deletes them, their households and the old floor's table afterwards, then vacuums
the two tables (`vacuum`).

    python -m bench.import_rate [--import-database-url URL] [--import-rows N] [--import-format csv|xlsx]
    python -m bench --only import_rate          # through the harness (results under bench/results/)
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

NAME = "import_rate"
DEFAULT_ROWS = 100_000
VILLAGES = 30
PREFIX = "IMPBENCH"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/cnscd_bench"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam"]
HEADER = [
    "STT", "Thôn/Tổ dân phố", "Mã hộ", "Họ tên chủ hộ", "Địa chỉ", "Số điện thoại", "Số nhân khẩu",
    "Số người trưởng thành", "Có điện thoại thông minh", "Kỹ năng số cơ bản", "Tài khoản VNeID",
    "Tài khoản DVC", "Thanh toán điện tử", "Chữ ký số", "Đã tuyên truyền", "Hộ kinh doanh",
    "Thanh toán không tiền mặt (hộ KD)", "Cần hỗ trợ", "Ghi chú",
]  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("import_rate")
    group.add_argument("--import-rows", type=int, default=DEFAULT_ROWS, help="rows in the generated file")
    group.add_argument("--import-format", action="append", choices=["csv", "xlsx"],
                       help="the file's format (default: both, one after the other)")  # fmt: skip
    default_url = os.environ.get("IMPORT_BENCH_DATABASE_URL") or os.environ.get("BENCH_DATABASE_URL")
    group.add_argument(
        "--import-database-url",
        default=default_url or DEFAULT_URL,
        help="the PostgreSQL database to import into (a bench or test database: rows are removed after)",
    )


def village_names() -> list[str]:
    quarters = ["Đông", "Tây", "Nam", "Bắc", "Trung"]
    return [f"Thôn {quarters[i % 5]} {i // 5 + 1}" for i in range(VILLAGES)]


def rows(count: int, seed: int = 20261010):
    """Deterministic, valid households: a third of them name their village by code, the rest by name."""
    rng = random.Random(seed)
    names = village_names()
    for i in range(count):
        v = rng.randrange(VILLAGES)
        village = f"{PREFIX}-V{v + 1:02d}" if i % 3 == 0 else names[v]
        members = rng.randint(1, 8)
        adults = rng.randint(1, members)
        business = rng.random() < 0.1
        yield [
            i + 1, village, f"H{i + 1:07d}",
            f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            f"Số {rng.randint(1, 300)}, đường liên thôn", f"09{rng.randrange(10**8):08d}",
            members, adults, *(rng.randint(0, adults) for _ in range(6)),
            "x" if rng.random() < 0.7 else "", "có" if business else "",
            "x" if business and rng.random() < 0.5 else "", "x" if rng.random() < 0.05 else "", "",
        ]  # fmt: skip


def write_file(directory: Path, count: int, fmt: str) -> Path:
    path = directory / f"ho-gia-dinh.{fmt}"
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            writer.writerows(rows(count))
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Danh sách")
        sheet.append(HEADER)
        for row in rows(count):
            sheet.append(row)
        workbook.save(path)
    return path


async def _cleanup(sessions) -> None:
    """Remove what this benchmark created, in this run or in one that was interrupted."""
    from sqlalchemy import delete, select

    from app.models import AuditLog, Household, Unit

    async with sessions() as session:
        units = select(Unit.id).where(Unit.code.like(f"{PREFIX}-%"))
        await session.execute(delete(Household).where(Household.unit_id.in_(units)))
        await session.execute(
            delete(AuditLog).where(AuditLog.resource == "household_import", AuditLog.unit_id.in_(units))
        )
        for level in ("village", "commune", "province"):
            await session.execute(delete(Unit).where(Unit.code.like(f"{PREFIX}-%"), Unit.level == level))
        await session.commit()


async def _make_units(sessions) -> uuid.UUID:
    from app.core.ids import uuid7
    from app.core.text import fold
    from app.models import Unit

    def unit(code: str, name: str, level: str, parent: Unit | None) -> Unit:
        unit_id = uuid7()
        return Unit(id=unit_id, code=code, name=name, name_folded=fold(name), level=level,
                    parent_id=parent.id if parent else None,
                    path=f"{parent.path if parent else ''}{unit_id.hex}/")  # fmt: skip

    async with sessions() as session:
        province = unit(f"{PREFIX}-P", "Tỉnh Thử Nhập", "province", None)
        commune = unit(f"{PREFIX}-C", "Xã Thử Nhập", "commune", province)
        session.add_all([province, commune])
        session.add_all(
            unit(f"{PREFIX}-V{i + 1:02d}", name, "village", commune) for i, name in enumerate(village_names())
        )
        await session.commit()
        return commune.id


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds else "—"


FLOOR_TABLE = "bench_copy_floor"  # the households-only floor's fresh table


async def _village_ids(sessions) -> dict[str, uuid.UUID]:
    """The bench villages by the two ways a row names them: code and name."""
    from sqlalchemy import select

    from app.models import Unit

    async with sessions() as session:
        villages = (await session.execute(
            select(Unit.code, Unit.name, Unit.id).where(Unit.code.like(f"{PREFIX}-V%"))
        )).all()  # fmt: skip
    return {key: v.id for v in villages for key in (v.code, v.name)}


def floor_records(count: int, villages: dict[str, uuid.UUID]) -> tuple[list[tuple], list[tuple]]:
    """The file's rows as the households table stores them (`run.COLUMNS`), and their first
    observations (`observations.ROW`): what a perfect importer would send."""
    from datetime import UTC, datetime

    from app.core.ids import uuid7
    from app.households.imports.run import COLUMNS, Record
    from app.households.rules import search_text, sort_key
    from app.kpi import observations

    now = datetime.now(UTC)
    households = []
    for row in rows(count):
        _n, village, code, head, address, phone, members, adults, *counts = row[:14]
        informed, business, cashless, needs = (bool(x) for x in row[14:18])
        fields = {
            "id": uuid7(), "unit_id": villages[village], "code": code, "head_name": head,
            "address": address, "phone": phone, "search_text": search_text(head, code, phone, address),
            "sort_key": sort_key(head),
            "members_count": members, "adults_count": adults,
            **dict(zip(HEADER_COUNTS, counts, strict=True)),
            "informed": informed, "has_digital_member": False,  # the file has no such column
            "is_business": business, "business_cashless": business and cashless, "ocop_products": 0,
            "ecommerce_listings": 0, "needs_assistance": needs, "note": row[18] or None, "version": 1,
            "created_at": now, "updated_at": now,
        }  # fmt: skip
        households.append(Record(*(fields.get(name) for name in COLUMNS)))
    return households, observations.first(households, now, observations.no_deltas())


HEADER_COUNTS = ("adults_smartphone", "adults_digital_skills", "adults_vneid", "adults_dvc", "adults_epay",
                 "adults_signature")  # fmt: skip


async def copy_floor(url: str, households: list[tuple], firsts: list[tuple]) -> tuple[float, float]:
    """Seconds for a binary COPY of `households` into the households table, then of their first
    observations `firsts` into household_observations (the real tables: every index, constraint and
    foreign key), in one transaction, then rolled back: (households, observations)."""
    from app.households.imports.run import COLUMNS
    from app.kpi import observations

    conn = await asyncpg.connect(url)
    try:
        transaction = conn.transaction()
        await transaction.start()
        try:
            started = time.perf_counter()
            await conn.copy_records_to_table("households", records=households, columns=COLUMNS)
            middle = time.perf_counter()
            await conn.copy_records_to_table(
                observations.TABLE.name, records=firsts, columns=observations.ROW
            )
            return middle - started, time.perf_counter() - middle
        finally:
            await transaction.rollback()
    finally:
        await conn.close()


async def copy_floor_households_only(url: str, households: list[tuple]) -> float:
    """The former floor: seconds for a binary COPY of `households` into a fresh table with the
    households table's columns and indexes (trigram GIN included; no foreign keys), in one
    transaction, committed."""
    from app.households.imports.run import COLUMNS

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        await conn.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE households INCLUDING ALL)")
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table(FLOOR_TABLE, records=households, columns=COLUMNS)
        return time.perf_counter() - started
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        await conn.close()


async def vacuum(url: str) -> None:
    """VACUUM the households and their history: autovacuum is off on the bench database, and a run
    leaves dead rows in both, three times the file's (the floor's, rolled back twice; the import's,
    deleted) per format, which would slow every later run and the other benchmarks on the tables."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM households, household_observations")
    finally:
        await conn.close()


def read_xlsx(path: Path) -> dict[str, float]:
    """Seconds to read every row of the workbook: openpyxl read-only, then python-calamine."""
    from openpyxl import load_workbook

    seconds = {}
    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    seconds["openpyxl (read-only)"] = time.perf_counter() - started
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # the dev extra is not installed
        return seconds
    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    assert sum(1 for _ in sheet.iter_rows()) == count
    seconds["python-calamine"] = time.perf_counter() - started
    return seconds


async def _import(sessions, principal, commune_id, path: Path) -> dict:
    """A dry run, then the import committed; the importer's own clock for its phases."""
    from app.households.imports.run import import_households

    async with sessions() as session:
        started = time.perf_counter()
        with path.open("rb") as file:
            dry = await import_households(session, principal, commune_id, file, filename=path.name,
                                          dry_run=True)  # fmt: skip
        dry_seconds = time.perf_counter() - started
    print(f"  dry run: {dry_seconds:.1f} s, {dry.rows_valid:,} valid", flush=True)
    timings: dict[str, float] = {}
    async with sessions() as session:
        started = time.perf_counter()
        with path.open("rb") as file:
            report = await import_households(session, principal, commune_id, file, filename=path.name,
                                             timings=timings)  # fmt: skip
        before_commit = time.perf_counter()
        await session.commit()
        finished = time.perf_counter()
    print(f"  import: {finished - started:.1f} s, {report.imported:,} households", flush=True)
    return {
        "dry": dry, "dry_s": dry_seconds, "report": report, "read_check_s": timings.get("read_check", 0.0),
        "insert_s": timings.get("insert", 0.0), "history_s": timings.get("history", 0.0),
        "commit_s": finished - before_commit,
        "total_s": finished - started,
    }  # fmt: skip


async def _remove_households(sessions) -> None:
    from sqlalchemy import delete, select

    from app.models import Household, Unit

    async with sessions() as session:
        units = select(Unit.id).where(Unit.code.like(f"{PREFIX}-%"))
        await session.execute(delete(Household).where(Household.unit_id.in_(units)))
        await session.commit()


async def run(options: argparse.Namespace) -> dict:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from app.authz.permissions import Role
    from app.authz.principal import Grant, Principal
    from app.core.config import Settings
    from app.core.db import create_engine
    from app.core.migrate import upgrade

    count, formats = options.import_rows, options.import_format or ["csv", "xlsx"]
    url = Settings(database_url=options.import_database_url).database_url
    if not url.startswith("postgresql"):
        raise SystemExit("import_rate: the COPY floor needs PostgreSQL")
    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    engine = create_engine(url=url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    principal = Principal(id=uuid.UUID(int=0), name="bench", grants=(Grant(Role.admin, None, ""),))
    table = [["phase", "rows", "seconds", "rows/s", "÷ COPY floor"]]
    figures: dict = {"rows": count, "formats": {}}
    ok = True
    try:
        await upgrade(engine)
        await _cleanup(sessions)
        commune_id = await _make_units(sessions)
        households, firsts = floor_records(count, await _village_ids(sessions))

        async def measure_floors() -> None:
            olds.append(await copy_floor_households_only(plain, households))
            floors.append(await copy_floor(plain, households, firsts))
            print(f"import_rate: COPY floor {count / sum(floors[-1]):,.0f} rows/s (households only: "
                  f"{count / olds[-1]:,.0f})", flush=True)  # fmt: skip

        olds: list[float] = []
        floors: list[tuple[float, float]] = []
        await measure_floors()
        with tempfile.TemporaryDirectory(prefix="import-rate-") as directory:
            for fmt in formats:
                started = time.perf_counter()
                path = await asyncio.to_thread(write_file, Path(directory), count, fmt)
                generated, size = time.perf_counter() - started, path.stat().st_size
                print(
                    f"import_rate: {count:,} rows, {fmt}, {size / 2**20:.1f} MiB in {generated:.1f} s",
                    flush=True,
                )
                result = await _import(sessions, principal, commune_id, path)
                await _remove_households(sessions)
                if fmt == "xlsx":
                    result["readers"] = await asyncio.to_thread(read_xlsx, path)
                result |= {"file_bytes": size, "generate_s": generated}
                figures["formats"][fmt] = result
                ok = ok and result["report"].imported == count and result["dry"].rows_invalid == 0
        await measure_floors()
        floor_households = statistics.median(h for h, _ in floors)
        floor_firsts = statistics.median(o for _, o in floors)
        floor_s = floor_households + floor_firsts
        floor_rate = count / floor_s
        old_s = statistics.median(olds)
        table += [
            ["COPY floor: households + first observations, real tables, rolled back (median of 2)",
             f"{count:,}", f"{floor_s:.2f}", _rate(count, floor_s), "1.00×"],
            ["  floor: households (into households)", f"{count:,}", f"{floor_households:.2f}",
             _rate(count, floor_households), ""],
            ["  floor: first observations (into household_observations)", f"{count:,}", f"{floor_firsts:.2f}",
             _rate(count, floor_firsts), ""],
            ["old floor, households only: fresh table, no foreign keys (median of 2)", f"{count:,}",
             f"{old_s:.2f}", _rate(count, old_s), f"{floor_s / old_s:.2f}×"],
        ]  # fmt: skip
        notes = [
            f"COPY floor runs: {', '.join(f'{count / sum(f):,.0f}' for f in floors)} rows/s "
            f"(households only, old: {', '.join(f'{count / f:,.0f}' for f in olds)})"
        ]
        for fmt, r in figures["formats"].items():
            n = r["report"].imported
            table += [
                [f"{fmt}: dry run (read + check)", f"{r['dry'].rows_read:,}", f"{r['dry_s']:.2f}",
                 _rate(r["dry"].rows_read, r["dry_s"]), ""],
                [f"{fmt}: import, read + check", f"{r['report'].rows_read:,}", f"{r['read_check_s']:.2f}",
                 _rate(r["report"].rows_read, r["read_check_s"]), ""],
                [f"{fmt}: import, insert (÷ the floor's households)", f"{n:,}", f"{r['insert_s']:.2f}",
                 _rate(n, r["insert_s"]),
                 f"{floor_households / r['insert_s']:.2f}×" if r["insert_s"] else ""],
                [f"{fmt}: import, history and aggregates (÷ the floor's observations)", f"{n:,}",
                 f"{r['history_s']:.2f}", _rate(n, r["history_s"]),
                 f"{floor_firsts / r['history_s']:.2f}×" if r["history_s"] else ""],
                [f"{fmt}: import, commit", "", f"{r['commit_s']:.2f}", "", ""],
                [f"{fmt}: import, total", f"{n:,}", f"{r['total_s']:.2f}", _rate(n, r["total_s"]),
                 f"{n / r['total_s'] / floor_rate:.2f}×"],
                [f"{fmt}: import, total ÷ old floor (households only)", "", "", "",
                 f"{n / r['total_s'] / (count / old_s):.2f}×"],
            ]  # fmt: skip
            for reader, seconds in r.get("readers", {}).items():
                table.append([f"{fmt}: read every row, {reader}", f"{count + 1:,}", f"{seconds:.2f}",
                              _rate(count + 1, seconds), ""])  # fmt: skip
            notes.append(
                f"{fmt} ({r['file_bytes'] / 2**20:.1f} MiB): {n:,} rows in {r['total_s']:.1f} s = "
                f"{n / r['total_s']:,.0f} rows/s, {n / r['total_s'] / floor_rate:.2f}× the COPY floor "
                f"({floor_rate:,.0f} rows/s; goal ≥ 0.6×); {old_s / r['total_s']:.2f}× the old, "
                f"households-only floor ({count / old_s:,.0f} rows/s)"
            )
            if len(r.get("readers", {})) == 2:
                o, c = r["readers"].values()
                notes.append(
                    f"{fmt}: python-calamine reads the workbook {o / c:.1f}× faster than openpyxl read-only"
                )
        notes.append(f"database: {engine.url.render_as_string(hide_password=True)}")
        for r in figures["formats"].values():  # plain figures for the JSON
            r["dry"], r["report"] = r["dry"].rows_invalid, r["report"].imported
        return {"name": NAME, "ok": ok, "floor_s": [sum(f) for f in floors], "floor_parts_s": floors,
                "floor_rows_per_s": floor_rate, "old_floor_s": olds, "old_floor_rows_per_s": count / old_s,
                **figures, "table": table, "notes": notes}  # fmt: skip
    finally:
        await _cleanup(sessions)
        await engine.dispose()
        await vacuum(plain)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_rate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_arguments(parser)
    report = asyncio.run(run(parser.parse_args()))
    widths = [max(len(str(r[i])) for r in report["table"]) for i in range(5)]
    for n, row in enumerate(report["table"]):
        print(
            "  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for note in report["notes"]:
        print(note)
    raise SystemExit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
