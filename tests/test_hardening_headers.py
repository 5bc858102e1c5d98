"""Issue 10, item 8: security headers on every response (a Content-Security-Policy without
`unsafe-eval`, nosniff, a Referrer-Policy, HSTS when TLS is in front); the offline docs keep working
under their policy, and ReDoc no longer asks a CDN for its logo."""

import base64
import hashlib
import re

import httpx
import pytest

from api.main import create_app
from app.authz.permissions import Role
from app.core.config import get_settings
from tests.test_spa import dist  # noqa: F401 - the fixture: a throwaway frontend/dist

SPA = ["/", "/households", "/sw.js", "/manifest.webmanifest", "/assets/index-abc123.js"]
DOCS = ["/docs", "/redoc", "/docs/oauth2-redirect"]


@pytest.fixture
async def web(dist, monkeypatch, connection):  # noqa: F811 - the fixture above
    monkeypatch.setenv("FRONTEND_DIST", str(dist))
    transport = httpx.ASGITransport(app=create_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def policy(response) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in response.headers["content-security-policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


def assert_secured(response, path) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", path
    assert response.headers.get("referrer-policy") == "no-referrer", path
    csp = policy(response)
    assert csp["default-src"] == ["'self'"], path
    assert csp["frame-ancestors"] == ["'none'"], path
    assert "'unsafe-eval'" not in response.headers["content-security-policy"], path
    assert "strict-transport-security" not in response.headers, path  # TLS not said to be in front


async def test_every_kind_of_response_carries_the_headers(web, world):
    admin = world.auth(Role.admin)
    requests = [
        ("GET", "/healthz", {}),
        ("GET", "/openapi.json", {}),
        ("GET", "/metrics", {}),
        ("GET", "/api/v1/units", {}),  # 401
        ("GET", "/api/v1/units", admin),  # 200
        ("GET", "/api/v1/nowhere", admin),  # 404
        ("POST", "/api/v1/units", admin),  # 422
        *[("GET", path, {}) for path in SPA + DOCS],
    ]
    for method, path, headers in requests:
        response = await web.request(method, path, headers=headers)
        assert response.status_code < 500, (path, response.status_code)
        assert_secured(response, path)
    app_policy = policy(await web.get("/"))
    assert app_policy.get("script-src", ["'self'"]) == ["'self'"]  # no inline script in the field app
    assert "'unsafe-inline'" not in app_policy.get("style-src", [])


async def test_hsts_when_tls_is_in_front(web, monkeypatch):
    monkeypatch.setattr(get_settings(), "hsts_seconds", 31536000, raising=False)
    transport = httpx.ASGITransport(app=create_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/healthz")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("path", DOCS)
async def test_the_docs_inline_scripts_are_allowed_by_hash_only(web, path):
    response = await web.get(path)
    assert response.status_code == 200
    scripts = policy(response)["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    for body in re.findall(r"<script>(.*?)</script>", response.text, re.S):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts, path


async def test_the_docs_load_nothing_from_elsewhere(web):
    for path in ("/docs", "/redoc"):
        page = (await web.get(path)).text
        assert not re.findall(r"(?:src|href)=\"(?!/)[^\"]*\"", page), path  # every asset from this server
        for asset in re.findall(r"(?:src|href)=\"(/[^\"]*)\"", page):
            fetched = await web.get(asset)
            assert fetched.status_code == 200, asset
            assert b"cdn.redoc.ly" not in fetched.content, asset  # ReDoc's logo, fetched from a CDN
