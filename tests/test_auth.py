from datetime import UTC, datetime, timedelta

import pytest
from jose import jwt

from app.authz.permissions import Role
from app.core.config import get_settings
from tests.world import PASSWORD


async def sign_in(client, username, password=PASSWORD, **kwargs):
    return await client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}, **kwargs
    )


async def test_sign_in_returns_a_token_pair_that_authenticates(client, world):
    response = await sign_in(client, "commune.officer")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == get_settings().access_token_minutes * 60
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "commune.officer"
    assert me.json()["roles"] == [{"role": "commune_officer", "unit_id": str(world.c1.id)}]
    assert "households:manage" in me.json()["permissions"]


@pytest.mark.parametrize("username,password", [("commune.officer", "wrong-password"), ("nobody", PASSWORD)])
async def test_wrong_password_and_unknown_user_get_the_same_answer(client, world, username, password):
    response = await sign_in(client, username, password)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Incorrect username or password"


async def test_unknown_user_costs_a_password_verification(client, world, monkeypatch):
    from app.auth import service

    seen = []
    real = service.verify_password

    async def spy(password, password_hash):
        seen.append(password_hash)
        return await real(password, password_hash)

    monkeypatch.setattr(service, "verify_password", spy)
    await sign_in(client, "nobody")
    assert seen == [None]  # verified against the dummy hash


async def test_inactive_user_cannot_sign_in(client, world, session):
    world.users[Role.viewer].is_active = False
    await session.commit()
    assert (await sign_in(client, "viewer")).status_code == 401


async def test_repeated_failures_are_throttled_with_retry_after(client, world):
    for _ in range(get_settings().login_max_failures):
        assert (await sign_in(client, "team.leader", "bad-password")).status_code == 401
    response = await sign_in(client, "team.leader")  # even the right password waits now
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= get_settings().login_window_seconds
    assert (await sign_in(client, "team.member")).status_code == 200  # another user is not blocked


async def test_refresh_rotates_and_reuse_revokes_the_family(client, world, monkeypatch):
    monkeypatch.setattr(get_settings(), "refresh_reuse_seconds", 0)  # any reuse (see test_hardening_refresh)
    first = (await sign_in(client, "team.member")).json()
    second = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]

    reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    # The reuse revoked the whole family, including the token the legitimate holder got.
    after = await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401


async def test_logout_revokes_the_family(client, world):
    pair = (await sign_in(client, "team.member")).json()
    assert (
        await client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    ).status_code == 204
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 401


async def test_unknown_refresh_token_is_401(client, world):
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"})
    assert response.status_code == 401


def _token(**overrides):
    now = datetime.now(UTC)
    claims = {"sub": "00000000-0000-0000-0000-000000000000", "name": "x", "grants": [["admin", None, ""]]}
    claims |= {"iat": now, "exp": now + timedelta(minutes=5), "typ": "access"} | overrides
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, get_settings().secret_key, algorithm="HS256")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: _token(exp=datetime.now(UTC) - timedelta(seconds=1)), id="expired"),
        pytest.param(lambda: _token(exp=None), id="no-exp"),
        pytest.param(lambda: _token(typ="refresh"), id="wrong-type"),
        pytest.param(lambda: jwt.encode({"sub": "x"}, "another-secret", algorithm="HS256"), id="forged"),
        pytest.param(lambda: _token().rsplit(".", 1)[0] + ".", id="unsigned"),
        pytest.param(lambda: "not-a-jwt", id="garbage"),
    ],
)
async def test_bad_access_tokens_are_401(client, world, token):
    response = await client.get("/api/v1/units", headers={"Authorization": f"Bearer {token()}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_routes_are_authenticated_by_default(client, world):
    response = await client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json()["title"] == "Unauthorized"


@pytest.mark.parametrize(
    "role,grantable",
    [
        (
            Role.admin,
            {
                "admin",
                "province_officer",
                "commune_officer",
                "team_leader",
                "integration",
                "team_member",
                "viewer",
            },
        ),
        (
            Role.province_officer,
            {"province_officer", "commune_officer", "team_leader", "integration", "team_member", "viewer"},
        ),
        (Role.commune_officer, {"commune_officer", "team_leader", "integration", "team_member", "viewer"}),
        (Role.team_leader, set()),
        (Role.viewer, set()),
    ],
)
async def test_me_says_which_roles_the_caller_may_grant_and_where(client, world, role, grantable):
    """The user forms offer these, so they never offer a role the server would refuse (issue 14)."""
    body = (await client.get("/api/v1/auth/me", headers=world.auth(role))).json()
    assert {g["role"] for g in body["grantable"]} == grantable
    levels = {g["role"]: g["levels"] for g in body["grantable"]}
    if "team_leader" in levels:
        assert levels["team_leader"] == ["commune", "village"]
