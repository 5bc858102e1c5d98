import secrets

import pytest

from app.core.config import ConfigError, Settings


@pytest.mark.parametrize(
    "url,expected",
    [
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///./data/x.db", "sqlite+aiosqlite:///./data/x.db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_get_the_async_driver(url, expected):
    assert Settings(database_url=url).database_url == expected


@pytest.mark.parametrize("secret", ["dev-secret-change-me", "", "short"])
def test_production_refuses_default_or_weak_secrets(secret):
    settings = Settings(environment="production", secret_key=secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        settings.check_production()


def test_production_accepts_a_real_secret():
    Settings(environment="production", secret_key=secrets.token_hex(32)).check_production()


def test_app_refuses_to_start_in_production_with_the_default_secret(monkeypatch):
    from app.core.config import get_settings

    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "dev-secret-change-me")
    get_settings.cache_clear()
    try:
        from api.main import create_app

        with pytest.raises(ConfigError):
            create_app()
    finally:
        get_settings.cache_clear()
