"""Rate limits: 429 problem+json with Retry-After past the budget, per caller; shared through Redis
when REDIS_URL is set (the real server on 127.0.0.1:6379, database 15, a prefix of our own); open
when Redis cannot be reached."""

import asyncio
import logging
import socket
import time
import uuid

import pytest

from app.authz.permissions import Role
from app.core.config import get_settings
from app.core.throttle import Throttle, TokenBuckets, throttle
from tests.world import PASSWORD, make_api_key

REDIS = "redis://127.0.0.1:6379/15"
ME = "/api/v1/auth/me"


@pytest.fixture
def limits(monkeypatch):
    """Set rate-limit settings for one test: `limits(RATE_LIMIT_BURST="3", ...)`."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        throttle.clear()

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()
    throttle.clear()


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
async def redis_prefix(limits):
    """REDIS_URL at the real server, keys under a prefix of this test's own, deleted afterwards."""
    if not redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379")
    from redis.asyncio import Redis

    prefix = f"cnscd-test-{uuid.uuid4().hex[:12]}:"
    limits(REDIS_URL=REDIS, REDIS_PREFIX=prefix)
    yield prefix
    client = Redis.from_url(REDIS)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    await throttle.close()


async def test_past_the_burst_the_caller_gets_429_with_retry_after(client, world, limits):
    limits(RATE_LIMIT_PER_MINUTE="60", RATE_LIMIT_BURST="3")
    for _ in range(3):
        assert (await client.get(ME, headers=world.auth(Role.team_member))).status_code == 200
    refused = await client.get(ME, headers=world.auth(Role.team_member))
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 1  # one token per second at 60 a minute
    # Another caller has a budget of its own.
    assert (await client.get(ME, headers=world.auth(Role.team_leader))).status_code == 200


async def test_an_api_key_is_limited_apart_from_users(client, world, session, limits):
    limits(RATE_LIMIT_PER_MINUTE="60", RATE_LIMIT_BURST="2")
    _, raw = await make_api_key(session, world.c1)
    await session.commit()
    key = {"X-API-Key": raw}
    assert [(await client.get("/api/v1/units", headers=key)).status_code for _ in range(3)] == [200, 200, 429]
    assert (await client.get(ME, headers=world.auth(Role.commune_officer))).status_code == 200


async def test_the_budget_refills(client, world, limits):
    limits(RATE_LIMIT_PER_MINUTE="60", RATE_LIMIT_BURST="1")  # one token a second
    headers = world.auth(Role.viewer)
    assert (await client.get(ME, headers=headers)).status_code == 200
    assert (await client.get(ME, headers=headers)).status_code == 429
    await asyncio.sleep(1.05)
    assert (await client.get(ME, headers=headers)).status_code == 200


async def test_zero_turns_the_limit_off(client, world, limits):
    limits(RATE_LIMIT_PER_MINUTE="0", RATE_LIMIT_BURST="1")
    for _ in range(5):
        assert (await client.get(ME, headers=world.auth(Role.viewer))).status_code == 200


async def test_sign_in_is_limited_per_client_address(client, world, limits):
    limits(RATE_LIMIT_ANONYMOUS_PER_MINUTE="60", RATE_LIMIT_ANONYMOUS_BURST="2")
    form = {"username": "viewer", "password": PASSWORD}
    statuses = [(await client.post("/api/v1/auth/token", data=form)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    # Authenticated routes are counted per caller, not per address.
    assert (await client.get(ME, headers=world.auth(Role.viewer))).status_code == 200


async def test_a_rate_limited_post_is_not_kept_for_its_idempotency_key(client, world, limits):
    limits(RATE_LIMIT_PER_MINUTE="60", RATE_LIMIT_BURST="1")
    headers = world.auth(Role.team_leader)
    body = {"unit_id": str(world.v11.id), "head_name": "Lê Văn Tám", "members_count": 1, "adults_count": 1}
    assert (await client.get(ME, headers=headers)).status_code == 200  # the only token
    keyed = headers | {"Idempotency-Key": "outbox-1"}
    assert (await client.post("/api/v1/households", json=body, headers=keyed)).status_code == 429
    throttle.clear()  # the budget is back
    again = await client.post("/api/v1/households", json=body, headers=keyed)
    assert again.status_code == 201  # ran again: the 429 was not replayed
    assert "idempotent-replayed" not in again.headers


def test_token_bucket_allows_the_burst_then_one_per_interval():
    buckets = TokenBuckets()
    assert [buckets.hit("k", 60, 5) for _ in range(5)] == [None] * 5
    wait = buckets.hit("k", 60, 5)
    assert wait is not None and 0.9 < wait <= 1.0
    assert buckets.hit("other", 60, 5) is None


# --- shared through Redis -------------------------------------------------------------------------


async def test_redis_holds_one_budget_for_every_worker(client, world, redis_prefix, limits):
    limits(RATE_LIMIT_PER_MINUTE="60", RATE_LIMIT_BURST="3")
    headers = world.auth(Role.team_member)
    assert [(await client.get(ME, headers=headers)).status_code for _ in range(3)] == [200] * 3
    throttle.clear()  # this process forgets: the budget is in Redis
    refused = await client.get(ME, headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # Another worker (another Throttle, another connection) sees the same spent budget.
    other = Throttle()
    try:
        key = f"p:{world.users[Role.team_member].id}"
        assert await other.hit(key, 60, 3) is not None
        assert await other.hit(f"p:{uuid.uuid4()}", 60, 3) is None
    finally:
        await other.close()
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS)
    try:
        keys = [k.decode() async for k in redis.scan_iter(match=f"{redis_prefix}rl:*")]
    finally:
        await redis.aclose()
    assert len(keys) >= 1 and all(str(world.users[Role.team_member].id) not in k for k in keys)


async def test_redis_shares_failed_sign_ins(client, world, redis_prefix, limits):
    limits(LOGIN_MAX_FAILURES="2")
    bad = {"username": "team.leader", "password": "wrong-password"}
    assert [(await client.post("/api/v1/auth/token", data=bad)).status_code for _ in range(2)] == [401, 401]
    throttle.clear()  # not in this process: in Redis
    good = {"username": "team.leader", "password": PASSWORD}
    refused = await client.post("/api/v1/auth/token", data=good)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= get_settings().login_window_seconds
    other = Throttle()
    try:
        window = get_settings().login_window_seconds
        assert await other.retry_after("user:team.leader", 2, window) is not None
        assert await other.retry_after("user:team.member", 2, window) is None
    finally:
        await other.close()


async def test_redis_down_fails_open_with_a_warning(client, world, limits, caplog):
    limits(
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/15", RATE_LIMIT_PER_MINUTE="60", RATE_LIMIT_BURST="1"
    )
    caplog.set_level(logging.WARNING, logger="app.throttle")
    started = time.perf_counter()
    statuses = [(await client.get(ME, headers=world.auth(Role.viewer))).status_code for _ in range(5)]
    assert statuses == [200] * 5  # never 500, never 429: the limit is off while Redis is
    assert time.perf_counter() - started < 5
    warnings = [r for r in caplog.records if r.name == "app.throttle" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Redis unreachable" in warnings[0].getMessage()
    await throttle.close()


async def test_redis_down_keeps_login_throttling_in_process(client, world, limits):
    limits(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/15", LOGIN_MAX_FAILURES="2")
    bad = {"username": "team.member", "password": "wrong-password"}
    assert [(await client.post("/api/v1/auth/token", data=bad)).status_code for _ in range(2)] == [401, 401]
    good = {"username": "team.member", "password": PASSWORD}
    assert (await client.post("/api/v1/auth/token", data=good)).status_code == 429
    await throttle.close()
