"""Consent (issue 13): a household records when it agreed to its personal data being kept and who
collected it; with REQUIRE_CONSENT on, the API and the importer refuse a phone or an address without
it, through the one rule in app/households/rules.py."""

import pytest

from app.authz.permissions import Role
from app.core.config import get_settings
from tests.test_household_import import upload
from tests.world import make_household


@pytest.fixture
def require_consent(monkeypatch):
    monkeypatch.setattr(get_settings(), "require_consent", True)


def body(world, **overrides):
    return {"unit_id": str(world.v11.id), "head_name": "Trần Văn Đức", "members_count": 2} | overrides


async def test_consent_is_stored_and_read_back(client, world):
    response = await client.post(
        "/api/v1/households",
        json=body(world, consent_on="2026-03-01", consent_by="Lê Thị Hoa", phone="0912345678"),
        headers=world.auth(Role.team_leader),
    )
    assert response.status_code == 201, response.text
    household = (
        await client.get(f"/api/v1/households/{response.json()['id']}", headers=world.auth(Role.admin))
    ).json()
    assert (household["consent_on"], household["consent_by"]) == ("2026-03-01", "Lê Thị Hoa")
    page = await client.get(
        "/api/v1/households", params={"unit_id": str(world.v11.id)}, headers=world.auth(Role.admin)
    )
    assert page.json()["items"][0]["consent_on"] == "2026-03-01"


async def test_without_the_setting_no_consent_is_needed(client, world):
    response = await client.post(
        "/api/v1/households", json=body(world, phone="0912345678"), headers=world.auth(Role.team_leader)
    )
    assert response.status_code == 201


async def test_consent_required_refuses_phone_and_address(client, world, require_consent):
    response = await client.post(
        "/api/v1/households",
        json=body(world, phone="0912345678", address="Xóm 1"),
        headers=world.auth(Role.team_leader),
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "household.consent_required"
    assert sorted(e["loc"][-1] for e in problem["errors"]) == ["address", "phone"]
    assert "0912345678" not in response.text  # an error body quotes no personal data


async def test_consent_required_keeps_counts_and_the_head_name(client, world, require_consent):
    response = await client.post("/api/v1/households", json=body(world), headers=world.auth(Role.team_leader))
    assert response.status_code == 201
    response = await client.post(
        "/api/v1/households",
        json=body(world, code="H2", phone="0912345678", consent_on="2026-03-01", consent_by="Tổ trưởng"),
        headers=world.auth(Role.team_leader),
    )
    assert response.status_code == 201


async def test_consent_required_on_update(client, world, session, require_consent):
    household = await make_household(session, world.v11, "Hộ Cũ", phone="0911111111")
    await session.commit()
    url = f"/api/v1/households/{household.id}"
    member = world.auth(Role.team_member)
    # A household stored before the setting came on can still be visited.
    assert (await client.patch(url, json={"note": "Đã thăm"}, headers=member)).status_code == 200
    refused = await client.patch(url, json={"address": "Xóm 2"}, headers=world.auth(Role.team_leader))
    assert (refused.status_code, refused.json()["code"]) == (422, "household.consent_required")
    # A team member records consent on a visit, then the address may be kept.
    consent = {"consent_on": "2026-04-02", "consent_by": "Thành viên"}
    assert (await client.patch(url, json=consent, headers=member)).status_code == 200
    assert (
        await client.patch(url, json={"address": "Xóm 2"}, headers=world.auth(Role.team_leader))
    ).status_code == 200
    # Withdrawing consent while the phone is kept is refused.
    withdrawn = await client.patch(url, json={"consent_on": None}, headers=world.auth(Role.team_leader))
    assert (withdrawn.status_code, withdrawn.json()["code"]) == (422, "household.consent_required")


async def test_import_applies_the_same_rule(client, world, require_consent):
    content = (
        "Họ tên chủ hộ,Số điện thoại,Ngày đồng ý,Người lấy ý kiến\n"
        "Nguyễn Văn A,0912345678,,\n"
        "Trần Thị B,0987654321,2026-03-01,Tổ trưởng\n"
    )
    response = await upload(client, world, Role.commune_officer, world.v11, content.encode(), dry_run=True)
    report = response.json()
    assert (report["rows_valid"], report["rows_invalid"]) == (1, 1), report
    (error,) = report["errors"]
    assert (error["line"], error["field"], error["code"]) == (2, "phone", "household.consent_required")
