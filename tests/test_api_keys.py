"""API keys: the integration role at one unit, for third-party systems (DOMAIN.md, "Roles and scope")."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.authz.permissions import Role
from app.core.security import digest
from app.models import Activity, ApiKey, AuditLog, IdempotencyKey
from tests.test_campaigns import make_member
from tests.world import ROLES, make_api_key

URL = "/api/v1/api-keys"
MANAGERS = {Role.admin, Role.province_officer, Role.commune_officer}


def key_header(raw: str) -> dict[str, str]:
    return {"X-API-Key": raw}


def activity(unit, **overrides):
    return {
        "unit_id": str(unit.id),
        "occurred_at": "2026-03-10T09:15:00+07:00",
        "kind": "online_dossier",
        "people_count": 4,
        "dossier_count": 2,
    } | overrides


@pytest.mark.parametrize("role", ROLES)
async def test_create_a_key_as_each_role(client, world, role):
    body = {"name": "Cổng dữ liệu tỉnh", "unit_id": str(world.v11.id), "read_only": False}
    response = await client.post(URL, json=body, headers=world.auth(role))
    assert response.status_code == (201 if role in MANAGERS else 403), response.json()
    if role in MANAGERS:
        created = response.json()
        assert created["unit_id"] == str(world.v11.id) and created["read_only"] is False
        assert created["created_by"] == world.users[role].username
        assert created["key"].startswith(f"cnscd_{created['prefix']}_")
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "role,unit", [(Role.commune_officer, "v21"), (Role.commune_officer, "p"), (Role.province_officer, "v31")]
)
async def test_a_unit_outside_the_callers_area_is_404(client, world, role, unit):
    body = {"name": "x", "unit_id": str(world.units[unit].id)}
    response = await client.post(URL, json=body, headers=world.auth(role))
    assert (response.status_code, response.json()["code"]) == (404, "unit.unknown")
    assert response.json()["errors"][0]["loc"] == ["body", "unit_id"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 101},
        {"expires_at": "2020-01-01T00:00:00+00:00"},
        {"expires_at": "2030-01-01T00:00:00"},  # no offset
        {"key": "cnscd_0123456789ab_chosen-by-the-client"},
    ],
)
async def test_bad_bodies_are_422(client, world, body):
    full = {"name": "sync", "unit_id": str(world.c1.id)} | body
    response = await client.post(URL, json=full, headers=world.auth(Role.admin))
    assert response.status_code == 422, response.json()


async def test_the_secret_is_shown_once_and_stored_hashed(client, world, session):
    headers = world.auth(Role.commune_officer)
    body = {"name": "Zalo OA", "unit_id": str(world.c1.id), "expires_at": "2099-01-01T00:00:00+07:00"}
    created = (await client.post(URL, json=body, headers=headers)).json()
    raw = created["key"]
    stored = await session.get(ApiKey, uuid.UUID(created["id"]))
    assert stored.key_hash == digest(raw) and raw not in stored.key_hash
    assert stored.expires_at == datetime(2098, 12, 31, 17, tzinfo=UTC)

    one = await client.get(f"{URL}/{created['id']}", headers=headers)
    listed = await client.get(URL, headers=headers)
    assert one.status_code == listed.status_code == 200
    assert one.headers["etag"] == '"1"'
    for shown in (one.json(), listed.json()["items"][0]):
        assert shown["id"] == created["id"] and shown["prefix"] == created["prefix"]
        assert "key" not in shown and "key_hash" not in shown
        assert raw not in str(shown)
    audit = await session.scalars(select(AuditLog).where(AuditLog.resource == "api_key"))
    assert all(raw not in str(row.after) for row in audit)


async def test_list_is_scoped_to_the_callers_area(client, world, session):
    keys = {name: (await make_api_key(session, world.units[name], name))[0] for name in ("v11", "c2", "v31")}
    await session.commit()
    expected = {
        Role.admin: {"v11", "c2", "v31"},
        Role.province_officer: {"v11", "c2"},
        Role.commune_officer: {"v11"},
    }
    for role in ROLES:
        response = await client.get(URL, headers=world.auth(role))
        if role not in expected:
            assert response.status_code == 403
            continue
        assert {k["name"] for k in response.json()["items"]} == expected[role]
    officer = world.auth(Role.commune_officer)
    assert (await client.get(URL, params={"unit_id": str(world.v31.id)}, headers=officer)).status_code == 404
    assert (await client.get(f"{URL}/{keys['c2'].id}", headers=officer)).status_code == 404
    assert (
        await client.get(f"{URL}/{keys['v11'].id}", headers=world.auth(Role.team_leader))
    ).status_code == 403


async def test_a_key_reads_the_indicators_and_roster_of_its_unit(client, world, session):
    await make_member(session, world.v11, "Thành viên thôn")
    await make_member(session, world.v12, "Thành viên thôn khác")
    _, raw = await make_api_key(session, world.c1, read_only=True)
    await session.commit()
    kpi = await client.get(
        "/api/v1/kpi", params={"unit_id": str(world.v11.id), "period": "2026"}, headers=key_header(raw)
    )
    assert kpi.status_code == 200, kpi.json()
    assert kpi.json()["unit_id"] == str(world.v11.id)
    assert {i["code"] for i in kpi.json()["indicators"]} >= {"people_supported", "households_informed_pct"}
    members = await client.get("/api/v1/members", headers=key_header(raw))
    assert members.status_code == 200
    assert {m["full_name"] for m in members.json()["items"]} == {"Thành viên thôn", "Thành viên thôn khác"}
    # Rosters and indicators, not households: the integration role has no households:read.
    assert (await client.get("/api/v1/households", headers=key_header(raw))).status_code == 403


async def test_a_key_cannot_see_outside_its_unit(client, world, session):
    outsider = await make_member(session, world.v12, "Thành viên thôn khác")
    _, raw = await make_api_key(session, world.v11)
    await session.commit()
    headers = key_header(raw)
    for unit in ("c1", "v12", "v31"):
        kpi = await client.get(
            "/api/v1/kpi", params={"unit_id": str(world.units[unit].id), "period": "2026"}, headers=headers
        )
        assert kpi.status_code == 404, unit
    assert (await client.get(f"/api/v1/members/{outsider.id}", headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/units/{world.v31.id}", headers=headers)).status_code == 404
    pushed = await client.post("/api/v1/activities", json=activity(world.v12), headers=headers)
    assert pushed.status_code == 404


async def test_a_read_write_key_pushes_counts_audited_under_its_name(client, world, session):
    key, raw = await make_api_key(session, world.c1, "Cổng DVC tỉnh")
    await session.commit()
    pushed = await client.post("/api/v1/activities", json=activity(world.v11), headers=key_header(raw))
    assert pushed.status_code == 201, pushed.json()
    assert pushed.json()["recorded_by"] is None
    stored = await session.get(Activity, uuid.UUID(pushed.json()["id"]))
    assert stored.recorded_by is None and stored.people_count == 4
    [row] = await session.scalars(select(AuditLog).where(AuditLog.resource_id == pushed.json()["id"]))
    assert (row.action, row.actor_name, row.actor_id) == ("create", "api-key:Cổng DVC tỉnh", key.id)
    kpi = await client.get(
        "/api/v1/kpi", params={"unit_id": str(world.c1.id), "period": "2026-03"}, headers=key_header(raw)
    )
    values = {i["code"]: i["value"] for i in kpi.json()["indicators"]}
    assert (values["people_supported"], values["online_dossiers"]) == (4, 2)


async def test_a_read_only_key_gets_403_on_every_write(client, world, session, app):
    from fastapi.routing import APIRoute, iter_route_contexts

    _, raw = await make_api_key(session, world.c1, read_only=True)
    await session.commit()
    headers = key_header(raw)
    refused = await client.post("/api/v1/activities", json=activity(world.v11), headers=headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert await session.scalar(select(func.count()).select_from(Activity)) == 0
    assert (await client.get("/api/v1/activities", headers=headers)).status_code == 200

    writes = [
        (method, ctx.path.replace("{", "").replace("}", ""))
        for ctx in iter_route_contexts(app.routes)
        if isinstance(ctx.original_route, APIRoute) and ctx.path.startswith("/api/v1/")
        for method in ctx.methods - {"GET", "HEAD"}
        if not ctx.path.startswith("/api/v1/auth/")  # sign-in, refresh, logout: public
    ]
    assert len(writes) > 30
    for method, path in writes:
        path = "/".join(str(world.v11.id) if part.endswith("_id") else part for part in path.split("/"))
        response = await client.request(method, path, json={}, headers=headers)
        assert response.status_code == 403, (method, path, response.json())


async def test_revoked_expired_and_wrong_keys_are_401(client, world, session):
    officer = world.auth(Role.commune_officer)
    key, raw = await make_api_key(session, world.v11)
    _, expired = await make_api_key(session, world.v11, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    await session.commit()
    assert (await client.get("/api/v1/members", headers=key_header(raw))).status_code == 200

    revoked = await client.delete(f"{URL}/{key.id}", headers=officer | {"If-Match": '"1"'})
    assert revoked.status_code == 204
    again = await client.delete(f"{URL}/{key.id}", headers=officer)
    assert again.status_code == 204  # revoking twice changes nothing
    kept = (await client.get(f"{URL}/{key.id}", headers=officer)).json()
    assert kept["revoked_at"] is not None and kept["version"] == 2
    live = (await client.get(URL, params={"revoked": "false"}, headers=officer)).json()["items"]
    assert str(key.id) not in {k["id"] for k in live} and live

    prefix = raw.split("_")[1]
    for bad in (
        raw,  # revoked
        expired,
        f"cnscd_{prefix}_{'A' * 43}",  # the right prefix, another secret
        "cnscd_000000000000_" + "A" * 43,
        "not-a-key",
        "x" * 5000,
    ):
        response = await client.get("/api/v1/members", headers=key_header(bad))
        assert response.status_code == 401, bad[:30]
        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/api/v1/members")).status_code == 401


async def test_rotate_gives_a_new_key_and_the_old_one_stops(client, world, session):
    officer = world.auth(Role.commune_officer)
    key, old = await make_api_key(session, world.v11)
    await session.commit()
    rotated = await client.post(f"{URL}/{key.id}/rotate", headers=officer | {"If-Match": '"1"'})
    assert rotated.status_code == 200, rotated.json()
    new = rotated.json()["key"]
    assert new != old and rotated.json()["prefix"] != key.prefix and rotated.json()["rotated_at"]
    assert rotated.headers["cache-control"] == "no-store" and rotated.headers["etag"] == '"2"'
    assert (await client.get("/api/v1/members", headers=key_header(old))).status_code == 401
    assert (await client.get("/api/v1/members", headers=key_header(new))).status_code == 200
    stale = await client.post(f"{URL}/{key.id}/rotate", headers=officer | {"If-Match": '"1"'})
    assert stale.status_code == 412
    actions = await session.scalars(
        select(AuditLog.action).where(AuditLog.resource == "api_key", AuditLog.resource_id == str(key.id))
    )
    assert list(actions) == ["rotate"]
    assert (await client.delete(f"{URL}/{key.id}", headers=officer)).status_code == 204
    assert (await client.post(f"{URL}/{key.id}/rotate", headers=officer)).status_code == 409


async def test_only_managers_of_the_keys_unit_rotate_or_revoke(client, world, session):
    v11_key, _ = await make_api_key(session, world.v11)
    v31_key, _ = await make_api_key(session, world.v31)
    await session.commit()
    for role in ROLES:
        headers = world.auth(role)
        outside = await client.post(f"{URL}/{v31_key.id}/rotate", headers=headers)
        assert outside.status_code == (200 if role is Role.admin else 404), role
        inside = await client.delete(f"{URL}/{v11_key.id}", headers=headers)
        assert inside.status_code == (204 if role in MANAGERS else 403), role


async def test_last_used_at_is_written_at_most_once_a_minute(client, world, session):
    key, raw = await make_api_key(session, world.v11)
    await session.commit()
    assert key.last_used_at is None
    await client.get("/api/v1/members", headers=key_header(raw))
    await session.refresh(key)
    first = key.last_used_at
    assert first is not None and datetime.now(UTC) - first < timedelta(seconds=30)
    await client.get("/api/v1/members", headers=key_header(raw))
    await session.refresh(key)
    assert key.last_used_at == first
    key.last_used_at = first - timedelta(minutes=2)
    await session.commit()
    await client.get("/api/v1/members", headers=key_header(raw))
    await session.refresh(key)
    assert key.last_used_at > first
    assert key.version == 1  # bookkeeping, not an edit


async def test_me_describes_the_key(client, world, session):
    key, raw = await make_api_key(session, world.c1, "Báo cáo tỉnh", read_only=True)
    await session.commit()
    me = (await client.get("/api/v1/auth/me", headers=key_header(raw))).json()
    assert me["id"] == str(key.id) and me["username"] == "api-key:Báo cáo tỉnh"
    assert me["roles"] == [{"role": "integration", "unit_id": str(world.c1.id)}]
    assert "kpi:read" in me["permissions"] and "activities:record" not in me["permissions"]


async def test_idempotency_key_works_for_api_keys(client, world, session):
    key, raw = await make_api_key(session, world.v11)
    await session.commit()
    headers = key_header(raw) | {"Idempotency-Key": "push-1"}
    first = await client.post("/api/v1/activities", json=activity(world.v11), headers=headers)
    again = await client.post("/api/v1/activities", json=activity(world.v11), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    assert await session.scalar(select(func.count()).select_from(Activity)) == 1
    stored = await session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "push-1"))
    assert stored.caller_id == key.id


async def test_a_new_key_is_never_stored_for_idempotent_replay(client, world, session):
    headers = world.auth(Role.admin) | {"Idempotency-Key": "new-key-1"}
    body = {"name": "sync", "unit_id": str(world.c1.id)}
    first = await client.post(URL, json=body, headers=headers)
    assert first.status_code == 201
    stored = await session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "new-key-1"))
    assert stored.status_code == 201 and first.json()["key"].encode() not in stored.body
