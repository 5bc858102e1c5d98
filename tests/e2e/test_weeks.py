"""A week of work per role, at 360×640, as the demo users: what each one does in the app from Monday
to Friday, checked against the server behind the app's back. Screenshots of each step are saved to
tests/e2e/screenshots/ (git-ignored; E2E_SCREENSHOTS overrides the folder).

The tests of this module run in order: the leader submits the monthly report the commune officer
then returns and approves."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.conftest import all_sent, pending_count, shot, sign_in, wait_offline_ready


def vn_today():
    return (datetime.now(UTC) + timedelta(hours=7)).date()


def period() -> str:
    return vn_today().strftime("%Y-%m")


def home(api_client) -> str:
    return api_client.me["roles"][0]["unit_id"]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_leader_week(phone, api):
    page = phone
    leader = api("leader")
    village = home(leader)
    name = "Tuần Tổ Trưởng Hộ"
    body = {"unit_id": village, "head_name": name, "members_count": 3, "adults_count": 2}
    created = leader.http.post("/api/v1/households", json=body)
    assert created.status_code == 201, created.text
    sign_in(page, "leader")
    shot(page, "leader-home")
    wait_offline_ready(page)

    # Monday: a visit with no signal, sent when the signal returns.
    page.context.set_offline(True)
    page.get_by_label("Tìm hộ theo tên, mã, số điện thoại hoặc địa chỉ").fill("tuan to truong ho")
    page.get_by_test_id("household-row").filter(has_text=name).click()
    page.get_by_role("button", name="Tăng: Có tài khoản VNeID").click()
    page.get_by_role("button", name="Kích hoạt VNeID", exact=True).click()
    page.get_by_test_id("save-visit").click()
    page.get_by_text("Đã lưu trên máy. Sẽ tự gửi khi có mạng.").wait_for()
    shot(page, "leader-visit-offline")
    page.context.set_offline(False)
    all_sent(page)
    household = leader.household(name)
    assert household["adults_vneid"] == 1
    assert leader.get("/api/v1/activities", household_id=household["id"])["total"] == 1

    # Tuesday: a support point.
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    page.get_by_role("link", name="Điểm hỗ trợ", exact=True).click()
    page.locator("ul.list").first.get_by_role("button").first.click()
    page.get_by_role("button", name=re.compile(r"^\+1 Hướng dẫn kỹ năng số")).click()
    page.get_by_role("button", name=re.compile(r"^\+1 Hướng dẫn kỹ năng số")).click()
    page.get_by_role("button", name="Kết thúc buổi").click()
    page.get_by_role("dialog").get_by_role("button", name="Kết thúc buổi").click()
    page.get_by_text("Tất cả đã được gửi lên máy chủ.").wait_for()
    shot(page, "leader-support-summary")
    recent = leader.get("/api/v1/activities", unit_id=village, **{"from": since})["items"]
    kinds = [a["kind"] for a in recent if a["household_id"] is None]
    assert kinds == ["skills_guidance", "skills_guidance"], kinds
    page.get_by_role("button", name="Đóng").click()

    # Wednesday: a training with two attendees.
    page.goto("/team")
    page.get_by_role("button", name="+ Thêm buổi tập huấn").click()
    form = page.locator("form")
    form.get_by_label("Tiêu đề").fill("Tập huấn tuần E2E")
    form.get_by_role("checkbox").nth(0).check()
    form.get_by_role("checkbox").nth(1).check()
    form.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu và gửi lên máy chủ.").wait_for()
    page.get_by_text("Tập huấn tuần E2E").wait_for()
    shot(page, "leader-team")
    trainings = leader.get("/api/v1/trainings", unit_id=village)["items"]
    ours = [x for x in trainings if x["title"] == "Tập huấn tuần E2E"]
    assert len(ours) == 1 and len(ours[0]["member_ids"]) == 2

    # Friday: the monthly report, frozen and submitted.
    page.goto("/reports")
    page.get_by_role("button", name="+ Lập báo cáo").click()
    card = page.get_by_test_id("snapshot").first
    card.get_by_role("button", name="Gửi báo cáo").click()
    page.get_by_role("dialog").get_by_role("button", name="Gửi báo cáo").click()
    page.get_by_text("Đã gửi, chờ duyệt").first.wait_for()
    shot(page, "leader-report-submitted")
    no_horizontal_scroll(page)
    reports = leader.get("/api/v1/kpi/snapshots", unit_id=village, period=period())["items"]
    assert [r["status"] for r in reports] == ["submitted"]


def test_commune_officer_week(phone, api):
    page = phone
    commune = api("commune")
    commune_id = home(commune)
    villages = {v["name"]: v for v in commune.get("/api/v1/units", parent_id=commune_id)["items"]}
    sign_in(page, "commune")
    shot(page, "commune-home")

    # Import a village's list: a dry run finds the bad row, the fixed file goes in.
    page.goto("/households/import")
    page.get_by_label("Nhập vào").select_option(label="Thôn Yên Kiện")
    header = ["Họ tên chủ hộ", "Mã hộ", "Số nhân khẩu", "Số người trưởng thành"]
    bad = csv_bytes([header, ["Nhập Một Tuần", "IMP-W-1", 3, 2], ["Nhập Hai Tuần", "IMP-W-2", 2, 4]])
    page.get_by_label("Chọn tệp").set_input_files({"name": "ho.csv", "mimeType": "text/csv", "buffer": bad})
    page.get_by_role("button", name="Kiểm tra tệp").click()
    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    assert "Dòng 3" in errors.inner_text()
    assert page.get_by_role("button", name="Nhập danh sách").is_disabled()
    shot(page, "commune-import-dry-run")
    good = csv_bytes([header, ["Nhập Một Tuần", "IMP-W-1", 3, 2], ["Nhập Hai Tuần", "IMP-W-2", 4, 2]])
    page.get_by_label("Chọn tệp").set_input_files({"name": "ho.csv", "mimeType": "text/csv", "buffer": good})
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.get_by_text("Đọc 2 dòng: 2 hợp lệ, 0 có lỗi.").wait_for()
    page.get_by_role("button", name="Nhập danh sách").click()
    page.get_by_test_id("import-done").wait_for()
    shot(page, "commune-import-done")
    imported = commune.get("/api/v1/households", unit_id=villages["Thôn Yên Kiện"]["id"], q="nhap")["items"]
    assert sorted(h["code"] for h in imported) == ["IMP-W-1", "IMP-W-2"]

    # A campaign running now, and a support point with two members on duty.
    page.goto("/campaigns")
    page.get_by_role("button", name="+ Thêm chiến dịch").click()
    form = page.locator("form")
    form.get_by_label("Tên").fill("Chiến dịch tuần E2E")
    form.get_by_label("Đến ngày").fill((vn_today() + timedelta(days=20)).isoformat())
    form.get_by_role("button", name="Lưu").click()
    card = page.locator("section.card", has_text="Chiến dịch tuần E2E")
    assert "Đang diễn ra" in card.inner_text()
    card.get_by_role("button", name="+ Thêm sự kiện").click()
    event_form = card.locator("form")
    event_form.get_by_label("Tiêu đề").fill("Điểm hỗ trợ tuần E2E")
    event_form.get_by_label("Thôn, tổ dân phố").select_option(label="Thôn Vĩnh Ninh")
    duty = event_form.get_by_role("group", name="Thành viên trực")
    duty.get_by_role("checkbox").nth(1).wait_for()
    duty.get_by_role("checkbox").nth(0).check()
    duty.get_by_role("checkbox").nth(1).check()
    event_form.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu và gửi lên máy chủ.").wait_for()
    card.get_by_text("2 người trực").wait_for()  # adding an event opened the campaign's list
    shot(page, "commune-campaign-event")

    # The leader's report: returned with a reason, then approved once submitted again.
    page.goto("/reports")
    waiting = page.locator("section.card", has_text="Chờ duyệt")
    waiting.get_by_role("button", name="Trả lại").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Lý do trả lại").fill("Thiếu số liệu hộ kinh doanh")
    dialog.get_by_role("button", name="Trả lại").click()
    page.get_by_text("Đã trả lại báo cáo.").wait_for()
    leader = api("leader")
    village = home(leader)
    report = leader.get("/api/v1/kpi/snapshots", unit_id=village, period=period())["items"][0]
    assert report["status"] == "returned" and report["return_reason"] == "Thiếu số liệu hộ kinh doanh"
    again = leader.http.post(
        f"/api/v1/kpi/snapshots/{report['id']}/submit", headers={"If-Match": f'"{report["version"]}"'}
    )
    assert again.status_code == 200, again.text
    page.reload()
    page.locator("section.card", has_text="Chờ duyệt").get_by_role("button", name="Duyệt").click()
    page.get_by_text("Đã duyệt báo cáo.").wait_for()
    # An approved village report stays in the commune's lists.
    page.locator("section.card", has_text="Đã duyệt").get_by_test_id("snapshot").first.wait_for()
    shot(page, "commune-reports")
    assert leader.get(f"/api/v1/kpi/snapshots/{report['id']}")["status"] == "approved"

    # The villages ranked, against target.
    page.goto("/dashboard")
    ranking = page.get_by_test_id("ranking")
    ranking.wait_for()
    assert ranking.locator("tbody tr").count() == len(villages)
    shot(page, "commune-dashboard")
    no_horizontal_scroll(page)

    # The commune's own target for the year, in place of the inherited one.
    page.goto("/targets")
    row = page.locator("[data-indicator=households_informed_pct]")
    row.wait_for()
    assert "Kế thừa" in row.inner_text()
    row.get_by_label("Chỉ tiêu riêng (%)").fill("95")
    row.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu và gửi lên máy chủ.").wait_for()
    shot(page, "commune-targets")
    targets = commune.get("/api/v1/targets", unit_id=commune_id, year=vn_today().year)["items"]
    informed = next(x for x in targets if x["indicator"] == "households_informed_pct")
    assert informed["value"] == 95 and informed["inherited"] is False


def test_province_officer_week(phone, api):
    page = phone
    province = api("province")
    province_id = home(province)
    communes = province.get("/api/v1/units", parent_id=province_id, limit=500)
    late = province.get("/api/v1/kpi/snapshots/pending", unit_id=province_id, period=period())["items"]
    sign_in(page, "province")
    page.get_by_role("link", name="Tổng quan", exact=True).first.click()
    ranking = page.get_by_test_id("ranking")
    ranking.wait_for()
    assert ranking.locator("tbody tr").count() == communes["total"]
    page.get_by_test_id("late-list").wait_for()
    assert page.get_by_test_id("late-list").locator("li").count() == len(late)
    shot(page, "province-dashboard")
    # Which villages of a commune are late: one tap down.
    page.get_by_test_id("late-list").get_by_role("link", name=re.compile("Xã Ngọc Hồi")).click()
    page.get_by_role("heading", name=re.compile("Xã Ngọc Hồi")).wait_for()
    commune = next(c for c in communes["items"] if c["name"] == "Xã Ngọc Hồi")
    pending = province.get("/api/v1/kpi/snapshots/pending", unit_id=commune["id"], period=period())
    villages_late = pending["items"]
    page.get_by_test_id("ranking").wait_for()
    assert page.get_by_test_id("late-list").locator("li").count() == len(villages_late)
    shot(page, "province-late-villages")


def test_viewer_week(phone, api):
    page = phone
    refused: list[str] = []
    page.on("response", lambda r: r.status == 403 and refused.append(r.url))
    sign_in(page, "viewer")
    shot(page, "viewer-home")
    page.get_by_role("link", name="Tổng quan", exact=True).first.click()
    page.get_by_test_id("ranking").wait_for()
    page.locator(".uplot").wait_for()  # the chart library, loaded on this screen only
    assert page.get_by_test_id("trend").locator("tbody tr").count() == vn_today().month
    shot(page, "viewer-dashboard")
    for path in ("/", "/dashboard", "/reports", "/team", "/targets", "/campaigns"):
        page.goto(path)
        page.locator("main h1").first.wait_for()
        page.wait_for_load_state("networkidle")
        assert not re.search(r"\b0\d{9}\b", page.locator("main").inner_text()), path
        no_horizontal_scroll(page)
    assert refused == []


def test_admin_week(phone, api, server):
    page = phone
    admin = api("admin")
    sign_in(page, "admin")
    page.goto("/admin")

    # A user with two roles in two communes, found by name.
    page.get_by_role("tab", name="Người dùng").click()
    page.get_by_role("button", name="+ Thêm người dùng").click()
    form = page.locator("form")
    form.get_by_label("Tên đăng nhập").fill("tuan.admin")
    form.get_by_label("Họ và tên").fill("Cán Bộ Hai Xã")
    form.get_by_label("Mật khẩu").fill("matkhau123")
    grants = form.get_by_test_id("grant")
    grants.nth(0).get_by_label("Vai trò").select_option(label="Cán bộ xã")
    grants.nth(0).get_by_label("Tìm đơn vị").fill("Cẩm Giang")
    grants.nth(0).get_by_role("option", name=re.compile("Xã Cẩm Giang")).click()
    form.get_by_role("button", name="+ Thêm vai trò").click()
    grants.nth(1).get_by_label("Vai trò").select_option(label="Tổ trưởng")
    grants.nth(1).get_by_label("Tìm đơn vị").fill("Thôn 2")
    grants.nth(1).get_by_role("option", name=re.compile("Thôn 2")).click()
    shot(page, "admin-user-form")
    form.get_by_role("button", name="Lưu").click()
    page.get_by_text("Cán Bộ Hai Xã").wait_for()
    user = admin.get("/api/v1/users", q="tuan.admin")["items"][0]
    assert sorted(r["role"] for r in user["roles"]) == ["commune_officer", "team_leader"]

    # An API key: shown once, works, rotated (the old one stops), revoked.
    page.get_by_role("tab", name="Khóa API").click()
    page.get_by_role("button", name="+ Tạo khóa").click()
    page.get_by_label("Tên hệ thống dùng khóa").fill("Cổng E2E")
    page.get_by_role("button", name="Tạo", exact=True).click()
    secret = page.get_by_test_id("api-key-secret")
    first = secret.locator("code").inner_text()
    assert first.startswith("cnscd_")
    shot(page, "admin-api-key")
    assert httpx.get(f"{server}/api/v1/units", headers={"X-API-Key": first}).status_code == 200
    secret.get_by_role("button", name="Đã lưu khóa").click()
    assert page.get_by_test_id("api-key-secret").count() == 0
    key_row = page.get_by_test_id("api-key").filter(has_text="Cổng E2E")
    key_row.get_by_role("button", name="Đổi khóa").click()
    page.get_by_role("dialog").get_by_role("button", name="Đổi khóa").click()
    second = page.get_by_test_id("api-key-secret").locator("code").inner_text()
    assert second.startswith("cnscd_") and second != first
    assert httpx.get(f"{server}/api/v1/units", headers={"X-API-Key": first}).status_code == 401
    assert httpx.get(f"{server}/api/v1/units", headers={"X-API-Key": second}).status_code == 200
    page.get_by_test_id("api-key-secret").get_by_role("button", name="Đã lưu khóa").click()
    key_row.get_by_role("button", name="Thu hồi").click()
    page.get_by_role("dialog").get_by_role("button", name="Thu hồi").click()
    key_row.get_by_text("Đã thu hồi").wait_for()
    assert httpx.get(f"{server}/api/v1/units", headers={"X-API-Key": second}).status_code == 401

    # The audit log of the area shows what was just done.
    page.get_by_role("tab", name="Nhật ký thay đổi").click()
    page.get_by_label("Loại bản ghi").select_option(label="Khóa API")
    page.get_by_test_id("audit-entry").first.wait_for()
    assert "Khóa API" in page.get_by_test_id("audit-entry").first.inner_text()
    shot(page, "admin-audit")
    assert pending_count(page) == "⇅ 0"
