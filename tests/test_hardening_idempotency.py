"""Issue 10, item 6: `Idempotency-Key` holds on the routes whose answer carries a secret (a new API key,
a rotated one): ten parallel POSTs with one key make exactly one API key, and a replay answers with
the record but not its secret (shown once), and says so. On a database that really runs requests at
the same time."""

import asyncio
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Role
from app.models import ApiKey
from tests.real_database import real_database
from tests.world import committed_world

URL = "/api/v1/api-keys"


async def test_parallel_creates_with_one_key_make_one_api_key(app, database):
    async with real_database(database, app) as (client, engine):
        world = await committed_world(engine)
        headers = world.auth(Role.commune_officer) | {"Idempotency-Key": "create-zalo-oa"}
        body = {"name": "Zalo OA", "unit_id": str(world.c1.id)}
        answers = await asyncio.gather(*(client.post(URL, json=body, headers=headers) for _ in range(10)))
        retry = await client.post(URL, json=body, headers=headers)

        async with AsyncSession(engine) as session:
            keys = await session.scalar(select(func.count()).select_from(ApiKey))
        assert keys == 1
        # Each retry waited for the first one's claim, then replayed its answer (issue 22: the claim
        # and the answer are one transaction; before, a retry that came too early was 409).
        assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
        fresh = [a for a in answers if a.status_code == 201 and "idempotent-replayed" not in a.headers]
        assert len(fresh) == 1 and fresh[0].json()["key"].startswith("cnscd_")
        assert fresh[0].headers["cache-control"] == "no-store"

        assert retry.status_code == 201
        assert retry.headers["idempotent-replayed"] == "true"
        assert retry.json() == fresh[0].json() | {"key": None}  # the record, not its secret
        assert fresh[0].json()["key"] not in retry.text
        for replayed in [a for a in answers if "idempotent-replayed" in a.headers]:
            assert replayed.json()["key"] is None


async def test_a_rotation_retried_rotates_once(app, database):
    async with real_database(database, app) as (client, engine):
        world = await committed_world(engine)
        officer = world.auth(Role.commune_officer)
        created = await client.post(URL, json={"name": "sync", "unit_id": str(world.c1.id)}, headers=officer)
        key_id = created.json()["id"]
        headers = officer | {"Idempotency-Key": "rotate-1"}
        first = await client.post(f"{URL}/{key_id}/rotate", headers=headers)
        again = await client.post(f"{URL}/{key_id}/rotate", headers=headers)
        assert first.status_code == again.status_code == 200
        assert first.json()["version"] == 2 and again.json()["version"] == 2  # rotated once
        assert again.headers["idempotent-replayed"] == "true" and again.json()["key"] is None
        # The rotated key is the one that works.
        me = await client.get("/api/v1/auth/me", headers={"X-API-Key": first.json()["key"]})
        assert me.status_code == 200 and me.json()["id"] == key_id
        async with AsyncSession(engine) as session:
            key = await session.get(ApiKey, uuid.UUID(key_id))
        assert key.version == 2
