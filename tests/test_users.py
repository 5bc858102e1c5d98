import uuid

import pytest

from app.authz.permissions import Role
from tests.world import ROLES

USERS_VISIBLE = {
    Role.admin: set(ROLES),
    Role.province_officer: {
        Role.province_officer,
        Role.commune_officer,
        Role.team_leader,
        Role.team_member,
        Role.viewer,
    },
    Role.commune_officer: {Role.commune_officer, Role.team_leader, Role.team_member, Role.viewer},
}


def new_user(unit, role="team_member", **extra):
    return {
        "username": f"u{uuid.uuid4().hex[:8]}",
        "full_name": "Nguyễn Thị Mai",
        "password": "secret-pass-1",
        "roles": [{"role": role, "unit_id": str(unit.id)}],
    } | extra


@pytest.mark.parametrize("role", ROLES)
async def test_list_users_is_scoped(client, world, role):
    response = await client.get("/api/v1/users", headers=world.auth(role))
    if role not in USERS_VISIBLE:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    names = {u["username"] for u in response.json()["items"]}
    assert names == {world.users[r].username for r in USERS_VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
async def test_everyone_reads_itself_and_nobody_reads_outside(client, world, session, role):
    from tests.world import make_user

    outsider = await make_user(session, "outsider", Role.team_member, world.v31, "x")
    await session.commit()
    me = await client.get(f"/api/v1/users/{world.users[role].id}", headers=world.auth(role))
    assert me.status_code == 200
    assert me.headers["etag"] == '"1"'
    out = await client.get(f"/api/v1/users/{outsider.id}", headers=world.auth(role))
    assert out.status_code == (200 if role is Role.admin else 404)
    other = Role.team_member if role is Role.team_leader else Role.team_leader
    colleague = await client.get(f"/api/v1/users/{world.users[other].id}", headers=world.auth(role))
    assert colleague.status_code == (200 if role in USERS_VISIBLE else 403)


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.admin, 201),
        (Role.province_officer, 201),
        (Role.commune_officer, 201),
        (Role.team_leader, 403),
        (Role.team_member, 403),
        (Role.viewer, 403),
    ],
)
async def test_create_a_team_member_in_v11_as_each_role(client, world, role, status):
    response = await client.post("/api/v1/users", json=new_user(world.v11), headers=world.auth(role))
    assert response.status_code == status, response.json()
    if status == 201:
        body = response.json()
        assert body["roles"] == [{"role": "team_member", "unit_id": str(world.v11.id)}]
        assert "password" not in body and "password_hash" not in body


async def test_nobody_grants_above_their_rank(client, world):
    headers = world.auth(Role.commune_officer)
    above = await client.post("/api/v1/users", json=new_user(world.p, "province_officer"), headers=headers)
    assert above.status_code == 404  # p is above the officer: not a unit they can see
    same_rank_elsewhere = await client.post(
        "/api/v1/users", json=new_user(world.c1, "admin"), headers=headers
    )
    assert same_rank_elsewhere.status_code == 422  # admin holds no unit
    admin = new_user(world.c1) | {"roles": [{"role": "admin"}]}
    assert (await client.post("/api/v1/users", json=admin, headers=headers)).status_code == 403
    peer = await client.post("/api/v1/users", json=new_user(world.c1, "commune_officer"), headers=headers)
    assert peer.status_code == 201


async def test_nobody_grants_outside_their_subtree(client, world):
    response = await client.post(
        "/api/v1/users", json=new_user(world.v21), headers=world.auth(Role.commune_officer)
    )
    assert (response.status_code, response.json()["code"]) == (404, "unit.unknown")
    assert response.json()["errors"][0]["loc"] == ["body", "roles", 0, "unit_id"]


async def test_role_must_match_the_unit_level(client, world):
    response = await client.post(
        "/api/v1/users", json=new_user(world.v11, "commune_officer"), headers=world.auth(Role.admin)
    )
    assert response.status_code == 422


async def test_duplicate_username_is_409(client, world):
    body = new_user(world.v11, username="team.leader")
    assert (await client.post("/api/v1/users", json=body, headers=world.auth(Role.admin))).status_code == 409


async def test_new_user_can_sign_in(client, world):
    body = new_user(world.v12)
    assert (
        await client.post("/api/v1/users", json=body, headers=world.auth(Role.commune_officer))
    ).status_code == 201
    token = await client.post(
        "/api/v1/auth/token", data={"username": body["username"], "password": body["password"]}
    )
    assert token.status_code == 200


async def test_client_id_replay(client, world):
    body = new_user(world.v11, id=str(uuid.uuid4()))
    headers = world.auth(Role.commune_officer)
    assert (await client.post("/api/v1/users", json=body, headers=headers)).status_code == 201
    assert (await client.post("/api/v1/users", json=body, headers=headers)).status_code == 200
    assert (
        await client.post("/api/v1/users", json=body | {"full_name": "Khác"}, headers=headers)
    ).status_code == 409


async def test_update_roles_and_deactivate(client, world):
    headers = world.auth(Role.commune_officer)
    member = world.users[Role.team_member]
    url = f"/api/v1/users/{member.id}"
    response = await client.patch(
        url,
        json={"roles": [{"role": "team_leader", "unit_id": str(world.v12.id)}], "is_active": False},
        headers=headers | {"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["roles"] == [{"role": "team_leader", "unit_id": str(world.v12.id)}]
    assert response.json()["is_active"] is False
    assert response.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"full_name": "X"}, headers=headers | {"If-Match": '"1"'})
    assert stale.status_code == 412


async def test_officer_cannot_manage_a_user_holding_a_role_above(client, world):
    target = world.users[Role.province_officer]
    response = await client.patch(
        f"/api/v1/users/{target.id}", json={"full_name": "X"}, headers=world.auth(Role.province_officer)
    )
    assert response.status_code == 200  # itself, same rank
    denied = await client.patch(
        f"/api/v1/users/{target.id}", json={"full_name": "Y"}, headers=world.auth(Role.commune_officer)
    )
    assert denied.status_code == 404  # a province officer is not visible from a commune


async def test_cannot_change_own_roles_or_delete_self(client, world):
    me = world.users[Role.commune_officer]
    headers = world.auth(Role.commune_officer)
    roles = await client.patch(f"/api/v1/users/{me.id}", json={"roles": []}, headers=headers)
    assert roles.status_code == 403
    assert (await client.delete(f"/api/v1/users/{me.id}", headers=headers)).status_code == 403


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.admin, 204),
        (Role.province_officer, 204),
        (Role.commune_officer, 204),
        (Role.team_leader, 403),
        (Role.viewer, 403),
    ],
)
async def test_delete_a_team_member_as_each_role(client, world, role, status):
    member = world.users[Role.team_member]
    response = await client.delete(f"/api/v1/users/{member.id}", headers=world.auth(role))
    assert response.status_code == status
