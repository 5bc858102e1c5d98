"""Browser tests of the field app: the built app (frontend/dist) served by a real uvicorn on a free
port, against a fresh SQLite database migrated and seeded with the demo plus a few households,
driven by the system Chromium through the `playwright` package.

Nothing is built here: `make test` builds frontend/dist first. Without Chromium (or without a
build) the tests are skipped with the reason, except under CI=true, where that is a failure.
These tests use none of tests/conftest.py's per-database fixtures.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "demo1234"
# Names no demo generator would produce, so a search finds exactly one.
HOUSEHOLDS = [
    ("Đồng Văn Khải Đức", "E2E-001", "0912 345 001"),
    ("Trịnh Thị Bảo Ngọc Hà", "E2E-002", "0912 345 002"),
    ("Lã Quốc Đạt Thành", "E2E-003", None),
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium()
    if path is None:
        _unavailable("Chromium not found (apt-get install chromium, or set CHROMIUM_PATH)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """A small API client for checking, behind the app's back, what reached the server."""

    def __init__(self, base: str, username: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        tokens = self.http.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        tokens.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {tokens.json()['access_token']}"
        self.me = self.get("/api/v1/auth/me")

    def get(self, path: str, **params):
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def household(self, name: str) -> dict:
        items = self.get("/api/v1/households", q=name)["items"]
        assert len(items) == 1, items
        return items[0]


@pytest.fixture(scope="session")
def server(chromium_path) -> str:
    """The app on a free port, with its own database; yields the base URL."""
    if not (DIST / "index.html").is_file():
        _unavailable(
            "frontend/dist is not built: run `make test` (or `cd frontend && npm ci && npm run build`)"
        )
    workdir = Path(tempfile.mkdtemp(prefix="cnscd-e2e-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
        "ENVIRONMENT": "development",
        "FRONTEND_DIST": str(DIST),
        "LOGIN_MAX_FAILURES": "1000",
    }
    for command in ("migrate", "seed-demo"):
        subprocess.run(
            [sys.executable, "-m", "api.cli", command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = _free_port()
    log = open(workdir / "server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.asgi:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError((workdir / "server.log").read_text())
            time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start in 20 s")
        leader = Api(base, "leader")
        village = next(r["unit_id"] for r in leader.me["roles"] if r["role"] == "team_leader")
        for name, code, phone in HOUSEHOLDS:
            body = {"unit_id": village, "head_name": name, "code": code, "phone": phone}
            body |= {"members_count": 4, "adults_count": 3, "adults_smartphone": 2}
            leader.http.post("/api/v1/households", json=body).raise_for_status()
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Module-scoped on purpose: Playwright's sync API marks an event loop as running in this thread
    while it is open, which would break the pytest-asyncio tests that run after these."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, server):
    """A fresh phone (its own storage and IndexedDB) at 360×640."""
    context = browser.new_context(
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        base_url=server,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture
def api(server):
    return lambda username="leader": Api(server, username)


def sign_in(page, username: str = "leader") -> None:
    page.goto("/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("nav.bottom").wait_for()


def painted(page) -> None:
    """Wait two frames: what the app did with an answer just delivered is on the screen."""
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def wait_offline_ready(page) -> None:
    """The service worker controls the page (the shell is precached) and the village is synced."""
    # Not wait_for_function: Playwright evaluates its predicate with eval(), which the app's CSP refuses.
    page.evaluate(
        "new Promise(r => { if (navigator.serviceWorker.controller) r(true);"
        " navigator.serviceWorker.addEventListener('controllerchange', () => r(true)); })"
    )
    page.get_by_role("link", name="Hộ dân", exact=True).click()
    page.get_by_text("tìm trên máy, không cần mạng").wait_for(timeout=30_000)


def all_sent(page) -> None:
    """Wait until the outbox is empty: the header's counter reads 0."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("pending-count")).to_have_text("⇅ 0")


SHOTS = Path(os.environ.get("E2E_SCREENSHOTS") or Path(__file__).parent / "screenshots")


def shot(page, name: str) -> None:
    """A full-page screenshot in tests/e2e/screenshots/ (git-ignored; E2E_SCREENSHOTS overrides it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def pending_count(page) -> str:
    return page.get_by_test_id("pending-count").inner_text().strip()
