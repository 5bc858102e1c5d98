"""The field app in a real Chromium: offline visits arrive exactly once, conflicts are resolved by
the user, and a 360×640 phone never scrolls sideways."""

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import pending_count, sign_in, wait_offline_ready

PENDING = "document.querySelector('[data-testid=pending-count]')"


def find(page, typed: str, expected: str):
    search = page.get_by_label("Tìm hộ theo tên, mã, số điện thoại hoặc địa chỉ")
    search.fill(typed)
    rows = page.get_by_test_id("household-row")
    rows.filter(has_text=expected).wait_for()
    assert rows.count() == 1, [rows.nth(i).inner_text() for i in range(rows.count())]
    return rows.first


def test_visit_recorded_offline_arrives_exactly_once(phone, api):
    page = phone
    sign_in(page, "leader")
    wait_offline_ready(page)
    before = api().household("Đồng Văn Khải Đức")
    assert before["adults_vneid"] == 0 and before["informed"] is False

    # The connection drops: the search, the visit screen and the save all still work.
    page.context.set_offline(True)
    page.get_by_text("Mất mạng").wait_for()
    find(page, "dong van khai duc", "Đồng Văn Khải Đức").click()
    page.get_by_role("heading", name="Đồng Văn Khải Đức").wait_for()
    page.get_by_role("button", name="Tăng: Có tài khoản VNeID").click()
    page.get_by_role("switch", name="Đã được tuyên truyền").click()
    page.get_by_role("button", name="Kích hoạt VNeID", exact=True).click()
    page.get_by_test_id("save-visit").click()
    page.get_by_text("Đã lưu trên máy. Sẽ tự gửi khi có mạng.").wait_for()
    assert pending_count(page).endswith("2")  # the household change and the activity

    # Nothing reached the server yet.
    leader = api()
    assert leader.get("/api/v1/activities", household_id=before["id"])["total"] == 0

    # Back online: the outbox empties by itself.
    page.context.set_offline(False)
    expect(page.get_by_test_id("pending-count")).to_have_text(re.compile(r"0$"))

    # Flap the connection and ask to send again: still exactly once.
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_text("Mọi thay đổi đã được gửi lên máy chủ.").wait_for()

    activities = leader.get("/api/v1/activities", household_id=before["id"])
    assert activities["total"] == 1, activities
    assert activities["items"][0]["kind"] == "vneid_activation"
    assert activities["items"][0]["people_count"] == 1
    after = leader.household("Đồng Văn Khải Đức")
    assert after["adults_vneid"] == 1 and after["informed"] is True
    assert after["version"] == before["version"] + 1
    assert after["last_visit_at"] is not None


def test_conflict_is_shown_and_resolved(phone, api):
    page = phone
    sign_in(page, "leader")
    wait_offline_ready(page)

    # Someone else changes the household behind the app's back.
    other = api("leader")
    stale = other.household("Trịnh Thị Bảo Ngọc Hà")
    changed = other.http.patch(
        f"/api/v1/households/{stale['id']}",
        json={"adults_smartphone": 0, "note": "Sửa từ máy khác"},
        headers={"If-Match": f'"{stale["version"]}"'},
    )
    assert changed.status_code == 200, changed.text

    # The phone still has the old version and edits it.
    find(page, "trinh thi bao ngoc ha", "Trịnh Thị Bảo Ngọc Hà").click()
    page.get_by_role("heading", name="Trịnh Thị Bảo Ngọc Hà").wait_for()
    page.get_by_role("button", name="Tăng: Có điện thoại thông minh").click()
    page.get_by_test_id("save-visit").click()

    conflict = page.get_by_test_id("conflict")
    conflict.wait_for()
    assert "Có người khác vừa sửa hộ này" in conflict.inner_text()
    row = conflict.get_by_role("row", name="Có điện thoại thông minh")
    assert row.get_by_role("cell").all_inner_texts() == ["0", "3"]  # server, mine
    assert "⚠" in pending_count(page)

    conflict.get_by_role("button", name="Giữ của tôi").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("⇅ 0")

    final = other.household("Trịnh Thị Bảo Ngọc Hà")
    assert final["adults_smartphone"] == 3  # mine, re-applied on the fresh version
    assert final["note"] == "Sửa từ máy khác"  # the other change is kept
    assert final["version"] == stale["version"] + 2


def test_phone_screen_has_no_horizontal_overflow(phone, tmp_path):
    page = phone
    sign_in(page, "leader")
    shots = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    widths = {}
    for name, path in (
        ("home", "/"),
        ("households", "/households"),
        ("support", "/support"),
        ("reports", "/reports"),
        ("team", "/team"),
        ("more", "/more"),
    ):
        page.goto(path)
        page.locator("main h1").first.wait_for()
        page.wait_for_load_state("networkidle")
        widths[name] = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(shots / f"{name}-360x640.png"))
    # A household visit, the busiest screen.
    page.goto("/households")
    page.get_by_test_id("household-row").first.click()
    page.get_by_test_id("save-visit").wait_for()
    widths["visit"] = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(shots / "visit-360x640.png"), full_page=True)
    assert page.viewport_size == {"width": 360, "height": 640}
    assert all(width <= 360 for width in widths.values()), widths
    assert (shots / "home-360x640.png").stat().st_size > 5_000
