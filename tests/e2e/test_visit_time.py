"""A visit is dated by the phone at the moment it is saved (issue 19, point 1): one saved offline on the
28th of last month and sent today counts in last month, in the month it was made."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from app.kpi.periods import VIETNAM
from tests.e2e.conftest import sign_in, wait_offline_ready
from tests.e2e.test_field_app import find

NAME = "Khổng Minh Trí Tuệ"


def vneid(api, unit_id: str, period: str) -> int:
    kpi = api.get("/api/v1/kpi", unit_id=unit_id, period=period)
    return next(i["numerator"] for i in kpi["indicators"] if i["code"] == "adults_vneid_pct")


def test_a_visit_saved_offline_last_month_counts_in_last_month(phone, api):
    page = phone
    now = datetime.now(VIETNAM)
    this_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    made = (this_month - timedelta(days=1)).replace(day=28, hour=10)  # the 28th of last month, 10:00
    last = f"{made:%Y-%m}"
    leader, admin = api(), api("admin")
    village = next(r["unit_id"] for r in leader.me["roles"] if r["role"] == "team_leader")
    body = {"unit_id": village, "head_name": NAME, "code": "E2E-OBS", "members_count": 3, "adults_count": 2}
    body["observed_at"] = (made - timedelta(days=40)).isoformat()  # recorded before the visit
    leader.http.post("/api/v1/households", json=body).raise_for_status()
    before = vneid(admin, village, last)
    page.clock.install()  # the phone's clock, which the test sets (time flows on from where it is set)
    sign_in(page, "leader")
    wait_offline_ready(page)

    # On the 28th, with no signal: the visit is saved on the phone.
    page.context.set_offline(True)
    page.get_by_text("Mất mạng").wait_for()
    page.clock.set_system_time(made)
    find(page, "khong minh tri tue", NAME).click()
    page.get_by_role("heading", name=NAME).wait_for()
    page.get_by_role("button", name="Tăng: Có tài khoản VNeID").click()
    page.get_by_test_id("save-visit").click()
    page.get_by_text("Đã lưu trên máy. Sẽ tự gửi khi có mạng.").wait_for()

    # Today the signal is back: the visit is sent, and counts on the 28th.
    page.clock.set_system_time(datetime.now(UTC))
    page.context.set_offline(False)
    expect(page.get_by_test_id("pending-count")).to_have_text("⇅ 0")
    assert leader.household(NAME)["adults_vneid"] == 1
    assert vneid(admin, village, last) == before + 1
