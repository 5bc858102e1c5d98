import uuid

import pytest
from sqlalchemy import func, select

from app.authz.permissions import Role
from app.models import AuditLog, Unit
from tests.world import ROLES

# What each role sees of the world: its home subtree (admin: everything).
VISIBLE = {
    Role.admin: {"p", "c1", "c2", "v11", "v12", "v21", "p2", "c3", "v31"},
    Role.province_officer: {"p", "c1", "c2", "v11", "v12", "v21"},
    Role.commune_officer: {"c1", "v11", "v12"},
    Role.team_leader: {"v11"},
    Role.team_member: {"v11"},
    Role.viewer: {"c1", "v11", "v12"},
}


@pytest.mark.parametrize("role", ROLES)
async def test_list_shows_the_callers_subtree_only(client, world, role):
    response = await client.get("/api/v1/units", params={"limit": 500}, headers=world.auth(role))
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {str(world.units[name].id) for name in VISIBLE[role]}
    assert response.json()["total"] == len(VISIBLE[role])


@pytest.mark.parametrize("role", ROLES)
async def test_get_in_scope_is_200_out_of_scope_is_404(client, world, role):
    for name, unit in world.units.items():
        response = await client.get(f"/api/v1/units/{unit.id}", headers=world.auth(role))
        expected = 200 if name in VISIBLE[role] else 404
        assert response.status_code == expected, (role, name)
        if expected == 200:
            assert response.headers["etag"] == f'"{unit.version}"'


async def test_filters_by_parent_level_and_accent_insensitive_name(client, world):
    headers = world.auth(Role.admin)
    children = await client.get("/api/v1/units", params={"parent_id": str(world.c1.id)}, headers=headers)
    assert {u["name"] for u in children.json()["items"]} == {"Thôn Đình", "Thôn Chùa"}
    communes = await client.get("/api/v1/units", params={"level": "commune"}, headers=headers)
    assert communes.json()["total"] == 3
    found = await client.get("/api/v1/units", params={"q": "dong hoa"}, headers=headers)
    assert [u["name"] for u in found.json()["items"]] == ["Xã Đông Hòa"]


# Who may create a village under c1 (a commune): admin, the province officer above it and the
# commune's officer (villages are local).
@pytest.mark.parametrize(
    "role,status",
    [
        (Role.admin, 201),
        (Role.province_officer, 201),
        (Role.commune_officer, 201),
        (Role.team_leader, 404),  # c1 is outside a leader's subtree: the parent does not exist for them
        (Role.team_member, 404),
        (Role.viewer, 403),
    ],
)
async def test_create_village_as_each_role(client, world, session, role, status):
    body = {"code": "NEW-V", "name": "Thôn Mới", "level": "village", "parent_id": str(world.c1.id)}
    response = await client.post("/api/v1/units", json=body, headers=world.auth(role))
    assert response.status_code == status, response.json()
    audits = await session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.resource == "unit")
    )
    assert audits == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["parent_id"] == str(world.c1.id)
        assert response.headers["etag"] == '"1"'


async def test_only_admin_creates_provinces(client, world):
    body = {"code": "NEW-P", "name": "Tỉnh Mới", "level": "province"}
    assert (
        await client.post("/api/v1/units", json=body, headers=world.auth(Role.province_officer))
    ).status_code == 403
    assert (await client.post("/api/v1/units", json=body, headers=world.auth(Role.admin))).status_code == 201


@pytest.mark.parametrize(
    "body,field",
    [
        ({"level": "village", "parent_id": "p"}, "parent_id"),  # a village under a province
        ({"level": "commune"}, "parent_id"),  # a commune without a parent
        ({"level": "province", "parent_id": "p"}, "parent_id"),  # a province with a parent
        ({"level": "hamlet", "parent_id": "c1"}, "level"),
    ],
)
async def test_tree_rules(client, world, body, field):
    body = {"code": "X-1", "name": "X"} | body
    if "parent_id" in body:
        body["parent_id"] = str(world.units[body["parent_id"]].id)
    response = await client.post("/api/v1/units", json=body, headers=world.auth(Role.admin))
    assert response.status_code == 422
    assert field in response.json()["errors"][0]["loc"]


async def test_duplicate_code_is_409(client, world):
    body = {"code": world.v11.code, "name": "Copy", "level": "village", "parent_id": str(world.c1.id)}
    response = await client.post("/api/v1/units", json=body, headers=world.auth(Role.admin))
    assert response.status_code == 409


async def test_client_id_replay_returns_the_record_and_a_different_body_is_409(client, world):
    unit_id = str(uuid.uuid4())
    body = {
        "id": unit_id,
        "code": "OFF-1",
        "name": "Thôn Offline",
        "level": "village",
        "parent_id": str(world.c1.id),
    }
    headers = world.auth(Role.admin)
    first = await client.post("/api/v1/units", json=body, headers=headers)
    again = await client.post("/api/v1/units", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    other = await client.post("/api/v1/units", json=body | {"name": "Thôn Khác"}, headers=headers)
    assert other.status_code == 409


async def test_patch_with_stale_if_match_is_412_and_changes_nothing(client, world):
    headers = world.auth(Role.province_officer)
    url = f"/api/v1/units/{world.c1.id}"
    ok = await client.patch(url, json={"name": "Xã Đông Hòa Mới"}, headers=headers | {"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"name": "Lost update"}, headers=headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.get(url, headers=headers)).json()["name"] == "Xã Đông Hòa Mới"


async def test_commune_officer_cannot_rename_its_commune(client, world):
    response = await client.patch(
        f"/api/v1/units/{world.c1.id}", json={"name": "Mine"}, headers=world.auth(Role.commune_officer)
    )
    assert response.status_code == 403


async def test_delete_refuses_units_with_children_and_deletes_leaves(client, world):
    headers = world.auth(Role.province_officer)
    assert (await client.delete(f"/api/v1/units/{world.c2.id}", headers=headers)).status_code == 409
    assert (
        await client.delete(f"/api/v1/units/{world.v21.id}", headers=headers | {"If-Match": '"9"'})
    ).status_code == 412
    assert (await client.delete(f"/api/v1/units/{world.v21.id}", headers=headers)).status_code == 204
    assert (await client.get(f"/api/v1/units/{world.v21.id}", headers=headers)).status_code == 404
    out = await client.delete(f"/api/v1/units/{world.v31.id}", headers=headers)
    assert out.status_code == 404


async def _import(client, headers, parent, content: str):
    files = {"file": ("thon.csv", content.encode(), "text/csv")}
    return await client.post(
        "/api/v1/units/import", params={"parent_id": str(parent.id)}, files=files, headers=headers
    )


async def test_a_commune_imports_its_villages_from_a_list(client, world):
    headers = world.auth(Role.commune_officer)
    content = "STT;Tên thôn;Mã\n1;Thôn Mới Một;\n2;thon dinh;\n3;Thôn Mới Hai;NM-2\n"
    first = await _import(client, headers, world.c1, content)
    assert first.status_code == 201, first.text
    created = [(u["name"], u["code"], u["parent_id"]) for u in first.json()["created"]]
    assert created == [
        ("Thôn Mới Một", f"{world.c1.code}-03", str(world.c1.id)),
        ("Thôn Mới Hai", "NM-2", str(world.c1.id)),
    ]
    assert [u["name"] for u in first.json()["existing"]] == ["Thôn Đình"]
    one_column = await _import(client, world.auth(Role.admin), world.c2, "Thôn Bến\nThôn Cầu\n")
    assert [u["name"] for u in one_column.json()["created"]] == ["Thôn Cầu"]
    again = await _import(client, headers, world.c1, content)
    assert (len(again.json()["created"]), len(again.json()["existing"])) == (0, 3)
    listed = await client.get("/api/v1/units", params={"parent_id": str(world.c1.id)}, headers=headers)
    assert listed.json()["total"] == 4


async def test_a_bad_village_list_imports_nothing(client, world, session):
    headers = world.auth(Role.commune_officer)
    response = await _import(
        client, headers, world.c1, f"Tên thôn,Mã\n,X1\nThôn A,\nThôn A,\nThôn B,{world.v21.code}\n"
    )
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [
        ["file", 2, "name"],
        ["file", 4, "name"],
        ["file", 5, "code"],
    ]
    count = await session.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == world.c1.id))
    assert count == 2


@pytest.mark.parametrize(
    "role,parent,status",
    [
        (Role.viewer, "c1", 403),
        (Role.team_leader, "c1", 404),
        (Role.province_officer, "v11", 422),
        (Role.province_officer, "c3", 404),
    ],
)
async def test_village_import_rules(client, world, role, parent, status):
    response = await _import(client, world.auth(role), world.units[parent], "Thôn X\n")
    assert response.status_code == status, response.text


async def test_search_escapes_like_wildcards(client, world):
    headers = world.auth(Role.admin)
    body = {"code": "PCT-1", "name": "Thôn 100%", "level": "village", "parent_id": str(world.c1.id)}
    assert (await client.post("/api/v1/units", json=body, headers=headers)).status_code == 201
    percent = await client.get("/api/v1/units", params={"q": "100%"}, headers=headers)
    assert [u["name"] for u in percent.json()["items"]] == ["Thôn 100%"]
    for wildcard in ("%", "_", "\\"):
        found = await client.get("/api/v1/units", params={"q": wildcard}, headers=headers)
        assert [u["name"] for u in found.json()["items"]] == (["Thôn 100%"] if wildcard == "%" else [])
