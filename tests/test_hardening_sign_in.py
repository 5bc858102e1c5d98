"""Issue 10, item 11: failed sign-ins are counted per name *and* client address, so bad passwords sent
from elsewhere do not lock the real user out; a looser cap per name still bounds guessing from many
addresses. Behind a trusted proxy the client's address is read from its X-Forwarded-For, and only
then: a client cannot choose its own address."""

from contextlib import asynccontextmanager

import httpx
import pytest

from app.core.config import get_settings
from tests.world import PASSWORD

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def from_address(app, connection):
    """`async with from_address("203.0.113.7") as client`: requests whose TCP peer is that address."""

    @asynccontextmanager
    async def client_at(host: str):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client

    return client_at


async def sign_in(client, password, username="team.leader", **headers):
    response = await client.post(TOKEN, data={"username": username, "password": password}, headers=headers)
    return response.status_code


def test_the_defaults():
    settings = get_settings()
    assert settings.login_max_failures == 5  # per name and address
    assert settings.login_max_failures_per_name == 50
    assert settings.login_max_failures_per_address == 30
    assert settings.trusted_proxies == []


async def test_bad_passwords_from_elsewhere_do_not_lock_the_real_user_out(client, world, from_address):
    async with from_address("198.51.100.66") as attacker:
        assert [await sign_in(attacker, "guess") for _ in range(5)] == [401] * 5
        assert await sign_in(attacker, PASSWORD) == 429  # the attacker's address is throttled
    async with from_address("203.0.113.7") as phone:
        assert await sign_in(phone, PASSWORD) == 200  # the user, from their own address, is not


async def test_a_looser_cap_per_name_bounds_guessing_from_many_addresses(
    client, world, from_address, monkeypatch
):
    monkeypatch.setattr(get_settings(), "login_max_failures_per_name", 8)
    for i in range(4):
        async with from_address(f"198.51.100.{i}") as attacker:
            assert [await sign_in(attacker, "guess") for _ in range(2)] == [401, 401]
    async with from_address("203.0.113.7") as phone:
        assert await sign_in(phone, PASSWORD) == 429
        assert await sign_in(phone, PASSWORD, username="team.member") == 200  # another name is not


async def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, world, from_address, monkeypatch):
    monkeypatch.setattr(get_settings(), "trusted_proxies", ["10.0.0.0/8"])
    async with from_address("10.1.2.3") as proxy:
        attacker = {"X-Forwarded-For": "198.51.100.66"}
        assert [await sign_in(proxy, "guess", **attacker) for _ in range(5)] == [401] * 5
        assert await sign_in(proxy, PASSWORD, **attacker) == 429
        # The real user behind the same proxy: another forwarded address. A client may prepend
        # anything; the proxy appends what it saw, and that is what counts.
        assert await sign_in(proxy, PASSWORD, **{"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}) == 200


async def test_an_untrusted_client_cannot_choose_its_address(client, world, from_address, monkeypatch):
    monkeypatch.setattr(get_settings(), "trusted_proxies", ["10.0.0.0/8"])
    async with from_address("198.51.100.66") as attacker:
        for i in range(5):
            assert await sign_in(attacker, "guess", **{"X-Forwarded-For": f"203.0.113.{i}"}) == 401
        assert await sign_in(attacker, PASSWORD, **{"X-Forwarded-For": "203.0.113.99"}) == 429


async def test_the_open_routes_rate_limit_uses_the_same_address(client, world, from_address, monkeypatch):
    monkeypatch.setattr(get_settings(), "trusted_proxies", ["10.0.0.0/8"])
    monkeypatch.setattr(get_settings(), "rate_limit_anonymous_burst", 2)
    async with from_address("10.1.2.3") as proxy:
        one, two = {"X-Forwarded-For": "203.0.113.1"}, {"X-Forwarded-For": "203.0.113.2"}
        assert [await sign_in(proxy, PASSWORD, **one) for _ in range(3)] == [200, 200, 429]
        assert await sign_in(proxy, PASSWORD, **two) == 200  # a budget of its own
