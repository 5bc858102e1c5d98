"""Bulk import of households from the CSV and XLSX lists communes already keep (core, no HTTP).

An import targets one unit: a village (every row lands there; a village column, if any, must name
it) or a commune (every row names one of its villages, by code or by name). Each row passes the
rules of the API (`HouseholdCreate`, `rule_errors`, a code unique in its village, an assigned member
of the village or commune); every bad row is reported with its line as the spreadsheet shows it.

The file is read in chunks, in a worker thread, so neither the workbook nor the rows are held in
memory. A dry run reports and writes nothing. A real import is all or nothing: rows are inserted
chunk by chunk (batched Core executemany, not ORM objects) inside a savepoint, which is rolled back
when any row turns out bad, and `ImportRejected` (422) carries the report. The caller commits.
"""

import asyncio
import csv
import io
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, require
from app.core.errors import Conflict, Invalid, Problem
from app.core.ids import uuid7
from app.core.text import fold
from app.households import rules
from app.households.schemas import (
    HouseholdCreate,
    ImportReport,
    ImportRowError,
    ImportVillageCount,
)
from app.kpi import aggregates
from app.models import ADULT_COUNTS, Household, Member, Unit
from app.models.base import utcnow

MAX_ERRORS = 1000  # errors listed in a report; all are counted
CHUNK_ROWS = 2000  # rows read, checked and inserted at a time
HEADER_SEARCH_ROWS = 10  # title rows above the header a sheet may have
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024  # a zip bomb guard: what a workbook may inflate to
Progress = Callable[[int, int | None], None]  # (rows done, rows expected or None when unknown)

VILLAGE = "village"
# Column names, in Vietnamese as communes write them; matched accent-, case- and punctuation-
# insensitively (see `_key`). The English API field names are accepted too.
ALIASES: dict[str, tuple[str, ...]] = {
    "head_name": ("Họ tên chủ hộ", "Họ và tên chủ hộ", "Chủ hộ", "Tên chủ hộ", "Họ tên", "Họ và tên"),
    "code": ("Mã hộ", "Mã hộ gia đình", "Mã số hộ", "Mã"),
    "address": ("Địa chỉ", "Nơi ở", "Địa chỉ thường trú"),
    "phone": ("Số điện thoại", "SĐT", "Điện thoại", "Số ĐT", "ĐT", "Số điện thoại liên hệ"),
    "members_count": ("Số nhân khẩu", "Số thành viên", "Nhân khẩu", "Số người trong hộ", "Số khẩu"),
    "adults_count": (
        "Số người trưởng thành",
        "Người trưởng thành",
        "Số người từ 18 tuổi",
        "Số người từ 18 tuổi trở lên",
        "Số người trên 18 tuổi",
    ),
    "adults_smartphone": (
        "Có điện thoại thông minh",
        "Số người có smartphone",
        "Smartphone",
        "Điện thoại thông minh",
        "Số người có điện thoại thông minh",
    ),
    "adults_digital_skills": (
        "Kỹ năng số cơ bản",
        "Có kỹ năng số cơ bản",
        "Số người có kỹ năng số cơ bản",
        "Kỹ năng số",
    ),
    "adults_vneid": ("VNeID", "Tài khoản VNeID", "Số người có VNeID", "Số người có tài khoản VNeID"),
    "adults_dvc": (
        "Dịch vụ công",
        "Tài khoản DVC",
        "DVC",
        "Tài khoản dịch vụ công",
        "Số người có tài khoản DVC",
        "Tài khoản dịch vụ công trực tuyến",
    ),
    "adults_epay": (
        "Thanh toán điện tử",
        "Thanh toán không dùng tiền mặt",
        "Tài khoản thanh toán điện tử",
        "Số người thanh toán điện tử",
    ),
    "adults_signature": ("Chữ ký số", "Số người có chữ ký số", "Chữ ký số công cộng"),
    "informed": ("Đã tuyên truyền", "Tuyên truyền", "Đã được tuyên truyền"),
    "has_digital_member": ("Hộ gia đình số", "Hộ số", "Có thành viên có kỹ năng số, VNeID, DVC"),
    "is_business": ("Hộ kinh doanh", "Là hộ kinh doanh", "Hộ KD"),
    "business_cashless": (
        "Thanh toán không tiền mặt (hộ KD)",
        "Thanh toán không dùng tiền mặt (hộ KD)",
        "Hộ KD thanh toán không tiền mặt",
        "Hộ kinh doanh thanh toán không dùng tiền mặt",
    ),
    "needs_assistance": ("Cần hỗ trợ", "Cần người hỗ trợ", "Cần hỗ trợ riêng"),
    "assigned_member_id": (),
    "last_visit_at": ("Lần thăm gần nhất", "Ngày thăm gần nhất"),
    "note": ("Ghi chú", "Ghi chú khác"),
    VILLAGE: (
        "Thôn",
        "Ấp",
        "Tổ dân phố",
        "Thôn/Tổ dân phố",
        "Thôn/Ấp",
        "Thôn, tổ dân phố",
        "Khu phố",
        "Bản",
        "Thôn/Bản",
        "Mã thôn",
        "Tên thôn",
        "unit_id",
        "unit",
    ),
}
# Row numbers (STT): in nearly every Vietnamese list, and nothing to import. (An `id` column is
# reported as unknown: ids are never imported, so a re-imported export makes new records.)
IGNORED = {"stt", "tt", "so tt", "so thu tu"}
# The row of column numbers administrative forms put under the header: (1) (2) (3)… or A B C…
NUMBERING = re.compile(r"^\(?(\d{1,2}|[A-Za-z])\)?$")
TRUE = {"x", "co", "1", "true", "yes", "y", "✓", "✔", "da", "c"}
FALSE = {"", "khong", "0", "false", "no", "n", "k", "chua", "-"}
INT_FIELDS = {"members_count", "adults_count", *ADULT_COUNTS}
BOOL_FIELDS = {"informed", "has_digital_member", "is_business", "business_cashless", "needs_assistance"}
# What a village's name may start with: "Thôn Đình" is also found as "Đình".
VILLAGE_PREFIXES = ("to dan pho", "khu pho", "thon", "ap", "ban", "buon", "xom", "lang", "khom", "to", "khu")


def _key(text: str) -> str:
    """The comparable form of a header or a name: folded, punctuation as spaces."""
    return " ".join(re.sub(r"[^0-9a-z✓✔]+", " ", fold(text)).split())


HEADERS: dict[str, str] = {_key(name): field for field, names in ALIASES.items() for name in (field, *names)}


class ImportRejected(Invalid):
    """A real import with bad rows: nothing was written. `report` says why; `errors` lists the first
    bad rows with `loc` = ["file", line, field]."""

    def __init__(self, report: ImportReport):
        self.report = report
        errors = [{"loc": ["file", e.line, e.field or e.column or ""], "msg": e.msg} for e in report.errors]
        super().__init__(
            f"{report.rows_invalid} of {report.rows_read} rows are invalid ({report.errors_total} errors):"
            " nothing was imported. Fix them and import again; a dry run checks a file without writing.",
            errors=errors,
        )


def _file_error(detail: str) -> Invalid:
    return Invalid(detail, loc=["file"])


# --- Reading: rows of cells, from a CSV or the first sheet of a workbook --------------------------


@dataclass
class Table:
    format: str
    rows: Iterator[tuple[int, tuple]]  # (line as the spreadsheet shows it, cells)
    expected_lines: int | None  # the file's line count (an estimate for CSV), for progress
    close: Callable[[], None] = lambda: None


def open_table(file: BinaryIO, filename: str | None = None) -> Table:
    """The rows of a CSV (UTF-8, with or without BOM; `,`, `;` or tab) or of an XLSX's first sheet.
    `file` must be seekable (an open file or an upload spooled to disk)."""
    head = file.read(8)
    file.seek(0)
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(file)
    if head.startswith(b"\xd0\xcf\x11\xe0") or extension == "xls":
        raise _file_error("Old Excel files (.xls) are not read: save the sheet as .xlsx or CSV UTF-8")
    if extension in {"xlsx", "xlsm"}:
        raise _file_error("The file is named .xlsx but is not an Excel workbook")
    if extension and extension not in {"csv", "txt", "tsv"}:
        raise _file_error(f"Unsupported file type .{extension}: send a .csv or .xlsx file")
    return _open_csv(file)


_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _open_csv(file: BinaryIO) -> Table:
    sample = file.read(64 * 1024)
    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b"")) + sample.count(b"\n")
    file.seek(0)
    text = sample.decode("utf-8", errors="ignore")
    first_lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max((",", ";", "\t"), key=lambda d: sum(line.count(d) for line in first_lines))
    # Undecodable bytes become lone surrogates, so the row that holds them is the one reported.
    stream = io.TextIOWrapper(file, encoding="utf-8-sig", newline="", errors="surrogateescape")
    reader = csv.reader(stream, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, tuple]]:
        line = 0
        try:
            for line, cells in enumerate(reader, start=1):  # noqa: B007 - `line` is read on failure
                if _NOT_UTF8.search("".join(cells)):
                    raise _file_error(
                        f"Line {line} is not UTF-8 text: in Excel, save the file as 'CSV UTF-8'"
                    )
                yield line, tuple(cells)
        except csv.Error as exc:
            raise _file_error(f"Line {line + 1} is not valid CSV: {exc}") from None

    return Table("csv", rows(), lines + (0 if sample.endswith(b"\n") or not sample else 1), stream.detach)


def _open_xlsx(file: BinaryIO) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(file) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        file.seek(0)
        if inflated > MAX_XLSX_UNCOMPRESSED:
            raise _file_error("The workbook is too large once uncompressed: split it into several files")
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Invalid:
        raise
    except Exception:  # noqa: BLE001 - openpyxl and zipfile raise many kinds on a broken file
        raise _file_error("The workbook cannot be read: is it a valid .xlsx file?") from None
    if not workbook.worksheets:
        workbook.close()
        raise _file_error("The workbook has no sheet")
    sheet = workbook.worksheets[0]
    expected = sheet.max_row
    sheet.reset_dimensions()  # some writers store a wrong size, which would cut rows off

    def rows() -> Iterator[tuple[int, tuple]]:
        try:
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        except Exception:  # noqa: BLE001
            raise _file_error("The workbook is damaged: its first sheet cannot be read to the end") from None

    return Table("xlsx", rows(), expected, workbook.close)


def _cell(value: Any) -> Any:
    """A cell as the importer wants it: stripped text, None for empty, whole floats as ints."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value: Any, field: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        # A phone typed into a number cell loses its leading zero: 912345678 is 0912345678.
        if field == "phone" and 100_000_000 <= value <= 999_999_999:
            return f"0{value}"
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def parse_bool(value: Any) -> bool | None:
    """x, có, 1, true, yes, ✓ → True; empty, không, 0, false, no → False; anything else None."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    folded = _key(str(value))
    return True if folded in TRUE else False if folded in FALSE else None


# --- Villages: matched by id, code, name, or name without its "Thôn"/"Ấp"/… prefix ----------------

_AMBIGUOUS = object()


class Villages:
    """Looked up in order: id, code, full name, name without its prefix; the first unique hit wins."""

    def __init__(self, villages: list[Unit]):
        self.tiers: list[dict[str, Any]] = [{}, {}, {}, {}]
        for village in villages:
            name = _key(village.name)
            keys = (village.id.hex, _key(village.code), name, _strip_prefix(name))
            for tier, key in zip(self.tiers, keys, strict=True):
                if key:
                    tier[key] = village if tier.get(key, village) is village else _AMBIGUOUS

    def find(self, value: Any) -> Unit | None:
        """The village a cell names; None when none does. Raises LookupError when several do."""
        text = _text(value, VILLAGE)
        key = _key(text)
        as_id = text.strip().lower().replace("-", "")
        for tier, candidate in zip(self.tiers, (as_id, key, key, _strip_prefix(key)), strict=True):
            found = tier.get(candidate)
            if found is _AMBIGUOUS:
                raise LookupError(text)
            if found is not None:
                return found
        return None


def _strip_prefix(key: str) -> str:
    for prefix in VILLAGE_PREFIXES:
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :]
    return key


# --- Checking rows -------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    village: Unit | None
    code: str | None
    member_id: uuid.UUID | None
    values: dict[str, Any] | None  # the validated household, None when pydantic refused it
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)


@dataclass
class _Columns:
    header_line: int
    fields: list[tuple[int, str, str]]  # (index, field, header as written)
    unknown: list[str]

    @property
    def header_of(self) -> dict[str, str]:
        return {f: header for _, f, header in self.fields}


def find_header(table: Table) -> _Columns:
    """The first row (of the first few) naming the head of household: rows above it are titles."""
    for line, cells in table.rows:
        keys = [_key(str(c)) if c is not None else "" for c in cells]
        if "head_name" not in {HEADERS.get(k) for k in keys}:
            if line >= HEADER_SEARCH_ROWS:
                break
            continue
        fields, unknown, seen = [], [], {}
        for index, (cell, key) in enumerate(zip(cells, keys, strict=True)):
            if not key or key in IGNORED:
                continue
            header = str(cell).strip()
            if (name := HEADERS.get(key)) is None:
                unknown.append(header)
            elif name in seen:
                raise _file_error(f"Columns {seen[name]!r} and {header!r} both give {name}: keep one of them")
            else:
                seen[name] = header
                fields.append((index, name, header))
        return _Columns(line, fields, unknown)
    raise _file_error(
        f"No header row in the first {HEADER_SEARCH_ROWS} rows: the file needs a column for the head "
        "of household ('Họ tên chủ hộ' or 'head_name')"
    )


class _Checker:
    """Reads and checks rows (no database): run in a worker thread, one chunk at a time."""

    def __init__(
        self, table: Table, columns: _Columns, target: Unit, villages: Villages, taken: dict[uuid.UUID, set]
    ):
        self.table, self.columns, self.target, self.villages = table, columns, target, villages
        self.taken = taken  # codes already used in each village's households, before this import
        self.header_of = columns.header_of
        self.seen_codes: dict[tuple[uuid.UUID, str], int] = {}
        self.exhausted = False
        self.first_row = True
        self.head_index = next(i for i, name, _ in columns.fields if name == "head_name")

    def chunk(self, size: int) -> list[_Row]:
        rows: list[_Row] = []
        for line, cells in self.table.rows:
            mapped = [_cell(cells[i]) for i, _, _ in self.columns.fields if i < len(cells)]
            if all(value is None for value in mapped):
                continue  # blank, or only an STT: templates number rows far below the data
            if self.first_row:
                self.first_row = False
                if self._numbering(cells, mapped):
                    continue
            rows.append(self.check(line, cells))
            if len(rows) >= size:
                return rows
        self.exhausted = True
        return rows

    def check(self, line: int, cells: tuple) -> _Row:
        problems: list[tuple[str, str]] = []
        data: dict[str, Any] = {}
        raw_village = None
        for index, name, _ in self.columns.fields:
            value = _cell(cells[index]) if index < len(cells) else None
            if name == VILLAGE:
                raw_village = value
            elif value is None:
                continue
            elif name in BOOL_FIELDS:
                if (flag := parse_bool(value)) is None:
                    problems.append((name, f"{value!r} is not a yes/no value (use x, có, 1 or leave empty)"))
                else:
                    data[name] = flag
            elif name in INT_FIELDS or name == "last_visit_at":
                data[name] = value
            else:
                data[name] = _text(value, name)
        village = self._village(raw_village, problems)
        data["unit_id"] = (village or self.target).id
        values = None
        try:
            values = HouseholdCreate.model_validate(data).model_dump(exclude={"id"})
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                problems.append((str(error["loc"][0]) if error["loc"] else "", error["msg"]))
        if values is not None:
            problems += rules.count_problems(values)
        code = values["code"] if values else (data.get("code") or "").strip() or None
        if code and village is not None:
            if code in self.taken.get(village.id, ()):
                problems.append(rules.code_taken(code))
            first = self.seen_codes.setdefault((village.id, code), line)
            if first != line:
                problems.append(("code", f"code {code!r} already appears on line {first} for this village"))
        member_id = values["assigned_member_id"] if values else None
        return _Row(line, village, code, member_id, values, problems)

    def _numbering(self, cells: tuple, mapped: list) -> bool:
        """The row under the header numbers the columns: its head-of-household cell is one too."""
        head = _cell(cells[self.head_index]) if self.head_index < len(cells) else None
        return (
            head is not None
            and sum(value is not None for value in mapped) >= 2
            and all(value is None or NUMBERING.match(str(value)) for value in mapped)
        )

    def _village(self, value: Any, problems: list[tuple[str, str]]) -> Unit | None:
        if value is None:
            if self.target.level == "village":
                return self.target
            problems.append((VILLAGE, f"the village is missing: name one of {self.target.name}'s villages"))
            return None
        try:
            village = self.villages.find(value)
        except LookupError:
            problems.append((VILLAGE, f"{value!r} matches several villages: use the village code"))
            return None
        if village is None:
            where = (
                f"this file imports into {self.target.name} only"
                if self.target.level == "village"
                else f"no such village in {self.target.name}"
            )
            problems.append((VILLAGE, f"{value!r}: {where}"))
        return village


# --- The import ----------------------------------------------------------------------------------


@dataclass
class _Tally:
    rows_read: int = 0
    rows_invalid: int = 0
    errors_total: int = 0
    errors: list[ImportRowError] = field(default_factory=list)
    per_village: dict[uuid.UUID, int] = field(default_factory=dict)

    def add(self, row: _Row, header_of: dict[str, str]) -> None:
        self.rows_read += 1
        if not row.problems:
            self.per_village[row.village.id] = self.per_village.get(row.village.id, 0) + 1
            return
        self.rows_invalid += 1
        self.errors_total += len(row.problems)
        for name, msg, code in map(lambda p: Problem(*p), row.problems):
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(
                    ImportRowError(
                        line=row.line, column=header_of.get(name), field=name or None, msg=msg, code=code
                    )
                )


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
) -> ImportReport:
    """Check (dry run) or import the households of `file` into the commune or village `unit_id`.

    Returns the report; a real import with any bad row writes nothing and raises `ImportRejected`
    (its `report` attached). A file that cannot be read at all is `Invalid` (loc ["file"]).
    `timings`, when given, receives the seconds spent reading and checking, and inserting.
    """
    target = await get_unit_in_scope(session, principal, unit_id)
    require(principal, Permission.households_manage, target)
    if target.level not in {"commune", "village"}:
        raise Invalid("Import into a commune or a village", loc=["query", "unit_id"])
    if target.level == "village":
        villages = [target]
    else:
        villages = list(
            await session.scalars(
                select(Unit).where(Unit.parent_id == target.id, Unit.level == "village").order_by(Unit.code)
            )
        )
        if not villages:
            raise Invalid(f"{target.name} has no villages to import into", loc=["query", "unit_id"])

    clock = {"read_check": 0.0, "insert": 0.0}
    tally, inserted, savepoint = _Tally(), 0, None
    started = time.perf_counter()
    table = await asyncio.to_thread(open_table, file, filename)
    try:
        columns = await asyncio.to_thread(find_header, table)
        if target.level == "commune" and VILLAGE not in columns.header_of:
            raise _file_error(
                "Importing into a commune: add a village column ('Thôn/Tổ dân phố'), the village's "
                "code or name on every row"
            )
        taken = await _codes_in_use(session, [v.id for v in villages])
        checker = _Checker(table, columns, target, Villages(villages), taken)
        expected = (table.expected_lines - columns.header_line) if table.expected_lines else None
        clock["read_check"] += time.perf_counter() - started
        while not checker.exhausted:
            started = time.perf_counter()
            rows = await asyncio.to_thread(checker.chunk, CHUNK_ROWS)
            await _check_members(session, rows)
            for row in rows:
                tally.add(row, checker.header_of)
            clock["read_check"] += time.perf_counter() - started
            if not dry_run and not tally.rows_invalid and rows:
                started = time.perf_counter()
                savepoint = savepoint or await session.begin_nested()
                inserted += await _insert(session, rows)
                clock["insert"] += time.perf_counter() - started
            if progress:
                progress(tally.rows_read, max(expected, tally.rows_read) if expected else None)
    except BaseException as exc:
        if savepoint is not None and savepoint.is_active:
            await savepoint.rollback()  # nothing written, whatever the caller does next
        if isinstance(exc, IntegrityError):
            raise Conflict("A household code was taken while the file was importing: import again") from None
        raise
    finally:
        table.close()
    if progress:
        progress(tally.rows_read, tally.rows_read)
    if not tally.rows_read:
        raise _file_error("The file has no household rows below its header")

    by_id = {v.id: v for v in villages}
    report = ImportReport(
        unit_id=target.id,
        dry_run=dry_run,
        format=table.format,
        header_line=columns.header_line,
        columns={header: name for _, name, header in columns.fields},
        unknown_columns=columns.unknown,
        rows_read=tally.rows_read,
        rows_valid=tally.rows_read - tally.rows_invalid,
        rows_invalid=tally.rows_invalid,
        imported=0,
        errors_total=tally.errors_total,
        errors=tally.errors,
        villages=[
            ImportVillageCount(unit_id=v.id, code=v.code, name=v.name, rows=tally.per_village[v.id])
            for v in sorted((by_id[i] for i in tally.per_village), key=lambda v: (v.code, v.name))
        ],
    )
    if timings is not None:
        timings.update(clock)
    if dry_run:
        return report
    if tally.rows_invalid:
        if savepoint is not None:
            await savepoint.rollback()
        raise ImportRejected(report)
    if savepoint is not None:
        await savepoint.commit()
    await aggregates.households_recount(session, set(tally.per_village))
    report.imported = inserted
    name = "".join(c for c in filename or "" if c.isprintable())[:255] or None  # NUL breaks JSONB
    record(
        session,
        principal,
        "import",
        "household_import",
        uuid7(),
        unit_id=target.id,
        after={
            "format": report.format,
            "filename": name,
            "rows": inserted,
            "villages": {str(v): n for v, n in tally.per_village.items()},
            "village_count": len(tally.per_village),
        },
    )
    return report


async def _codes_in_use(session: AsyncSession, village_ids: list[uuid.UUID]) -> dict[uuid.UUID, set]:
    """The codes of the villages' households, read once before anything is inserted.

    One query for the whole file, not one per chunk: a chunk's `code IN (…)` becomes a generic plan on
    PostgreSQL after five runs and then compares every code with every row (55 s for 100,000 rows).
    """
    taken: dict[uuid.UUID, set] = {v: set() for v in village_ids}
    result = await session.execute(
        select(Household.unit_id, Household.code).where(
            Household.unit_id.in_(village_ids), Household.code.is_not(None), Household.deleted_at.is_(None)
        )
    )
    for unit_id, code in result:
        taken[unit_id].add(code)
    return taken


async def _check_members(session: AsyncSession, rows: list[_Row]) -> None:
    """Assigned members must belong to the village or its commune: one query per chunk, when the file
    has any."""
    assigned = [r for r in rows if r.member_id is not None and r.village is not None]
    if assigned:
        paths = dict(
            (
                await session.execute(
                    select(Member.id, Unit.path)
                    .join(Unit, Unit.id == Member.unit_id)
                    .where(Member.id.in_({r.member_id for r in assigned}), Member.deleted_at.is_(None))
                )
            ).all()
        )
        for row in assigned:
            if (problem := rules.assignable(paths.get(row.member_id), row.village.path)) is not None:
                row.problems.append(problem)


async def _insert(session: AsyncSession, rows: list[_Row]) -> int:
    now = utcnow()
    records = [
        row.values
        | {
            "id": uuid7(),
            "search_text": rules.search_text(
                row.values["head_name"], row.values["code"], row.values["phone"], row.values["address"]
            ),
            "sort_key": rules.sort_key(row.values["head_name"]),
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
        }
        for row in rows
    ]
    if records:
        await session.execute(insert(Household.__table__), records)
    return len(records)


__all__ = ["ALIASES", "ImportRejected", "import_households", "open_table", "parse_bool"]
