"""A data subject's requests (issue 13): everything held about a household, as JSON and as a workbook;
erasure of its personal fields everywhere they live, the counts kept."""

import io
import uuid

import pytest
from openpyxl import load_workbook

from app.authz.permissions import Role
from tests.world import make_household

NAME, PHONE, ADDRESS = "Phạm Thị Riêng Tư", "0987 654 321", "Xóm Bí Mật"


@pytest.fixture
async def household(client, world):
    """Created by the team leader with an Idempotency-Key (its response stored), then its phone changed."""
    body = {
        "unit_id": str(world.v11.id),
        "head_name": NAME,
        "phone": "0911 000 000",
        "address": ADDRESS,
        "members_count": 4,
        "adults_count": 3,
        "adults_smartphone": 2,
        "informed": True,
    }
    headers = world.auth(Role.team_leader) | {"Idempotency-Key": "create-private-1"}
    created = await client.post("/api/v1/households", json=body, headers=headers)
    assert created.status_code == 201, created.text
    record = created.json()
    changed = await client.patch(
        f"/api/v1/households/{record['id']}", json={"phone": PHONE}, headers=world.auth(Role.team_leader)
    )
    assert changed.status_code == 200
    return record | {"body": body, "headers": headers}


async def test_personal_data_as_json_holds_the_record_and_its_history(client, world, household):
    url = f"/api/v1/households/{household['id']}/personal-data"
    response = await client.get(url, headers=world.auth(Role.commune_officer))
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["household"]["head_name"], data["household"]["phone"]) == (NAME, PHONE)
    assert [(c["action"], c["after"]["phone"]) for c in data["history"]] == [
        ("create", "0911 000 000"),
        ("update", PHONE),
    ]
    audit = await client.get(
        "/api/v1/audit", params={"resource_id": household["id"]}, headers=world.auth(Role.admin)
    )
    assert "personal_data" in [e["action"] for e in audit.json()["items"]]


async def test_personal_data_as_xlsx_contains_the_phone_and_is_logged_with_its_file(client, world, household):
    url = f"/api/v1/households/{household['id']}/personal-data"
    response = await client.get(url, params={"format": "xlsx"}, headers=world.auth(Role.commune_officer))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {cell.value for row in sheet.iter_rows() for cell in row}
    assert {PHONE, NAME, ADDRESS} <= cells
    log = await client.get(
        "/api/v1/access-log", params={"record_id": household["id"]}, headers=world.auth(Role.admin)
    )
    files = [e["file"] for e in log.json()["items"] if e["file"]]
    assert files == [f"du-lieu-ca-nhan-{household['id']}.xlsx"]


@pytest.mark.parametrize("role", [Role.team_leader, Role.team_member, Role.viewer])
async def test_requests_are_for_officers(client, world, household, role):
    url = f"/api/v1/households/{household['id']}"
    assert (await client.get(f"{url}/personal-data", headers=world.auth(role))).status_code == 403
    assert (await client.post(f"{url}/erase", headers=world.auth(role))).status_code == 403


async def test_outside_the_area_is_404(client, world, session):
    elsewhere = await make_household(session, world.v21, NAME, phone=PHONE)  # commune c2
    await session.commit()
    headers = world.auth(Role.commune_officer)  # at c1
    for target in (elsewhere.id, uuid.uuid4()):
        url = f"/api/v1/households/{target}"
        assert (await client.get(f"{url}/personal-data", headers=headers)).status_code == 404
        refused = await client.post(f"{url}/erase", headers=headers)
        assert refused.status_code == 404
        assert PHONE not in refused.text
    await session.refresh(elsewhere)
    assert elsewhere.phone == PHONE


async def kpi(client, world) -> list:
    response = await client.get(
        "/api/v1/kpi", params={"unit_id": str(world.c1.id), "period": "2026"}, headers=world.auth(Role.admin)
    )
    assert response.status_code == 200
    return response.json()["indicators"]


@pytest.mark.parametrize("role", [Role.commune_officer, Role.province_officer, Role.admin])
async def test_erase_removes_personal_data_everywhere_and_keeps_the_counts(client, world, household, role):
    before = await kpi(client, world)
    url = f"/api/v1/households/{household['id']}"
    response = await client.post(f"{url}/erase", headers=world.auth(role))
    assert response.status_code == 200, response.text
    erased = response.json()
    assert (erased["head_name"], erased["phone"], erased["address"]) == ("(đã xoá)", None, None)
    assert (erased["members_count"], erased["adults_smartphone"]) == (4, 2)
    assert erased["version"] > household["version"] + 1  # the update, then the erasure
    assert await kpi(client, world) == before

    admin = world.auth(Role.admin)
    answers = [
        await client.get(url, headers=admin),
        await client.get("/api/v1/households", params={"unit_id": str(world.v11.id)}, headers=admin),
        await client.get(
            "/api/v1/households", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=admin
        ),
        await client.get("/api/v1/audit", params={"resource_id": household["id"]}, headers=admin),
        await client.get(f"{url}/personal-data", headers=admin),
        # The create replayed from its stored response.
        await client.post("/api/v1/households", json=household["body"], headers=household["headers"]),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.text
        for secret in (NAME, PHONE, "0911 000 000", ADDRESS):
            assert secret not in answer.text, (answer.request.url, secret)
    assert answers[-1].headers.get("idempotent-replayed") == "true"
    search = await client.get("/api/v1/households", params={"q": "0987654321"}, headers=admin)
    assert search.json()["items"] == []
    xlsx = await client.get(f"{url}/personal-data", params={"format": "xlsx"}, headers=admin)
    cells = {c.value for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row}
    assert not {NAME, PHONE, ADDRESS} & cells
    audit = (await client.get("/api/v1/audit", params={"resource_id": household["id"]}, headers=admin)).json()
    assert "erase" in [e["action"] for e in audit["items"]]


async def test_erase_is_idempotent(client, world, household):
    url = f"/api/v1/households/{household['id']}/erase"
    first = await client.post(url, headers=world.auth(Role.commune_officer))
    again = await client.post(url, headers=world.auth(Role.commune_officer))
    assert first.status_code == again.status_code == 200
    assert again.json()["version"] == first.json()["version"]
    assert again.json()["head_name"] == "(đã xoá)"


async def test_erase_takes_the_visit_notes_too(client, world, household):
    """A visit note is free text a volunteer may have written a phone into: erasure removes it from
    the record and from the notes of earlier visits (their audit snapshots)."""
    url = f"/api/v1/households/{household['id']}"
    note = f"Gọi con trai số {PHONE}"
    assert (
        await client.patch(url, json={"note": note}, headers=world.auth(Role.team_leader))
    ).status_code == 200
    notes = await client.get(f"{url}/notes", headers=world.auth(Role.team_leader))
    assert [n["note"] for n in notes.json()["items"]] == [note]

    erased = await client.post(f"{url}/erase", headers=world.auth(Role.commune_officer))
    assert erased.status_code == 200 and erased.json()["note"] is None
    assert (await client.get(f"{url}/notes", headers=world.auth(Role.team_leader))).json()["items"] == []
    history = await client.get(
        "/api/v1/audit", params={"resource_id": household["id"]}, headers=world.auth(Role.admin)
    )
    assert note not in history.text


async def test_a_deleted_household_can_still_be_seen_and_erased(client, world, household, session):
    """Deleting a household leaves its tombstone holding the name and phone: a data subject's requests
    reach it (before: 404, and the data stayed)."""
    from sqlalchemy import select

    from app.models import Household

    url = f"/api/v1/households/{household['id']}"
    assert (await client.delete(url, headers=world.auth(Role.team_leader))).status_code == 204
    officer = world.auth(Role.commune_officer)
    held = await client.get(f"{url}/personal-data", headers=officer)
    assert held.status_code == 200 and held.json()["household"]["phone"] == PHONE

    erased = await client.post(f"{url}/erase", headers=officer)
    assert erased.status_code == 200, erased.text
    row = (
        await session.execute(
            select(Household.head_name, Household.phone, Household.address, Household.deleted_at).where(
                Household.id == uuid.UUID(household["id"])
            )
        )
    ).one()
    assert row[:3] == ("(đã xoá)", None, None) and row[3] is not None
    history = await client.get(
        "/api/v1/audit", params={"resource_id": household["id"]}, headers=world.auth(Role.admin)
    )
    assert PHONE not in history.text and NAME not in history.text
