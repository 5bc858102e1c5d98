"""Issue 10, item 12: no public development secret (one is generated per installation, under data/),
`make run` listens on 127.0.0.1 unless told otherwise, production refuses a low-entropy secret, and
`/metrics` needs its token in production."""

import os
import secrets
import stat
import subprocess
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from jose import jwt
from typer.testing import CliRunner

from app.authz.permissions import Role
from app.core.config import ConfigError, Settings, get_settings

PUBLIC_DEV_SECRET = "dev-secret-change-me"  # the development default, public in the repository before


@pytest.fixture
def development(monkeypatch, tmp_path):
    """Settings as on a fresh development machine: no SECRET_KEY, the installation's data/ in tmp."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "data" / "secret_key"))
    get_settings.cache_clear()
    yield tmp_path / "data" / "secret_key"
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_development_secret_is_generated_per_installation(development, monkeypatch, tmp_path):
    from app.core.security import signing_key

    key = signing_key()
    assert key != PUBLIC_DEV_SECRET and len(key) >= 43
    assert development.read_text().strip() == key
    assert stat.S_IMODE(development.stat().st_mode) == 0o600
    assert signing_key() == key  # kept
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "elsewhere" / "secret_key"))
    get_settings.cache_clear()
    assert signing_key() != key  # another installation, another secret


async def test_a_token_signed_with_the_old_public_secret_is_refused(development, world, connection):
    from api.main import create_app

    now = datetime.now(UTC)
    claims = {"sub": str(world.users[Role.admin].id), "iat": now, "exp": now + timedelta(minutes=5)}
    claims |= {"typ": "access", "name": "admin", "grants": [["admin", None, ""]]}
    forged = jwt.encode(claims, PUBLIC_DEV_SECRET, algorithm="HS256")
    transport = httpx.ASGITransport(app=create_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/api/v1/users", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "secret",
    ["x" * 32, "k" * 40, "abcd" * 10, "0123456789abcdef" * 2, secrets.token_hex(16), PUBLIC_DEV_SECRET, ""],
    ids=["x32", "k40", "pattern", "sequence", "hex16", "public", "empty"],
)
def test_production_refuses_a_low_entropy_secret(secret):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=secret, metrics_token="m" * 8).check_production()


@pytest.mark.parametrize(
    "secret", [secrets.token_hex(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)]
)
def test_production_accepts_a_random_secret(secret):
    Settings(environment="production", secret_key=secret).check_production()


def test_production_never_falls_back_to_a_generated_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings(environment="production").check_production()


async def test_metrics_need_their_token_in_production(monkeypatch, connection):
    from api.main import create_app

    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        transport = httpx.ASGITransport(app=create_app(), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            closed = await client.get("/metrics")
        assert closed.status_code == 401
        assert "METRICS_TOKEN" in closed.json()["detail"]
        monkeypatch.setenv("METRICS_TOKEN", "scrape-me-please")
        get_settings.cache_clear()
        transport = httpx.ASGITransport(app=create_app(), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/metrics")).status_code == 401
            allowed = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
        assert allowed.status_code == 200
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.parametrize("env,host", [({}, "127.0.0.1"), ({"HOST": "0.0.0.0"}, "0.0.0.0")])
def test_serve_listens_on_localhost_unless_told_otherwise(monkeypatch, env, host):
    import uvicorn

    from api.cli import cli

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    try:
        result = CliRunner().invoke(cli, ["serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert seen["host"] == host


def test_the_secret_file_is_git_ignored():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = get_settings().secret_key_file
    assert subprocess.run(["git", "check-ignore", "-q", path], cwd=root).returncode == 0, path
