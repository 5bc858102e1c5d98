"""The province's own duties at 360×640 (issue 20, item 7): the province officer pages through every
report of the province for a period and approves or returns the communes' quarterly reports."""

import re
from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import SHOTS, sign_in

VILLAGES = 55  # more than a page (50) of reports


def view(page, name: str) -> None:
    """What the phone's screen shows (a page of 56 reports is too long for a full-page shot)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def vn_today():
    return (datetime.now(UTC) + timedelta(hours=7)).date()


def quarter() -> str:
    today = vn_today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def role_unit(client, role: str) -> str:
    return next(r["unit_id"] for r in client.me["roles"] if r["role"] == role)


def submitted_report(client, unit_id: str, period: str) -> dict:
    created = client.http.post("/api/v1/kpi/snapshots", json={"unit_id": unit_id, "period": period})
    created.raise_for_status()
    report = created.json()
    sent = client.http.post(f"/api/v1/kpi/snapshots/{report['id']}/submit")
    sent.raise_for_status()
    return sent.json()


def test_the_province_pages_through_its_reports_and_approves_a_communes_quarter(phone, api):
    page = phone
    admin, province, commune = api("admin"), api("province"), api("commune")
    province_id = role_unit(province, "province_officer")
    ngoc_hoi = role_unit(commune, "commune_officer")
    communes = province.get("/api/v1/units", parent_id=province_id, limit=500)["items"]
    other = next(c for c in communes if c["id"] != ngoc_hoi)
    period = quarter()
    before = province.get("/api/v1/kpi/snapshots", unit_id=province_id, period=period)["total"]
    # A commune of the province with more villages than a page (one list), each with its quarter's
    # report sent (by two callers, each within its rate limit).
    rows = "Tên thôn,Mã\n" + "".join(f"Thôn Kiểm Thử {i + 1},E2E-Q-{i + 1:03d}\n" for i in range(VILLAGES))
    files = {"file": ("thon.csv", rows.encode(), "text/csv")}
    imported = admin.http.post("/api/v1/units/import", params={"parent_id": other["id"]}, files=files)
    imported.raise_for_status()
    for i, village in enumerate(imported.json()["created"]):
        submitted_report(admin if i % 2 else province, village["id"], period)
    # Ngọc Hồi's quarterly report comes last: past the first page of the province's reports.
    report = submitted_report(commune, ngoc_hoi, period)
    listed = province.get("/api/v1/kpi/snapshots", unit_id=province_id, period=period)
    total = before + VILLAGES + 1
    assert listed["total"] == total and report["id"] not in {s["id"] for s in listed["items"]}

    sign_in(page, "province")
    page.goto("/reports")
    page.get_by_label("Kỳ báo cáo").select_option(period)
    waiting = page.get_by_test_id("snapshot")
    waiting.first.wait_for()
    more = page.get_by_test_id("more-reports")
    assert more.inner_text() == f"Xem thêm báo cáo (đã hiện 50/{total})"
    # Its quarterly report, not an ad-hoc one another test left ("Xã Ngọc Hồi · Báo cáo đột xuất · …").
    heading = page.get_by_role("heading", name=re.compile("^Xã Ngọc Hồi · (?!Báo cáo đột xuất)"))
    card = waiting.filter(has=heading)
    assert card.count() == 0  # past the first page
    for shown in range(100, total + 50, 50):  # page by page until every report is shown
        more.click()
        page.get_by_text(f"(đã hiện {min(shown, total)}/{total})").or_(card).first.wait_for()
    card.wait_for()
    assert more.count() == 0
    card.scroll_into_view_if_needed()
    view(page, "province-reports-paged")
    card.get_by_role("button", name="Duyệt").click()
    page.get_by_text("Đã duyệt báo cáo.").wait_for()
    approved = province.get(f"/api/v1/kpi/snapshots/{report['id']}")
    assert (approved["status"], approved["approved_by"]) == ("approved", "province")
    # Still listed, now among the approved, with every page of the list kept.
    page.get_by_role("heading", name="Đã duyệt").wait_for()
    assert more.count() == 0 and card.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # A second commune's quarter returned with a reason.
    second = submitted_report(admin, other["id"], period)
    page.reload()
    page.get_by_label("Kỳ báo cáo").select_option(period)
    page.get_by_test_id("more-reports").click()
    card = waiting.filter(has=page.get_by_role("heading", name=re.compile(re.escape(other["name"]) + " ·")))
    card.get_by_role("button", name="Trả lại").click()
    page.get_by_label("Lý do trả lại").fill("Thiếu số liệu quý")
    page.get_by_role("dialog").get_by_role("button", name="Trả lại").click()
    page.get_by_text("Đã trả lại báo cáo.").wait_for()
    returned = province.get(f"/api/v1/kpi/snapshots/{second['id']}")
    assert (returned["status"], returned["return_reason"]) == ("returned", "Thiếu số liệu quý")


def test_the_province_records_the_departments_training(phone, api):
    """Plan 002 III.1: the department trains the communes' members; the training is the province's,
    its attendees picked from Ngọc Hồi's teams, each counted trained in their commune."""
    page = phone
    province = api("province")
    province_id = role_unit(province, "province_officer")
    sign_in(page, "province")
    page.goto("/more")
    page.get_by_role("link", name="Tập huấn của Sở").click()
    page.get_by_role("button", name="+ Thêm buổi tập huấn").click()
    form = page.get_by_test_id("training-form")
    form.get_by_label("Tiêu đề").fill("Tập huấn kỹ năng số và AI cho Tổ CNSCĐ")
    form.get_by_label("Hình thức").select_option("online")
    form.get_by_label("Nội dung").fill("VNeID, Chữ ký số, AI")
    form.get_by_label("Chọn xã để thêm người tham dự").select_option(label="Xã Ngọc Hồi")
    boxes = form.get_by_test_id("attendees").get_by_role("checkbox")
    boxes.first.wait_for()
    names = [boxes.nth(i).locator("xpath=..").inner_text().strip() for i in range(3)]
    for i in range(3):
        boxes.nth(i).check()
    assert "Thành viên tham dự (3)" in form.get_by_test_id("attendees").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    view(page, "province-training-form")
    form.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu buổi tập huấn.").wait_for()
    page.get_by_test_id("unit-trainings").get_by_text("Tập huấn kỹ năng số và AI cho Tổ CNSCĐ").wait_for()
    view(page, "province-trainings")
    trainings = province.get("/api/v1/trainings", unit_id=province_id, limit=500)["items"]
    training = next(s for s in trainings if s["title"] == "Tập huấn kỹ năng số và AI cho Tổ CNSCĐ")
    assert (training["unit_id"], training["mode"], training["topics"]) == (
        province_id,
        "online",
        ["VNeID", "Chữ ký số", "AI"],
    )
    members = {m["id"]: m["full_name"] for m in province.get("/api/v1/members", limit=500)["items"]}
    assert sorted(members[m] for m in training["member_ids"]) == sorted(names)
