"""Issue 10, item 4: a change to a user's rights or state reaches the requests of their live access
tokens within seconds, and logout ends the access token too. The caller is checked against the
database on every request, through an in-process cache of a few seconds whose clock the tests move."""

import asyncio

import pytest
from sqlalchemy import delete, event, update

from app.auth import principals
from app.authz.permissions import Role
from app.core.config import get_settings
from app.models import RoleAssignment, User
from tests.world import PASSWORD


@pytest.fixture
def later(monkeypatch):
    """`later()`: as if the principal cache's lifetime had passed (no sleeping)."""
    now = [0.0]
    monkeypatch.setattr(principals.cache, "clock", lambda: now[0])

    def advance() -> None:
        now[0] += get_settings().auth_cache_seconds + 0.001

    return advance


def household(world):
    return {"unit_id": str(world.v11.id), "head_name": "Phan Văn Tư", "members_count": 1, "adults_count": 1}


def test_the_cache_lasts_a_few_seconds_at_most():
    assert 0 < get_settings().auth_cache_seconds <= 5


async def test_a_demoted_leader_loses_the_right_to_write(client, world, session, later):
    leader = world.users[Role.team_leader]
    headers = world.auth(Role.team_leader)
    assert (
        await client.post("/api/v1/households", json=household(world), headers=headers)
    ).status_code == 201
    await session.execute(
        update(RoleAssignment).where(RoleAssignment.user_id == leader.id).values(role=Role.viewer.value)
    )
    await session.commit()
    later()
    refused = await client.post("/api/v1/households", json=household(world), headers=headers)
    assert refused.status_code == 403, refused.text
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.json()["roles"] == [{"role": "viewer", "unit_id": str(world.v11.id)}]


async def test_a_deactivated_user_is_refused(client, world, session, later):
    headers = world.auth(Role.team_member)
    assert (await client.get("/api/v1/households", headers=headers)).status_code == 200
    await session.execute(
        update(User).where(User.id == world.users[Role.team_member].id).values(is_active=False)
    )
    await session.commit()
    later()
    response = await client.get("/api/v1/households", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_deleted_user_is_refused(client, world, session, later):
    headers = world.auth(Role.viewer)
    assert (await client.get("/api/v1/units", headers=headers)).status_code == 200
    await session.execute(delete(User).where(User.id == world.users[Role.viewer].id))
    await session.commit()
    later()
    assert (await client.get("/api/v1/units", headers=headers)).status_code == 401


async def test_logout_ends_the_access_token(client, world, later):
    pair = (
        await client.post("/api/v1/auth/token", data={"username": "team.member", "password": PASSWORD})
    ).json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    logout = await client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert logout.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401  # this worker: at once
    later()
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401  # every worker
    # Another sign-in of the same user is another session: it still works.
    other = (
        await client.post("/api/v1/auth/token", data={"username": "team.member", "password": PASSWORD})
    ).json()
    other_headers = {"Authorization": f"Bearer {other['access_token']}"}
    assert (await client.get("/api/v1/auth/me", headers=other_headers)).status_code == 200


async def test_within_its_lifetime_the_cache_answers_without_a_query(client, world, connection, later):
    """The hottest read pays the check once every few seconds, not on every request."""
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    headers = world.auth(Role.team_member)
    event.listen(connection.sync_connection, "before_cursor_execute", seen)
    try:
        assert (await client.get("/api/v1/units", headers=headers)).status_code == 200
        first = [s for s in statements if "users.is_active" in s]
        statements.clear()
        assert (await client.get("/api/v1/units", headers=headers)).status_code == 200
        second = [s for s in statements if "users.is_active" in s or "role_assignments" in s]
        statements.clear()
        later()
        assert (await client.get("/api/v1/units", headers=headers)).status_code == 200
        third = [s for s in statements if "users.is_active" in s]
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", seen)
    assert first and second == [] and third


async def test_requests_missing_the_cache_together_load_the_principal_once(world, monkeypatch):
    """A page's requests (or an integration's) arriving as the entry expires: one load, not one each."""
    loads = []
    real_load = principals.load

    async def counted(session, user_id, family_id):
        loads.append(user_id)
        await asyncio.sleep(0.05)  # the others arrive while it runs
        return await real_load(session, user_id, family_id)

    monkeypatch.setattr(principals, "load", counted)
    principals.cache.clear()
    user, token = world.users[Role.team_member], world.tokens[Role.team_member]
    found = await asyncio.gather(*(principals.principal_from_token(token) for _ in range(8)))
    assert loads == [user.id]
    assert {p.id for p in found} == {user.id} and all(p is found[0] for p in found)
    assert principals._loading == {}  # noqa: SLF001
