"""Coordination with the commune police on VNeID (issue 20, item 6; plan 004, Đề án 06): a key limited
to the VNeID and signature counts of its area's households, every change audited under the key, and
the commune sees which figures came from the police and when."""

import uuid

from sqlalchemy import select

from app.authz.permissions import Role
from app.models import ApiKey, AuditLog, Household
from tests.world import make_api_key, make_household


def key_header(raw: str) -> dict[str, str]:
    return {"X-API-Key": raw}


async def _police_key(client, world, session) -> tuple[uuid.UUID, str]:
    created = await client.post(
        "/api/v1/api-keys",
        json={"name": "Công an xã Đông Hòa", "unit_id": str(world.c1.id), "vneid_only": True},
        headers=world.auth(Role.commune_officer),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["vneid_only"], body["read_only"]) == (True, False)
    return uuid.UUID(body["id"]), body["key"]


async def test_a_police_key_updates_only_the_vneid_figures_of_its_area_audited_under_the_key(
    client, world, session
):
    home = await make_household(session, world.v11, "Nguyễn Văn An", members_count=5, adults_count=4)
    away = await make_household(session, world.v21, "Lê Văn Xa", members_count=3, adults_count=2)
    await session.commit()
    key_id, raw = await _police_key(client, world, session)
    police = key_header(raw)

    updated = await client.patch(
        f"/api/v1/households/{home.id}", json={"adults_vneid": 3, "adults_signature": 2}, headers=police
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["adults_vneid"], updated.json()["adults_signature"]) == (3, 2)
    [log] = await session.scalars(
        select(AuditLog).where(AuditLog.resource == "household", AuditLog.resource_id == str(home.id),
                               AuditLog.action == "update")
    )  # fmt: skip
    assert (log.actor_id, log.actor_name) == (key_id, "api-key:Công an xã Đông Hòa")
    assert (log.before["adults_vneid"], log.after["adults_vneid"]) == (0, 3)

    # Nothing else: other fields, other records, other areas.
    other_field = await client.patch(
        f"/api/v1/households/{home.id}", json={"adults_smartphone": 1}, headers=police
    )
    assert other_field.status_code == 403
    renamed = await client.patch(f"/api/v1/households/{home.id}", json={"head_name": "X"}, headers=police)
    assert renamed.status_code == 403
    too_many = await client.patch(f"/api/v1/households/{home.id}", json={"adults_vneid": 9}, headers=police)
    assert too_many.status_code == 422
    activity = {
        "unit_id": str(world.v11.id), "occurred_at": "2026-03-10T09:00:00+07:00", "kind": "vneid_activation",
    }  # fmt: skip
    assert (await client.post("/api/v1/activities", json=activity, headers=police)).status_code == 403
    assert (await client.get("/api/v1/members", headers=police)).status_code == 403
    outside = await client.patch(f"/api/v1/households/{away.id}", json={"adults_vneid": 1}, headers=police)
    assert outside.status_code == 404
    found = await client.get("/api/v1/households", params={"q": "Nguyễn Văn An"}, headers=police)
    assert [h["id"] for h in found.json()["items"]] == [str(home.id)]
    stored = await session.get(Household, home.id, populate_existing=True)
    assert (stored.adults_vneid, stored.adults_smartphone, stored.head_name) == (3, 0, "Nguyễn Văn An")


async def test_an_ordinary_key_still_cannot_update_a_household_and_a_member_can(client, world, session):
    home = await make_household(session, world.v11, "Nguyễn Văn An", members_count=5, adults_count=4)
    _, raw = await make_api_key(session, world.c1, "Cổng DVC")
    await session.commit()
    ordinary = await client.patch(
        f"/api/v1/households/{home.id}", json={"adults_vneid": 1}, headers=key_header(raw)
    )
    assert ordinary.status_code == 403
    member = await client.patch(
        f"/api/v1/households/{home.id}", json={"adults_vneid": 1}, headers=world.auth(Role.team_member)
    )
    assert member.status_code == 200 and member.json()["adults_vneid"] == 1
    key = (await session.scalars(select(ApiKey).where(ApiKey.name == "Cổng DVC"))).one()
    assert key.vneid_only is False


async def test_the_commune_sees_which_vneid_figures_came_from_the_police_and_when(client, world, session):
    home = await make_household(session, world.v11, "Nguyễn Văn An", members_count=5, adults_count=4)
    await session.commit()
    key_id, raw = await _police_key(client, world, session)
    await client.patch(f"/api/v1/households/{home.id}", json={"adults_vneid": 2}, headers=key_header(raw))
    await client.patch(f"/api/v1/households/{home.id}", json={"adults_signature": 1}, headers=key_header(raw))
    # A member's own visit is not the police's.
    await client.patch(
        f"/api/v1/households/{home.id}", json={"adults_vneid": 3}, headers=world.auth(Role.team_member)
    )

    response = await client.get(
        "/api/v1/vneid/updates",
        params={"unit_id": str(world.c1.id)},
        headers=world.auth(Role.commune_officer),
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 2
    newest, first = page["items"]
    assert (first["household_id"], first["key_id"], first["key_name"]) == (
        str(home.id),
        str(key_id),
        "Công an xã Đông Hòa",
    )
    assert (first["adults_vneid_before"], first["adults_vneid"]) == (0, 2)
    assert (newest["adults_signature_before"], newest["adults_signature"]) == (0, 1)
    assert first["at"] <= newest["at"]
    other = await client.get(
        "/api/v1/vneid/updates",
        params={"unit_id": str(world.c2.id)},
        headers=world.auth(Role.commune_officer),
    )
    assert other.status_code == 404
    assert (await client.get("/api/v1/vneid/updates", headers=world.auth(Role.viewer))).status_code == 403
