"""Household import rate: a generated commune file of N rows (100,000 by default) imported through
`app.households.importer.import_households` (not HTTP) into PostgreSQL, timed by phase.

The file is a commune's list (CSV UTF-8, or XLSX with --import-format xlsx) naming one of 30 villages
on every row. Phases: a dry run (read and check only), then the real import, split into read and
check vs insert (the importer's own clock), and the commit. The goal: a 100,000-row import in well
under a minute. The benchmark makes its own province, commune and villages (codes `IMPBENCH-…`) and
deletes them and their households afterwards, so the database is left as it was.

    python -m bench.import_rate [--import-database-url URL] [--import-rows N] [--import-format csv|xlsx]
    python -m bench --only import_rate          # through the harness (results under bench/results/)
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

NAME = "import_rate"
GOAL_SECONDS = 60.0
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
    group.add_argument("--import-format", choices=["csv", "xlsx"], default="csv", help="the file's format")
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


async def run(options: argparse.Namespace) -> dict:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from app.authz.permissions import Role
    from app.authz.principal import Grant, Principal
    from app.core.config import Settings
    from app.core.db import create_engine
    from app.core.migrate import upgrade
    from app.households.importer import import_households

    count, fmt = options.import_rows, options.import_format
    url = Settings(database_url=options.import_database_url).database_url
    if not url.startswith("postgresql"):
        print("import_rate: not a PostgreSQL URL; measuring anyway", flush=True)
    engine = create_engine(url=url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    principal = Principal(id=uuid.UUID(int=0), name="bench", grants=(Grant(Role.admin, None, ""),))
    table = [["phase", "rows", "seconds", "rows/s"]]
    try:
        await upgrade(engine)
        await _cleanup(sessions)
        commune_id = await _make_units(sessions)
        with tempfile.TemporaryDirectory(prefix="import-rate-") as directory:
            started = time.perf_counter()
            path = await asyncio.to_thread(write_file, Path(directory), count, fmt)
            generated = time.perf_counter() - started
            size = path.stat().st_size
            print(
                f"import_rate: {count:,} rows, {fmt}, {size / 2**20:.1f} MiB in {generated:.1f} s", flush=True
            )

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
                    report = await import_households(
                        session, principal, commune_id, file, filename=path.name, timings=timings
                    )
                before_commit = time.perf_counter()
                await session.commit()
                finished = time.perf_counter()
            total = finished - started
            print(f"  import: {total:.1f} s, {report.imported:,} households", flush=True)
        read_check, insert_s = timings["read_check"], timings["insert"]
        table += [
            [f"generate the {fmt} ({size / 2**20:.1f} MiB)", f"{count:,}", f"{generated:.2f}",
             _rate(count, generated)],
            ["dry run: read + check", f"{dry.rows_read:,}", f"{dry_seconds:.2f}",
             _rate(dry.rows_read, dry_seconds)],
            ["import: read + check", f"{report.rows_read:,}", f"{read_check:.2f}",
             _rate(report.rows_read, read_check)],
            ["import: insert (executemany)", f"{report.imported:,}", f"{insert_s:.2f}",
             _rate(report.imported, insert_s)],
            ["import: commit", "", f"{finished - before_commit:.2f}", ""],
            ["import: total", f"{report.imported:,}", f"{total:.2f}", _rate(report.imported, total)],
        ]  # fmt: skip
        ok = report.imported == count and dry.rows_invalid == 0 and total < GOAL_SECONDS
        return {
            "name": NAME,
            "ok": ok,
            "rows": count,
            "format": fmt,
            "file_bytes": size,
            "dry_run_s": dry_seconds,
            "read_check_s": read_check,
            "insert_s": insert_s,
            "total_s": total,
            "rows_per_s": count / total,
            "goal_s": GOAL_SECONDS,
            "table": table,
            "notes": [
                f"{count:,} rows imported in {total:.1f} s ({count / total:,.0f} rows/s;"
                f" goal < {GOAL_SECONDS:.0f} s: {'met' if total < GOAL_SECONDS else 'NOT met'})",
                f"database: {engine.url.render_as_string(hide_password=True)}",
            ],
        }
    finally:
        await _cleanup(sessions)
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_rate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_arguments(parser)
    report = asyncio.run(run(parser.parse_args()))
    widths = [max(len(str(r[i])) for r in report["table"]) for i in range(4)]
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
