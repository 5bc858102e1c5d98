import pytest
from sqlalchemy import select

from app.core.config import ConfigError
from app.demo import DEMO_PASSWORD, USERS, load_demo
from app.models import Unit


async def test_demo_loads_the_plans_communes_and_one_user_per_role(client, session):
    assert await load_demo(session) is True
    await session.commit()
    names = set(await session.scalars(select(Unit.name).where(Unit.level == "commune")))
    assert names == {"Xã Cẩm Giang", "Xã Quỳnh Sơn", "Xã Ngọc Hồi"}
    for username, _, role, _ in USERS:
        token = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
        )
        assert token.status_code == 200, username
        me = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )
        assert me.json()["roles"][0]["role"] == role.value
    assert await load_demo(session) is False  # never twice


async def test_demo_is_refused_in_production(session, monkeypatch):
    from app.core.config import get_settings

    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError):
            await load_demo(session)
    finally:
        get_settings.cache_clear()
