"""Bulk import of households from CSV and XLSX: headers, villages, every bad row, all or nothing."""

import asyncio
import csv
import io
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.authz.permissions import Role
from app.authz.principal import Grant, Principal
from app.core.errors import Invalid
from app.core.ids import uuid7
from app.households.imports import run
from app.households.imports.checks import parse_bool
from app.households.imports.errors import ImportRejected
from app.households.imports.run import import_households
from app.models import AuditLog, Household
from tests.world import make_household

URL = "/api/v1/households/import"
HEADER = [
    "STT",
    "Họ tên chủ hộ",
    "Mã hộ",
    "Số điện thoại",
    "Số nhân khẩu",
    "Số người trưởng thành",
    "Tài khoản VNeID",
    "Đã tuyên truyền",
    "Ghi chú",
]


def csv_file(rows: list[list], *, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def xlsx_file(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def upload(client, world, role, unit, content, *, name="ho.csv", dry_run=False):
    return await client.post(
        URL,
        params={"unit_id": str(unit.id), "dry_run": str(dry_run).lower()},
        files={"file": (name, content, "application/octet-stream")},
        headers=world.auth(role),
    )


async def count(session, unit=None) -> int:
    query = select(func.count()).select_from(Household).where(Household.deleted_at.is_(None))
    if unit is not None:
        query = query.where(Household.unit_id == unit.id)
    return await session.scalar(query)


def admin() -> Principal:
    return Principal(id=uuid7(), name="tester", grants=(Grant(Role.admin, None, ""),))


async def test_csv_with_bom_into_a_village(client, world, session):
    content = csv_file(
        [
            HEADER + ["Cột lạ"],
            [1, "Nguyễn Văn An", "H-01", "0912 345 678", 4, 3, 2, "x", "gần chợ", "?"],
            [2, "Trần Thị Bình", "", "", 1, 1, "", "không", "", ""],
        ],
        bom=True,
    )
    response = await upload(client, world, Role.team_leader, world.v11, content)
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["rows_read"], report["rows_valid"], report["imported"]) == (2, 2, 2)
    assert report["unknown_columns"] == ["Cột lạ"]
    assert report["columns"]["Họ tên chủ hộ"] == "head_name" and "STT" not in report["columns"]
    assert report["villages"] == [
        {"unit_id": str(world.v11.id), "code": world.v11.code, "name": "Thôn Đình", "rows": 2}
    ]
    listed = await client.get(
        "/api/v1/households", params={"q": "nguyen van an"}, headers=world.auth(Role.team_leader)
    )
    (an,) = listed.json()["items"]
    assert (an["code"], an["phone"], an["members_count"], an["adults_count"]) == (
        "H-01",
        "0912 345 678",
        4,
        3,
    )
    assert (an["adults_vneid"], an["informed"], an["note"], an["version"]) == (2, True, "gần chợ", 1)
    audit = await client.get(
        "/api/v1/audit", params={"resource": "household_import"}, headers=world.auth(Role.admin)
    )
    (entry,) = audit.json()["items"]
    assert entry["action"] == "import" and entry["actor_name"] == "team.leader"
    assert entry["unit_id"] == str(world.v11.id)
    assert entry["after"]["rows"] == 2 and entry["after"]["villages"] == {str(world.v11.id): 2}


async def test_headers_without_diacritics_semicolons_and_booleans(session, world):
    content = (
        "Ho ten chu ho;SDT;So nhan khau;So nguoi tu 18 tuoi;Co dien thoai thong minh;Ky nang so co ban;"
        "Dich vu cong;Thanh toan khong dung tien mat;Chu ky so;Ho kinh doanh;"
        "Thanh toan khong tien mat (ho KD);CAN HO TRO;thôn;id\n"
        "Lê Văn Cường;0988000111;5;4;4;3;2;1;1;có;✓;khong;Thôn Đình;\n"
        "Phạm Thị Dung;;2;2;0;0;0;0;0;;;X;;\n"
    ).encode()
    report = await import_households(session, admin(), world.v11.id, io.BytesIO(content), filename="a.csv")
    assert report.unknown_columns == ["id"] and report.imported == 2 and report.errors == []
    assert set(report.columns.values()) == {
        "head_name",
        "phone",
        "members_count",
        "adults_count",
        "adults_smartphone",
        "adults_digital_skills",
        "adults_dvc",
        "adults_epay",
        "adults_signature",
        "is_business",
        "business_cashless",
        "needs_assistance",
        "village",
    }
    cuong = await session.scalar(select(Household).where(Household.head_name == "Lê Văn Cường"))
    assert (cuong.adults_count, cuong.adults_smartphone, cuong.adults_epay, cuong.adults_signature) == (
        4,
        4,
        1,
        1,
    )
    assert (cuong.is_business, cuong.business_cashless, cuong.needs_assistance) == (True, True, False)
    assert cuong.search_text == "le van cuong 0988000111"
    dung = await session.scalar(select(Household).where(Household.head_name == "Phạm Thị Dung"))
    assert (dung.needs_assistance, dung.is_business, dung.unit_id) == (True, False, world.v11.id)


async def test_xlsx_commune_file_lands_each_row_in_its_village(client, world, session):
    content = xlsx_file(
        [
            ["DANH SÁCH HỘ GIA ĐÌNH XÃ ĐÔNG HÒA"],
            [],
            ["STT", "Thôn/Tổ dân phố", "Chủ hộ", "SĐT", "Số thành viên", "Số người trưởng thành", "VNeID"],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],  # the form's column numbers: skipped
            [1, world.v12.code, "Hộ theo mã", 912345678, 3, 2, 1],
            [2, "Thôn Đình", "Hộ theo tên", None, 2.0, 2, 2],
            [3, "chua", "Hộ theo tên ngắn", "0977 000 111", 1, 1, None],
            [],
            [5, "THON DINH", "Hộ không dấu", None, 1, 1, 0],
            [6],  # a template numbered further down than its data
            [7],
        ]
    )
    response = await upload(client, world, Role.commune_officer, world.c1, content, name="ds.xlsx")
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["format"] == "xlsx" and report["header_line"] == 3 and report["rows_read"] == 4, report
    assert {v["name"]: v["rows"] for v in report["villages"]} == {"Thôn Đình": 2, "Thôn Chùa": 2}
    rows = (await session.execute(select(Household.head_name, Household.unit_id, Household.phone))).all()
    placed = {name: (unit, phone) for name, unit, phone in rows}
    assert placed["Hộ theo mã"] == (world.v12.id, "0912345678")  # the lost leading zero restored
    assert placed["Hộ theo tên"][0] == placed["Hộ không dấu"][0] == world.v11.id
    assert placed["Hộ theo tên ngắn"][0] == world.v12.id


async def test_dry_run_reports_every_bad_row_with_its_line_and_writes_nothing(client, world, session):
    content = csv_file(
        [
            [
                "Họ tên chủ hộ",
                "Số nhân khẩu",
                "Số người trưởng thành",
                "VNeID",
                "Hộ kinh doanh",
                "Thanh toán không tiền mặt (hộ KD)",
                "Đã tuyên truyền",
                "Số điện thoại",
            ],  # fmt: skip
            ["Tốt Một", 2, 1, 1, "", "", "", ""],
            ["", 2, 1, 0, "", "", "", ""],  # line 3: no head name
            ["Quá Nhiều", 2, 3, 0, "", "", "", ""],  # line 4: adults > members
            ["Không Phải KD", 2, 2, 2, "", "x", "", ""],  # line 5: cashless without business
            ["Số Hỏng", "hai", 1, 0, "", "", "có lẽ", ""],  # line 6: two problems
            ["Tốt Hai", 1, 1, 0, "", "", "", "0912"],
            ["Điện Thoại", 1, 1, 0, "", "", "", "abc"],  # line 8: bad phone
        ],
    )
    before = await count(session)
    response = await upload(client, world, Role.team_leader, world.v11, content, dry_run=True)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True and report["imported"] == 0
    assert (report["rows_read"], report["rows_valid"], report["rows_invalid"]) == (7, 2, 5)
    found = {(e["line"], e["field"]) for e in report["errors"]}
    assert found == {
        (3, "head_name"),
        (4, "adults_count"),
        (5, "business_cashless"),
        (6, "members_count"),
        (6, "informed"),
        (8, "phone"),
    }
    assert report["errors_total"] == 6
    assert next(e for e in report["errors"] if e["line"] == 6 and e["field"] == "informed")["column"] == (
        "Đã tuyên truyền"
    )
    assert await count(session) == before
    assert await session.scalar(select(func.count()).select_from(AuditLog)) == 0


async def test_one_bad_row_in_a_real_import_imports_nothing(client, world, session):
    rows = [["Họ tên chủ hộ", "Số nhân khẩu"]] + [[f"Hộ {i}", 2] for i in range(30)]
    rows[25][1] = 0  # line 26: a household has at least one member
    response = await upload(client, world, Role.team_leader, world.v11, csv_file(rows))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["status"] == 422 and response.headers["content-type"] == "application/problem+json"
    (error,) = problem["errors"]
    assert error == {"loc": ["file", 26, "members_count"], "msg": error["msg"], "code": "greater_than_equal"}
    assert "1 of 30 rows are invalid" in problem["detail"]
    assert await count(session) == 0


async def test_rows_inserted_before_a_later_bad_chunk_are_rolled_back(world, session, monkeypatch):
    monkeypatch.setattr(run, "CHUNK_ROWS", 4)  # the bad row arrives after two chunks went in
    rows = [["head_name", "code", "members_count"]] + [[f"Hộ {i}", f"C{i}", 1] for i in range(12)]
    rows[10][2] = 101
    with pytest.raises(ImportRejected) as caught:
        await import_households(session, admin(), world.v11.id, io.BytesIO(csv_file(rows)), filename="x.csv")
    assert caught.value.report.rows_invalid == 1
    assert caught.value.errors[0]["loc"] == ["file", 11, "members_count"]
    assert await count(session) == 0
    # The session is still usable, and the same file without its bad row goes in.
    del rows[10]
    report = await import_households(session, admin(), world.v11.id, io.BytesIO(csv_file(rows)), filename="x")
    assert report.imported == 11 and await count(session) == 11


async def test_a_file_failing_midway_leaves_nothing_behind(world, session, monkeypatch):
    monkeypatch.setattr(run, "CHUNK_ROWS", 4)
    content = csv_file([["Chủ hộ"]] + [[f"Hộ {i}"] for i in range(10)]) + b"H\xf4 cu\xf4i\n"
    with pytest.raises(Invalid, match="Line 12 is not UTF-8"):
        await import_households(session, admin(), world.v11.id, io.BytesIO(content), filename="a.csv")
    assert await count(session) == 0  # rolled back by the importer, not by the caller


async def test_duplicate_codes_within_the_file_and_against_the_database(client, world, session):
    await make_household(session, world.v11, "Đã Có", code="H-1")
    await session.commit()
    content = csv_file(
        [
            ["Thôn", "Chủ hộ", "Mã hộ"],
            ["Thôn Đình", "Trùng CSDL", "H-1"],  # line 2: taken in v11
            ["Thôn Chùa", "Khác thôn", "H-1"],  # fine: another village
            ["Thôn Đình", "Lần đầu", "H-2"],
            ["Thôn Đình", "Lần hai", "H-2"],  # line 5: repeats line 4
            ["Thôn Hà Nội", "Không thôn", "H-3"],  # line 6: no such village in c1
        ]
    )
    response = await upload(client, world, Role.commune_officer, world.c1, content, dry_run=True)
    assert response.status_code == 200
    errors = {(e["line"], e["field"]): e["msg"] for e in response.json()["errors"]}
    assert set(errors) == {(2, "code"), (5, "code"), (6, "village")}
    assert "already used in this village" in errors[(2, "code")]
    assert "line 4" in errors[(5, "code")]
    real = await upload(client, world, Role.commune_officer, world.c1, content)
    assert real.status_code == 422 and await count(session) == 1


async def test_a_village_import_refuses_rows_naming_another_village(world, session):
    content = csv_file([["Chủ hộ", "Thôn"], ["Ở Đây", "Đình"], ["Ở Kia", "Thôn Chùa"], ["Không Ghi", ""]])
    report = await import_households(
        session, admin(), world.v11.id, io.BytesIO(content), filename="a.csv", dry_run=True
    )
    assert [(e.line, e.field) for e in report.errors] == [(3, "village")]
    assert report.rows_valid == 2


async def test_assigned_members_and_visit_times(world, session):
    from app.models import Member, Team

    members = {}
    for name in ("c1", "v21"):
        team = Team(unit_id=world.units[name].id, name=f"Tổ {name}")
        session.add(team)
        await session.flush()
        members[name] = Member(team_id=team.id, unit_id=team.unit_id, full_name=f"Thành viên {name}")
        session.add(members[name])
    await session.flush()
    rows = [
        ["head_name", "assigned_member_id", "needs_assistance", "last_visit_at"],
        ["Hộ A", str(members["c1"].id), "x", "2026-05-01T08:00:00+07:00"],
        ["Hộ B", str(members["v21"].id), "x", ""],  # line 3: a member of another commune
        ["Hộ C", "không rõ", "", "hôm qua"],  # line 4: neither an id nor a time
    ]
    content = csv_file(rows)
    report = await import_households(
        session, admin(), world.v11.id, io.BytesIO(content), filename="a.csv", dry_run=True
    )
    assert {(e.line, e.field) for e in report.errors} == {
        (3, "assigned_member_id"),
        (4, "assigned_member_id"),
        (4, "last_visit_at"),
    }
    del rows[2:]
    await import_households(session, admin(), world.v11.id, io.BytesIO(csv_file(rows)), filename="a.csv")
    household = await session.scalar(select(Household).where(Household.head_name == "Hộ A"))
    assert household.assigned_member_id == members["c1"].id
    assert household.last_visit_at.isoformat() == "2026-05-01T01:00:00+00:00"


# fmt: off
@pytest.mark.parametrize(
    "role,unit,status",
    [(Role.admin, "v11", 201), (Role.commune_officer, "v11", 201), (Role.team_leader, "v11", 201),
     (Role.province_officer, "v11", 403), (Role.team_member, "v11", 403), (Role.viewer, "v11", 403),
     (Role.viewer, "c1", 403), (Role.commune_officer, "v21", 404), (Role.team_leader, "c1", 404),
     (Role.province_officer, "v31", 404), (Role.admin, "p", 422)],
)
# fmt: on
async def test_permission_and_scope(client, world, session, role, unit, status):
    content = csv_file([["Chủ hộ", "Thôn"], ["Nguyễn Văn An", world.units[unit].name]])
    response = await upload(client, world, role, world.units[unit], content)
    assert response.status_code == status, response.text
    assert await count(session) == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("a.xls", b"\xd0\xcf\x11\xe0rest", ".xls"),
        ("a.xlsx", b"Chu ho\nAn\n", "not an Excel workbook"),
        ("a.xlsx", b"PK\x03\x04broken", "cannot be read"),
        ("a.pdf", b"%PDF-1.4", "Unsupported file type"),
        ("a.csv", "Chủ hộ\nNguyễn\n".encode("utf-16"), "Line 1 is not UTF-8"),
        ("a.csv", b"Ch\xf2 h\xf4,S\xf4\nAn,1\n", "Line 1 is not UTF-8"),  # Windows-1258
        ("a.csv", "Chủ hộ,Số nhân khẩu\nAn,1\nĐào Bình,1\n".encode() + b"L\xea,1\n", "Line 4 is not UTF-8"),
        ("a.csv", b"Ten,Tuoi\nAn,1\n", "No header row"),
        ("a.csv", b"", "No header row"),
        ("a.csv", "Họ tên chủ hộ\n\n\n".encode(), "no household rows"),
        ("a.csv", "Chủ hộ,Họ tên chủ hộ\nA,B\n".encode(), "both give head_name"),
    ],
)
async def test_unreadable_files_are_422_never_500(client, world, name, content, message):
    response = await upload(client, world, Role.admin, world.v11, content, name=name, dry_run=True)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == ["file"]


async def test_a_commune_file_needs_a_village_column(client, world):
    response = await upload(client, world, Role.admin, world.c1, csv_file([["Chủ hộ"], ["An"]]), dry_run=True)
    assert response.status_code == 422 and "village column" in response.json()["detail"]


async def test_an_upload_over_the_limit_is_refused(client, world, monkeypatch):
    from api.routes import households as route

    monkeypatch.setattr(route, "MAX_UPLOAD", 100)
    response = await upload(client, world, Role.admin, world.v11, csv_file([["Chủ hộ"]] + [["An"]] * 50))
    assert response.status_code == 413 and "20 MB" in response.json()["detail"]


async def test_errors_are_capped_but_all_counted(world, session, monkeypatch):
    monkeypatch.setattr(run, "MAX_ERRORS", 5)
    rows = [["Chủ hộ", "Số nhân khẩu"]] + [["An", 0]] * 12
    report = await import_households(
        session, admin(), world.v11.id, io.BytesIO(csv_file(rows)), filename="a.csv", dry_run=True
    )
    assert (report.rows_invalid, report.errors_total, len(report.errors)) == (12, 12, 5)
    assert [e.line for e in report.errors] == [2, 3, 4, 5, 6]


async def test_progress_is_reported_to_the_end(world, session, monkeypatch):
    monkeypatch.setattr(run, "CHUNK_ROWS", 10)
    calls = []
    rows = [["Chủ hộ"]] + [[f"Hộ {i}"] for i in range(25)]
    await import_households(
        session,
        admin(),
        world.v11.id,
        io.BytesIO(xlsx_file(rows)),
        dry_run=True,
        progress=lambda done, total, stage: calls.append((done, total)),
    )
    assert calls[0] == (10, 25) and calls[-1] == (25, 25)


# fmt: off
@pytest.mark.parametrize(
    "value,expected",
    [("x", True), ("X", True), ("có", True), ("Có", True), ("co", True), ("1", True), (1, True),
     ("true", True), ("Yes", True), ("✓", True), (True, True), (None, False), ("", False),
     ("không", False), ("Khong", False), ("0", False), (0, False), ("false", False), ("no", False),
     ("có lẽ", None), (2, None), ("maybe", None)],
)
# fmt: on
def test_booleans(value, expected):
    assert parse_bool(value) is expected


async def test_file_errors_are_invalid_for_the_core_too(world, session):
    with pytest.raises(Invalid):
        await import_households(
            session, admin(), world.v11.id, io.BytesIO(b"nothing here\n"), filename="a.csv"
        )


def test_cli_import_households(tmp_path, monkeypatch):
    """The command end to end on its own SQLite database (the CLI commits, like in production)."""
    from typer.testing import CliRunner

    from app.cli import cli
    from app.core.config import get_settings

    database = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps tables to the terminal
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args):
        # A thread of its own: the command runs its own event loop (asyncio.run).
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(runner.invoke, cli, [str(a) for a in args]).result()

    try:
        assert invoke("migrate").exit_code == 0
        assert invoke("seed-demo").exit_code == 0
        good = tmp_path / "ds.csv"
        good.write_bytes(
            csv_file([["Thôn", "Họ tên chủ hộ", "Mã hộ"], ["Thôn 1", "Hộ A", "A1"], ["thon 2", "Hộ B", "B1"]])
        )
        bad = tmp_path / "bad.csv"
        bad.write_bytes(csv_file([["Thôn", "Họ tên chủ hộ"], ["Thôn 1", "Hộ A"], ["Thôn 9", "Hộ C"]]))

        dry = invoke("import-households", good, "--unit", "17152", "--dry-run")
        assert dry.exit_code == 0, dry.output
        assert "2 valid" in dry.output and "Dry run: nothing written." in dry.output
        refused = invoke("import-households", bad, "--unit", "17152")
        assert refused.exit_code == 1 and "Thôn 9" in refused.output and "│ 3 " in refused.output
        unknown = invoke("import-households", good, "--unit", "NOPE")
        assert unknown.exit_code == 2
        done = invoke("import-households", good, "--unit", "17152")
        assert done.exit_code == 0, done.output
        assert "Imported 2 households." in done.output

        with sqlite3.connect(database) as db:
            imported = db.execute("SELECT count(*) FROM households WHERE head_name IN ('Hộ A', 'Hộ B')")
            assert imported.fetchone() == (2,)
            actor = db.execute(
                "SELECT actor_name, actor_id FROM audit_log WHERE resource = 'household_import'"
            )
            assert actor.fetchall() == [("cli", "0" * 32)]
    finally:
        get_settings.cache_clear()


async def test_the_event_loop_stays_free_while_a_file_is_read(world, session):
    """Reading and checking run in a worker thread: other coroutines keep running meanwhile."""
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    rows = [["Chủ hộ", "Số nhân khẩu"]] + [[f"Hộ {i}", 1] for i in range(3000)]
    await import_households(
        session, admin(), world.v11.id, io.BytesIO(csv_file(rows)), filename="a.csv", dry_run=True
    )
    task.cancel()
    assert ticks > 10
