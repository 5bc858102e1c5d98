"""Issue 10, item 8, in a real browser: under the Content-Security-Policy the offline docs (Swagger UI,
ReDoc) and the field app (its service worker included) still work, the browser reports no policy
violation, and no page asks anything of another host (ReDoc's CDN logo).

The app runs in a real uvicorn on a free port with its own SQLite database (the demo loaded),
driven by the system Chromium. Skipped, with the reason, without Chromium; the field app's part is
skipped when frontend/dist is not built (`make test` builds it).
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "frontend" / "dist"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# Every violation the page sees, collected before any of its scripts runs.
WATCH_POLICY = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


CONTROLLED = """new Promise(resolve => {
  if (navigator.serviceWorker.controller) resolve(true);
  navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true));
})"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)")
    workdir = Path(tempfile.mkdtemp(prefix="cnscd-csp-"))
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{workdir / 'csp.db'}",
        "ENVIRONMENT": "development",
        "FRONTEND_DIST": str(DIST),
    }
    for command in ("migrate", "seed-demo"):
        subprocess.run(
            [sys.executable, "-m", "api.cli", command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = _free_port()
    log = open(workdir / "server.log", "wb")  # noqa: SIM115
    command = [sys.executable, "-m", "uvicorn", "api.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(server):
    """Module-scoped: Playwright's sync API marks an event loop as running in this thread while it is
    open, which would break the asyncio tests that run after these."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A page that records policy violations, console errors and every request to another host
    (refused, so the test never depends on the internet)."""
    context = browser.new_context(base_url=server)
    context.set_default_timeout(20_000)
    elsewhere: list[str] = []

    def route(route):
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            return route.continue_()
        elsewhere.append(route.request.url)
        return route.abort()

    context.route("**/*", route)
    context.add_init_script(WATCH_POLICY)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    yield page
    violations = [v for p in context.pages for v in p.evaluate("window.__violations || []")]
    context.close()
    assert violations == [], violations
    assert [m for m in console if "Content Security Policy" in m] == []
    assert elsewhere == [], elsewhere


def test_swagger_ui_works_under_its_policy(page):
    page.goto("/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 70
    page.get_by_role("button", name="Authorize").first.wait_for()


def test_redoc_works_under_its_policy_and_asks_no_cdn(page):
    page.goto("/redoc")
    page.locator("[role=menuitem]").first.wait_for()
    assert page.locator("[role=menuitem]").count() > 10
    page.wait_for_load_state("networkidle")


def test_the_field_app_and_its_service_worker_work_under_the_policy(page):
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is not built: run `make test` (or `cd frontend && npm run build`)")
    page.goto("/")
    page.get_by_label("Tên đăng nhập").fill("leader")
    page.get_by_label("Mật khẩu").fill("demo1234")
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("nav.bottom").wait_for()
    # The service worker takes control (page.evaluate, not wait_for_function: that one evaluates its
    # predicate with eval(), which the policy refuses, rightly).
    assert page.evaluate(CONTROLLED) is True
    page.get_by_role("link", name="Hộ dân", exact=True).click()
    page.get_by_text("tìm trên máy, không cần mạng").wait_for(timeout=30_000)
