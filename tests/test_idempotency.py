"""Idempotency-Key on POST: a phone replaying its outbox never records anything twice."""

from sqlalchemy import func, select

from app.authz.permissions import Role
from app.models import Household


def household(world, name="Hoàng Văn Hải"):
    return {"unit_id": str(world.v11.id), "head_name": name, "members_count": 2, "adults_count": 2}


async def count(session, name):
    return await session.scalar(
        select(func.count()).select_from(Household).where(Household.head_name == name)
    )


async def test_same_key_and_body_replays_the_first_response(client, world, session):
    headers = world.auth(Role.team_leader) | {"Idempotency-Key": "visit-1"}
    first = await client.post("/api/v1/households", json=household(world), headers=headers)
    again = await client.post("/api/v1/households", json=household(world), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["etag"] == first.headers["etag"]
    assert await count(session, "Hoàng Văn Hải") == 1


async def test_same_key_with_another_body_is_422(client, world, session):
    headers = world.auth(Role.team_leader) | {"Idempotency-Key": "visit-2"}
    assert (
        await client.post("/api/v1/households", json=household(world), headers=headers)
    ).status_code == 201
    other = await client.post("/api/v1/households", json=household(world, "Người Khác"), headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert await count(session, "Người Khác") == 0


async def test_keys_are_per_caller(client, world, session):
    for role in (Role.team_leader, Role.commune_officer):
        headers = world.auth(role) | {"Idempotency-Key": "shared-key"}
        assert (
            await client.post("/api/v1/households", json=household(world), headers=headers)
        ).status_code == 201
    assert await count(session, "Hoàng Văn Hải") == 2


async def test_errors_are_replayed_too_but_not_server_failures(client, world, session):
    headers = world.auth(Role.team_leader) | {"Idempotency-Key": "bad-1"}
    bad = household(world) | {"adults_count": 5}
    first = await client.post("/api/v1/households", json=bad, headers=headers)
    again = await client.post("/api/v1/households", json=bad, headers=headers)
    assert first.status_code == again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"


async def test_invalid_key_is_422(client, world):
    headers = world.auth(Role.team_leader) | {"Idempotency-Key": "x" * 300}
    response = await client.post("/api/v1/households", json=household(world), headers=headers)
    assert response.status_code == 422


async def test_without_a_caller_the_route_answers_401(client, world):
    response = await client.post(
        "/api/v1/households", json=household(world), headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 401
