"""An import's budgets: a small file that unpacks into a huge one is refused in seconds (413), while the
server keeps answering everyone else; no lock is held while a file is read."""

import asyncio
import io
import struct
import zipfile
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.authz.permissions import Role
from app.core.db import db
from app.core.security import hash_password
from app.households.imports import run, workbook
from app.households.imports.errors import TooLarge
from app.models import AuditLog, Household, HouseholdDelta, Unit, User
from tests.world import PASSWORD, make_unit, make_user

URL = "/api/v1/households/import"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def workbook_of(sheet_data: str, shared_strings: int = 0) -> bytes:
    """A minimal .xlsx: one sheet holding `sheet_data`, and `shared_strings` times `<si><t>a</t></si>`
    (6.1 million of them are 100 MB once inflated, ~260 KB zipped)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        sheet_ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_ml}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_ml}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{sheet_ml}.sharedStrings+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Target="xl/workbook.xml" '
            f'Type="{RELATIONSHIPS}/officeDocument"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            '<sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
            f'Type="{RELATIONSHIPS}/worksheet"/><Relationship Id="rId2" Target="sharedStrings.xml" '
            f'Type="{RELATIONSHIPS}/sharedStrings"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>',
        )
        if shared_strings:
            with z.open("xl/sharedStrings.xml", "w") as part:
                part.write(f'<sst xmlns="{MAIN}">'.encode())
                block = b"<si><t>a</t></si>" * 100_000
                for _ in range(shared_strings // 100_000):
                    part.write(block)
                part.write(b"</sst>")
    return out.getvalue()


def shared_strings_bomb() -> bytes:
    return workbook_of('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared_strings=6_100_000)


@pytest.fixture
async def live(engine, app):
    """A commune, its village and the village's team leader, committed through the real engine (not
    the per-test transaction): requests then run in transactions of their own, with real locks."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        province = await make_unit(session, "Tỉnh Bom", "province")
        commune = await make_unit(session, "Xã Bom", "commune", province)
        village = await make_unit(session, "Thôn Bom", "village", commune)
        username = f"leader-{village.id.hex[-8:]}"
        leader = await make_user(session, username, Role.team_leader, village, await hash_password(PASSWORD))
        await session.commit()
    saved = db._engine, db._sessions
    db._engine, db._sessions = engine, sessions
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            signed_in = await client.post(
                "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
            )
        token = signed_in.json()["access_token"]
        yield SimpleNamespace(village=village, headers={"Authorization": f"Bearer {token}"})
    finally:
        db._engine, db._sessions = saved
        async with sessions() as session:
            units = [village.id, commune.id, province.id]
            await session.execute(delete(Household).where(Household.unit_id == village.id))
            await session.execute(delete(HouseholdDelta).where(HouseholdDelta.unit_id == commune.id))
            await session.execute(delete(AuditLog).where(AuditLog.unit_id.in_(units)))
            await session.execute(delete(AuditLog).where(AuditLog.actor_id == leader.id))
            await session.execute(delete(User).where(User.id == leader.id))  # its grants and sign-ins too
            for unit_id in units:
                await session.execute(delete(Unit).where(Unit.id == unit_id))
            await session.commit()


async def test_a_shared_strings_bomb_is_refused_while_others_are_served(app, live, monkeypatch):
    """The workbook of issue 10: 6.1 million one-letter shared strings, 100 MB once inflated. Refused
    as too large; while it is being read, a list and a write by someone else are answered (on SQLite
    the import holds no write lock while it reads)."""
    bomb = shared_strings_bomb()
    assert len(bomb) < 400_000
    reading, release = asyncio.Event(), asyncio.Event()
    to_thread = asyncio.to_thread

    async def held_at_reading(func, *args, **kwargs):
        # The import's first worker thread reads the file: hold it there while the others come.
        if not reading.is_set():
            reading.set()
            await release.wait()
        return await to_thread(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", held_at_reading)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        importing = asyncio.create_task(
            client.post(
                URL,
                params={"unit_id": str(live.village.id), "dry_run": "true"},
                files={"file": ("ds.xlsx", bomb, "application/octet-stream")},
                headers=live.headers,
            )
        )
        await asyncio.wait_for(reading.wait(), 60)
        listed = await client.get(
            "/api/v1/households", params={"unit_id": str(live.village.id)}, headers=live.headers
        )
        created = await client.post(
            "/api/v1/households",
            json={"unit_id": str(live.village.id), "head_name": "Hộ Bên Cạnh"},
            headers=live.headers,
        )
        assert not importing.done()
        release.set()
        refused = await importing
    assert listed.status_code == 200, listed.text  # on SQLite a 503 after 30 s when the import holds the lock
    assert created.status_code == 201, created.text
    assert listed.json()["total"] == 0
    assert refused.status_code == 413, refused.text
    problem = refused.json()
    assert problem["code"] == "import.too_large" and "2,000,000 texts" in problem["detail"]
    assert problem["errors"] == [{"loc": ["file"], "msg": problem["detail"], "code": "import.too_large"}]


async def test_a_workbook_whose_grid_would_take_the_memory_is_refused(client, world):
    """Two cells, A1 and XFD1048576: calamine would size its grid for 17 billion cells (a 1.4 KB file
    that aborts the process reading it). The child reading it ends; the server refuses the file."""
    far = workbook_of(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Chủ hộ</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    assert len(far) < 2000
    response = await client.post(
        URL,
        params={"unit_id": str(world.v11.id), "dry_run": "true"},
        files={"file": ("ds.xlsx", far, "application/octet-stream")},
        headers=world.auth(Role.team_leader),
    )
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "import.too_large" and "too complex" in response.json()["detail"]
    # The server is fine, and the same reader reads a sound workbook.
    sound = workbook_of(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Chủ hộ</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Nguyễn Văn An</t></is></c></row>'
    )
    response = await client.post(
        URL,
        params={"unit_id": str(world.v11.id), "dry_run": "true"},
        files={"file": ("ds.xlsx", sound, "application/octet-stream")},
        headers=world.auth(Role.team_leader),
    )
    assert response.status_code == 200 and response.json()["rows_valid"] == 1, response.text


def lying_about_its_size(content: bytes, declared: int) -> bytes:
    """A one-part zip whose headers (local and central) claim `declared` bytes for `content`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", content)
    data = bytearray(out.getvalue())
    struct.pack_into("<I", data, 22, declared)  # local file header: uncompressed size
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)  # central directory: uncompressed size
    return bytes(data)


def test_the_gate_counts_what_a_part_really_inflates_to(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_PART", 1_000_000)
    data = lying_about_its_size(b"<c/>" * 500_000, declared=100)  # 2 MB, said to be 100 bytes
    assert zipfile.ZipFile(io.BytesIO(data)).infolist()[0].file_size == 100
    with pytest.raises(workbook._Refused, match="too large once uncompressed"):
        workbook.gate(data)


@pytest.mark.parametrize(
    "budget,value,sheet,strings,message",
    [
        ("MAX_CELLS", 1000, "<row>" + '<c t="n"><v>1</v></c>' * 1001 + "</row>", 0, "1,000 cells"),
        ("MAX_CELLS", 1000, "<row>" + '<x:c t="n"><x:v>1</x:v></x:c>' * 1001 + "</row>", 0, "1,000 cells"),
        ("MAX_STRINGS", 100_000, "", 200_000, "100,000 texts"),
        ("MAX_INFLATED", 1_000_000, "", 100_000, "too large once uncompressed"),
    ],
)
def test_the_gate_budgets(monkeypatch, budget, value, sheet, strings, message):
    monkeypatch.setattr(workbook, budget, value)
    data = workbook_of(sheet, shared_strings=strings)
    with pytest.raises(workbook._Refused, match=message):
        workbook.gate(data)
    monkeypatch.undo()
    workbook.gate(data)  # within the usual budgets


def test_duplicate_part_names_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/sharedStrings.xml", "<sst/>")
        z.writestr("XL/SharedStrings.xml", "<sst><si><t>a</t></si></sst>")  # the one calamine may take
    with pytest.raises(workbook._Refused, match="cannot be read"):
        workbook.gate(out.getvalue())


async def test_a_workbook_over_its_size_and_a_file_over_its_rows(client, world, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_BYTES", 1000)
    big = workbook_of("".join(f'<row><c t="inlineStr"><is><t>Hộ {i}</t></is></c></row>' for i in range(500)))
    response = await client.post(
        URL,
        params={"unit_id": str(world.v11.id), "dry_run": "true"},
        files={"file": ("ds.xlsx", big, "application/octet-stream")},
        headers=world.auth(Role.admin),
    )
    assert response.status_code == 413 and response.json()["code"] == "import.too_large"
    monkeypatch.setattr(run, "MAX_ROWS", 10)
    rows = "Chủ hộ\n" + "".join(f"Hộ {i}\n" for i in range(11))
    response = await client.post(
        URL,
        params={"unit_id": str(world.v11.id), "dry_run": "true"},
        files={"file": ("ds.csv", rows.encode(), "text/csv")},
        headers=world.auth(Role.admin),
    )
    assert response.status_code == 413 and "more than 10 households" in response.json()["detail"]


def test_a_workbook_read_past_its_deadline_is_refused(monkeypatch):
    """The child is ended when its time is up (here: at once), and the file is refused as too large."""

    class Expired:
        def __init__(self, _seconds, end):
            self.end = end

        def start(self):
            self.end()

        def cancel(self):
            pass

    monkeypatch.setattr(workbook.threading, "Timer", Expired)
    sound = workbook_of('<row r="1"><c r="A1" t="inlineStr"><is><t>Chủ hộ</t></is></c></row>')
    with pytest.raises(TooLarge, match="too large or too complex"):
        workbook.Workbook(io.BytesIO(sound))
