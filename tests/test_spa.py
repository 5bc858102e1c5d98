"""The built field app is served at `/`: deep links fall back to index.html, the API keeps its 404s.

A throwaway dist folder stands in for `frontend/dist`, so no Node build is needed here.
"""

import gzip

import httpx
import pytest

from api import spa
from api.main import create_app

INDEX = "<!doctype html><title>Tổ CNSCĐ</title><div id=app></div>"


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "sw.js").write_text("self.addEventListener('fetch', () => {})", encoding="utf-8")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "x"}', encoding="utf-8")
    return tmp_path


@pytest.fixture
async def web(dist, monkeypatch):
    monkeypatch.setenv("FRONTEND_DIST", str(dist))
    app = create_app()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_root_and_deep_links_return_index_without_cache(web):
    for path in ("/", "/households", "/households/0190a8b2-0000-7000-8000-000000000001", "/reports?x=1"):
        response = await web.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(web):
    response = await web.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.text == "console.log(1)"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_precompressed_files_are_sent_to_browsers_that_accept_gzip(web, dist):
    body = "const app = 1;" * 200
    (dist / "assets" / "big-abc.js").write_text(body, encoding="utf-8")
    (dist / "assets" / "big-abc.js.gz").write_bytes(gzip.compress(body.encode()))
    (dist / "index.html.gz").write_bytes(gzip.compress(INDEX.encode()))
    for path, text, cache in (
        ("/assets/big-abc.js", body, "public, max-age=31536000, immutable"),
        ("/households/42", INDEX, "no-cache"),
    ):
        packed = await web.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.status_code == 200, path
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.text == text  # httpx decodes it
        assert packed.headers["cache-control"] == cache
        assert "accept-encoding" in packed.headers["vary"].lower()
        plain = await web.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.text == text
    js = await web.get("/assets/big-abc.js", headers={"Accept-Encoding": "gzip"})
    assert "javascript" in js.headers["content-type"]


async def test_service_worker_and_manifest_are_revalidated(web):
    sw = await web.get("/sw.js")
    assert sw.status_code == 200 and "addEventListener" in sw.text
    assert sw.headers["cache-control"] == "no-cache"
    assert "javascript" in sw.headers["content-type"]
    manifest = await web.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.headers["cache-control"] == "no-cache"


async def test_missing_files_are_404_not_the_app(web):
    for path in ("/assets/missing-123.js", "/missing.png"):
        response = await web.get(path)
        assert response.status_code == 404, path
        assert response.text != INDEX


async def test_unknown_api_paths_stay_problem_json_404(web):
    for method, path in (
        ("GET", "/api/v1/nope"),
        ("GET", "/api/nope"),
        ("GET", "/api"),
        ("POST", "/api/v1/nope"),
        ("DELETE", "/api/v1/nope/1"),
    ):
        response = await web.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"] == "application/problem+json", (method, path)
        assert response.json()["status"] == 404


async def test_api_docs_and_health_are_untouched(web):
    assert (await web.get("/api/v1/households")).status_code == 401
    assert (await web.get("/healthz")).json() == {"status": "ok"}
    for page in ("/docs", "/redoc"):
        response = await web.get(page)
        assert response.status_code == 200 and response.text != INDEX
    assert "paths" in (await web.get("/openapi.json")).json()


async def test_path_traversal_never_leaves_dist(web, dist):
    (dist.parent / "secret.txt").write_text("secret", encoding="utf-8")
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"):
        response = await web.get(path)
        assert "secret" not in response.text, path


def test_nothing_is_installed_without_a_build(tmp_path):
    app = create_app()
    routes = len(app.routes)
    assert spa.install_spa(app, tmp_path) is False
    assert len(app.routes) == routes
    assert spa.install_spa(app, tmp_path / "missing") is False
