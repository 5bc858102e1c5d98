"""Household import rate against its floor: a generated commune file of N rows (100,000 by default)
imported through `app.households.imports.run.import_households` (not HTTP) into PostgreSQL, timed by
phase, beside a raw binary COPY of the same rows in the same run.

The file is a commune's list (CSV UTF-8, then XLSX; `--import-format` picks one) naming one of 30
villages on every row. Phases: a dry run (read and check only), then the real import, split into
read and check vs insert (the importer's own clock), and the commit. The floor: the same rows as the
table stores them, sent with asyncpg's `copy_records_to_table` in one transaction into a fresh table
with the households table's columns and indexes (`LIKE households INCLUDING ALL`: the trigram GIN
index too, no foreign keys), measured before and after the imports; the goal is an import at
≥ 0.6× its rows/s. For the XLSX file, reading every row with openpyxl's read-only mode and with
python-calamine is timed too. The benchmark makes its own province, commune and villages (codes
`IMPBENCH-…`) and deletes them, their households and the floor's table afterwards.

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


FLOOR_TABLE = "bench_copy_floor"
FLOOR_COLUMNS = [
    "id", "unit_id", "code", "head_name", "address", "phone", "search_text", "sort_key", "members_count",
    "adults_count",
    "adults_smartphone", "adults_digital_skills", "adults_vneid", "adults_dvc", "adults_epay",
    "adults_signature", "informed", "has_digital_member", "is_business", "business_cashless",
    "needs_assistance", "assigned_member_id", "last_visit_at", "note", "version", "created_at", "updated_at",
    "deleted_at",
]  # fmt: skip


async def _village_ids(sessions) -> dict[str, uuid.UUID]:
    """The bench villages by the two ways a row names them: code and name."""
    from sqlalchemy import select

    from app.models import Unit

    async with sessions() as session:
        villages = (await session.execute(
            select(Unit.code, Unit.name, Unit.id).where(Unit.code.like(f"{PREFIX}-V%"))
        )).all()  # fmt: skip
    return {key: v.id for v in villages for key in (v.code, v.name)}


def floor_records(count: int, villages: dict[str, uuid.UUID]) -> list[tuple]:
    """The file's rows as the households table stores them (what a perfect importer would send)."""
    from datetime import UTC, datetime

    from app.core.ids import uuid7
    from app.households.rules import search_text, sort_key

    now = datetime.now(UTC)
    records = []
    for row in rows(count):
        _n, village, code, head, address, phone, members, adults, *counts = row[:14]
        informed, business, cashless, needs = (bool(x) for x in row[14:18])
        records.append((
            uuid7(), villages[village], code, head, address, phone, search_text(head, code, phone, address),
            sort_key(head), members,
            adults, *counts, informed, counts[1] > 0 and counts[2] > 0 and counts[3] > 0, business,
            business and cashless, needs, None, None, row[18] or None, 1, now, now, None,
        ))  # fmt: skip
    return records


async def copy_floor(url: str, records: list[tuple]) -> float:
    """Seconds for a binary COPY of `records` into a fresh table with the households table's columns
    and indexes (trigram GIN included; no foreign keys), in one transaction, committed."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        await conn.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE households INCLUDING ALL)")
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table(FLOOR_TABLE, records=records, columns=FLOOR_COLUMNS)
        return time.perf_counter() - started
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
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
        records = floor_records(count, await _village_ids(sessions))
        floors = [await copy_floor(plain, records)]
        print(f"import_rate: COPY floor {count / floors[0]:,.0f} rows/s", flush=True)
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
        floors.append(await copy_floor(plain, records))
        floor_s = statistics.median(floors)
        floor_rate = count / floor_s
        table.append(["COPY floor: copy_records_to_table, same rows, same indexes (median of 2)",
                      f"{count:,}", f"{floor_s:.2f}", _rate(count, floor_s), "1.00×"])  # fmt: skip
        notes = [f"COPY floor runs: {', '.join(f'{count / f:,.0f}' for f in floors)} rows/s"]
        for fmt, r in figures["formats"].items():
            n = r["report"].imported
            table += [
                [f"{fmt}: dry run (read + check)", f"{r['dry'].rows_read:,}", f"{r['dry_s']:.2f}",
                 _rate(r["dry"].rows_read, r["dry_s"]), ""],
                [f"{fmt}: import, read + check", f"{r['report'].rows_read:,}", f"{r['read_check_s']:.2f}",
                 _rate(r["report"].rows_read, r["read_check_s"]), ""],
                [f"{fmt}: import, insert", f"{n:,}", f"{r['insert_s']:.2f}", _rate(n, r["insert_s"]),
                 f"{n / r['insert_s'] / floor_rate:.2f}×" if r["insert_s"] else ""],
                [f"{fmt}: import, history and aggregates", f"{n:,}", f"{r['history_s']:.2f}",
                 _rate(n, r["history_s"]), ""],
                [f"{fmt}: import, commit", "", f"{r['commit_s']:.2f}", "", ""],
                [f"{fmt}: import, total", f"{n:,}", f"{r['total_s']:.2f}", _rate(n, r["total_s"]),
                 f"{n / r['total_s'] / floor_rate:.2f}×"],
            ]  # fmt: skip
            for reader, seconds in r.get("readers", {}).items():
                table.append([f"{fmt}: read every row, {reader}", f"{count + 1:,}", f"{seconds:.2f}",
                              _rate(count + 1, seconds), ""])  # fmt: skip
            notes.append(
                f"{fmt} ({r['file_bytes'] / 2**20:.1f} MiB): {n:,} rows in {r['total_s']:.1f} s = "
                f"{n / r['total_s']:,.0f} rows/s, {n / r['total_s'] / floor_rate:.2f}× the COPY floor "
                f"({floor_rate:,.0f} rows/s; goal ≥ 0.6×)"
            )
            if len(r.get("readers", {})) == 2:
                o, c = r["readers"].values()
                notes.append(
                    f"{fmt}: python-calamine reads the workbook {o / c:.1f}× faster than openpyxl read-only"
                )
        notes.append(f"database: {engine.url.render_as_string(hide_password=True)}")
        for r in figures["formats"].values():  # plain figures for the JSON
            r["dry"], r["report"] = r["dry"].rows_invalid, r["report"].imported
        return {"name": NAME, "ok": ok, "floor_s": floors, "floor_rows_per_s": floor_rate, **figures,
                "table": table, "notes": notes}  # fmt: skip
    finally:
        await _cleanup(sessions)
        await engine.dispose()


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
