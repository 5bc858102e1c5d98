"""Targets by period and reports of a period (issue 19 items 4 and 5) at 360×640, as the demo users:
a commune's count target for the year and for a month, compared on the province's dashboard with the
basis and the year to date; the year's trend in one request; an ad-hoc report answering a request;
the province's due dates. Everything is checked against the server behind the app's back.

What these tests leave behind is benign for the other browser tests sharing the demo database: the
ad-hoc report ends approved, and the province's due dates end as plan 002's."""

import re
import time

from tests.e2e.conftest import shot, sign_in
from tests.e2e.test_weeks import home, no_horizontal_scroll, vn_today


def another_phone(browser, server):
    """A second phone at 360×640 with its own storage (another user signs in on it)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 640},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        base_url=server,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def eventually(check, timeout: float = 15.0):
    """`check()`'s first truthy answer: the app sends its writes in the background."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_count_targets_by_period_on_the_dashboard_and_the_trend(phone, api, browser, server):
    page = phone
    today = vn_today()
    month = today.strftime("%Y-%m")
    commune = api("commune")
    commune_id = home(commune)
    sign_in(page, "commune")

    # The commune's own count targets: 1,200 people for the year, 140 for this month.
    page.goto("/targets")
    page.get_by_test_id("count-lead").wait_for()
    assert "không giao xuống thôn" in page.get_by_test_id("count-lead").inner_text()
    year_row = page.locator("[data-testid=target][data-indicator=people_supported][data-period='']")
    year_row.get_by_label("Chỉ tiêu riêng", exact=True).fill("1200")
    year_row.get_by_role("button", name="Lưu").click()
    year_row.get_by_text("1.200").wait_for()
    box = page.locator("[data-testid=period-targets][data-indicator=people_supported]")
    box.get_by_text("Thêm chỉ tiêu kỳ").click()
    box.get_by_label("Kỳ").select_option(month)
    box.locator("details").get_by_label("Chỉ tiêu riêng", exact=True).fill("140")
    box.locator("details").get_by_role("button", name="Lưu").click()
    box.locator(f"[data-testid=target][data-period='{month}']").wait_for()
    shot(page, "commune-count-targets")
    no_horizontal_scroll(page)

    def targets():
        items = commune.get("/api/v1/targets", unit_id=commune_id, year=today.year)["items"]
        return {(i["period"], i["value"]) for i in items if i["indicator"] == "people_supported"}

    assert eventually(lambda: targets() == {(None, 1200.0), (month, 140.0)}), targets()
    # No village inherits a count target.
    village = commune.get("/api/v1/units", parent_id=commune_id)["items"][0]["id"]
    inherited = commune.get("/api/v1/targets", unit_id=village, year=today.year)["items"]
    assert "people_supported" not in [i["indicator"] for i in inherited]

    # The province's dashboard: the commune's month against its month's own target, with the year to date.
    province = api("province")
    kpi = province.get("/api/v1/kpi", unit_id=commune_id, period=month)
    people = next(i for i in kpi["indicators"] if i["code"] == "people_supported")
    assert (people["target"], people["target_basis"], people["year_target"]) == (140.0, "month", 1200.0)
    other = another_phone(browser, server)
    calls: list[str] = []
    other.on("request", lambda r: "/api/v1/kpi" in r.url and calls.append(r.url))
    sign_in(other, "province")
    calls.clear()  # the home screen reads this month's figures
    other.goto("/dashboard")
    other.get_by_label("Chỉ tiêu", exact=True).select_option("people_supported")
    row = other.get_by_test_id("ranking").locator("tr", has_text="Xã Ngọc Hồi")
    note = row.get_by_test_id("count-note")
    note.wait_for()
    assert "so với chỉ tiêu tháng" in note.inner_text()
    assert re.search(r"Lũy kế năm: [\d.]+ / 1\.200", note.inner_text()), note.inner_text()
    trend = other.get_by_test_id("trend")
    trend.locator("tbody tr").first.wait_for(state="attached")
    assert trend.locator("tbody tr").count() == today.month
    shot(other, "province-dashboard-counts")
    no_horizontal_scroll(other)
    # The year's trend is one request, not one per month.
    assert len([c for c in calls if "/api/v1/kpi/trend?" in c]) == 1, calls
    monthly = {m.group(1) for c in calls if (m := re.search(r"/api/v1/kpi\?.*period=([\d-]+)", c))}
    assert monthly <= {month}, calls  # the home screen reads this month's figures; no month by month
    other.context.close()


def test_an_ad_hoc_report_and_the_province_due_dates(phone, api, browser, server):
    page = phone
    today = vn_today()
    commune = api("commune")
    commune_id = home(commune)
    sign_in(page, "commune")

    # A report asked for out of cycle: any days, the request it answers, the day it is due before.
    page.goto("/reports")
    section = page.locator("section.card", has_text="Báo cáo đột xuất")
    section.get_by_role("button", name="+ Thêm báo cáo đột xuất").click()
    form = section.get_by_test_id("adhoc-form")
    form.get_by_label("Từ ngày").fill(today.replace(day=1).isoformat())
    form.get_by_label("Đến ngày").fill(today.isoformat())
    form.get_by_label("Cơ quan, người yêu cầu").fill("Sở Khoa học và Công nghệ")
    form.get_by_label("Số, ký hiệu văn bản yêu cầu").fill("Công văn số 77/SKHCN-CĐS")
    form.get_by_label("Hạn nộp (trước ngày)").fill(today.replace(year=today.year + 1).isoformat())
    form.get_by_role("button", name="Lập báo cáo").click()
    card = section.get_by_test_id("snapshot").first
    card.get_by_test_id("request").wait_for()
    assert "Theo yêu cầu của Sở Khoa học và Công nghệ (Công văn số 77/SKHCN-CĐS)" in card.inner_text()
    first = today.replace(day=1).strftime("%d/%m/%Y")
    assert f"Báo cáo đột xuất · Từ {first} đến {today:%d/%m/%Y}" in card.inner_text()
    card.get_by_role("button", name="Xem số liệu").click()
    counts = card.get_by_test_id("report-counts")
    assert "Đoàn viên thanh niên tham gia" in counts.inner_text()
    shot(page, "commune-adhoc-report")
    no_horizontal_scroll(page)
    card.get_by_role("button", name="Gửi báo cáo").click()
    page.get_by_role("dialog").get_by_role("button", name="Gửi báo cáo").click()
    card.get_by_text("Đã gửi, chờ duyệt").wait_for()
    report = commune.get("/api/v1/kpi/snapshots", unit_id=commune_id, kind="adhoc")["items"][0]
    assert report["adhoc"] and report["status"] == "submitted"
    assert report["request_ref"] == "Công văn số 77/SKHCN-CĐS" and report["counts"] is not None
    province = api("province")
    approved = province.http.post(
        f"/api/v1/kpi/snapshots/{report['id']}/approve", headers={"If-Match": f'"{report["version"]}"'}
    )
    assert approved.status_code == 200, approved.text

    # The province's due dates, set by its officer; then back to the plan's.
    province_id = home(province)
    other = another_phone(browser, server)
    sign_in(other, "province")
    other.goto("/reports")
    deadlines = other.locator("section.card", has_text="Hạn nộp báo cáo của tỉnh")
    deadlines.get_by_label("Báo cáo tháng: trước ngày").fill("25")
    deadlines.get_by_role("button", name="Lưu").click()
    other.get_by_text("Đã lưu hạn nộp.").wait_for()
    shot(other, "province-due-dates")
    no_horizontal_scroll(other)
    rule = province.get(f"/api/v1/kpi/report-deadlines/{province_id}")
    assert (rule["monthly_day"], rule["quarterly_day"], rule["is_default"]) == (25, 15, False)
    restored = province.http.put(
        f"/api/v1/kpi/report-deadlines/{province_id}",
        json={"monthly_day": 30, "quarterly_day": 15},
        headers={"If-Match": f'"{rule["version"]}"'},
    )
    assert restored.status_code == 200, restored.text
    other.context.close()
