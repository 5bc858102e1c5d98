"""Issue 21, item 7: the household export is a desk task for those who answer for the list (Law
91/2025/QH15, data minimisation): the admin, the province and commune officers and the team leaders.
A team member works from the list on the phone (it reads it, page by page, in the access log) and gets
no file of the whole village with its phones; nor does a viewer or an integration's key."""

import io

import pytest
from openpyxl import load_workbook

from app.authz.permissions import Role
from tests.world import ROLES, make_api_key, make_household, make_user

EXPORTERS = {Role.admin, Role.province_officer, Role.commune_officer, Role.team_leader}
URL = "/api/v1/households/export.xlsx"


@pytest.fixture
async def homes(world, session):
    homes = {
        name: await make_household(session, world.units[name], f"Hộ {name}", phone="0912 000 111")
        for name in ("v11", "v12")
    }
    await session.commit()
    return homes


@pytest.mark.parametrize("role", ROLES)
async def test_who_exports_the_households(client, world, homes, role):
    response = await client.get(URL, headers=world.auth(role))
    assert response.status_code == (200 if role in EXPORTERS else 403), (role, response.text)
    if role is Role.team_member:  # the list on the phone is still there
        listed = await client.get("/api/v1/households", headers=world.auth(role))
        assert listed.status_code == 200 and listed.json()["total"] == 1


async def test_no_key_exports_the_households(client, world, session, homes):
    _, raw = await make_api_key(session, world.c1, "Cổng tỉnh", read_only=False)
    await session.commit()
    assert (await client.get(URL, headers={"X-API-Key": raw})).status_code == 403


async def test_a_member_here_and_a_leader_there_exports_only_where_they_lead(client, world, session, homes):
    from app.auth.service import access_token
    from app.models import RoleAssignment

    user = await make_user(session, "hai.vai", Role.team_member, world.v11, "x")
    session.add(RoleAssignment(user_id=user.id, role=Role.team_leader.value, unit_id=world.v12.id))
    await session.commit()
    headers = {"Authorization": f"Bearer {access_token(user.id)[0]}"}
    response = await client.get(URL, headers=headers)
    assert response.status_code == 200, response.text
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[3] for row in rows[1:]] == ["Hộ v12"]  # not v11's, where they are a member
    assert (await client.get(URL, params={"unit_id": str(world.v11.id)}, headers=headers)).status_code == 403
