import pytest

from app.authz.permissions import Role
from tests.world import ROLES


async def _write_some(client, world):
    admin = world.auth(Role.admin)
    body = {"code": "A-1", "name": "Thôn Một", "level": "village", "parent_id": str(world.c1.id)}
    created = (await client.post("/api/v1/units", json=body, headers=admin)).json()
    await client.patch(f"/api/v1/units/{created['id']}", json={"name": "Thôn Hai"}, headers=admin)
    body = {"code": "A-2", "name": "Thôn Ba", "level": "village", "parent_id": str(world.c3.id)}
    await client.post("/api/v1/units", json=body, headers=admin)
    return created


async def test_every_write_is_audited_with_before_and_after(client, world):
    created = await _write_some(client, world)
    response = await client.get(
        "/api/v1/audit",
        params={"resource": "unit", "resource_id": created["id"]},
        headers=world.auth(Role.admin),
    )
    entries = response.json()["items"]
    assert [e["action"] for e in entries] == ["update", "create"]
    update = entries[0]
    assert update["before"]["name"] == "Thôn Một" and update["after"]["name"] == "Thôn Hai"
    assert update["actor_name"] == "admin"
    assert update["actor_id"] == str(world.users[Role.admin].id)


@pytest.mark.parametrize(
    "role,visible",
    [
        (Role.admin, 3),
        (Role.province_officer, 2),
        (Role.commune_officer, 2),
        (Role.team_leader, None),
        (Role.team_member, None),
        (Role.viewer, None),
    ],
)
async def test_audit_is_scoped_and_for_officers_only(client, world, role, visible):
    await _write_some(client, world)
    response = await client.get("/api/v1/audit", params={"resource": "unit"}, headers=world.auth(role))
    if visible is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert response.json()["total"] == visible


async def test_audit_filters_by_actor(client, world):
    await _write_some(client, world)
    commune = world.auth(Role.commune_officer)
    body = {
        "username": "newbie",
        "full_name": "Người Mới",
        "password": "password-1",
        "roles": [{"role": "viewer", "unit_id": str(world.v11.id)}],
    }
    assert (await client.post("/api/v1/users", json=body, headers=commune)).status_code == 201
    mine = await client.get(
        "/api/v1/audit", params={"actor_id": str(world.users[Role.commune_officer].id)}, headers=commune
    )
    assert [(e["resource"], e["action"]) for e in mine.json()["items"]] == [("user", "create")]
    assert "password" not in mine.json()["items"][0]["after"]


async def test_failed_writes_leave_no_audit(client, world):
    body = {"code": world.v11.code, "name": "Dup", "level": "village", "parent_id": str(world.c1.id)}
    assert (await client.post("/api/v1/units", json=body, headers=world.auth(Role.admin))).status_code == 409
    response = await client.get("/api/v1/audit", headers=world.auth(Role.admin))
    assert response.json()["total"] == 0


assert set(ROLES)  # every role is covered above
