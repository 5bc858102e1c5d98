"""Issue 10, item 10: a phone that retries a refresh stays signed in. Within `refresh_reuse_seconds`
(30 s) of its first use, a refresh token answers the same successor pair again; after that, reuse
still revokes the whole family."""

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.security import digest
from app.models import RefreshToken
from tests.real_database import real_database
from tests.world import PASSWORD, build_world

REFRESH = "/api/v1/auth/refresh"


async def sign_in(client, username="team.member"):
    response = await client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_reuse_interval_defaults_to_30_seconds():
    assert get_settings().refresh_reuse_seconds == 30


async def test_two_parallel_refreshes_of_one_token_get_the_same_pair(app, database):
    async with real_database(database, app) as (client, engine):
        async with AsyncSession(engine, expire_on_commit=False) as session:
            await build_world(session)
            await session.commit()
        pair = await sign_in(client)
        first, second = await asyncio.gather(
            *(client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}) for _ in range(2))
        )
        assert first.status_code == second.status_code == 200, (first.text, second.text)
        assert first.json() == second.json()
        successor = first.json()
        assert successor["refresh_token"] != pair["refresh_token"]
        me = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {successor['access_token']}"}
        )
        assert me.status_code == 200  # the family was not revoked
        onward = await client.post(REFRESH, json={"refresh_token": successor["refresh_token"]})
        assert onward.status_code == 200


async def test_a_retry_within_the_interval_gets_the_same_pair(client, world):
    pair = await sign_in(client)
    first = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    retry = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert (
        await client.post(REFRESH, json={"refresh_token": first.json()["refresh_token"]})
    ).status_code == 200


async def test_reuse_after_the_interval_still_revokes_the_family(client, world, session):
    pair = await sign_in(client)
    first = (await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})).json()
    spent = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == digest(pair["refresh_token"]))
    )
    spent.used_at -= timedelta(seconds=get_settings().refresh_reuse_seconds + 1)  # as if long ago
    await session.commit()
    reuse = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert reuse.status_code == 401
    after = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert after.status_code == 401  # the whole family, the legitimate holder's token included
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {first['access_token']}"})
    assert me.status_code == 401  # and its access token (item 4)


async def test_a_retry_after_logout_is_refused(client, world):
    pair = await sign_in(client)
    first = (await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})).json()
    assert (
        await client.post("/api/v1/auth/logout", json={"refresh_token": first["refresh_token"]})
    ).status_code == 204
    assert (await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})).status_code == 401
