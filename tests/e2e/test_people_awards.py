"""Recognition for people and the country, at 360×640 (issue 20, items 5 and 7), on the demo: a team
leader proposes a member with the reason; the commune officer accepts it and records the Chairman's
decision; the award then shows it; good models are shared; the ministry ranks the provinces."""

import re

from tests.e2e.conftest import SHOTS, sign_in

COUNTRY = "00000000-0000-0000-0000-000000000000"


def view(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_leader_proposes_the_commune_reviews_and_decides(phone, browser, server, api):
    admin, commune = api("admin"), api("commune")
    commune_id = next(r["unit_id"] for r in commune.me["roles"] if r["role"] == "commune_officer")
    # A new award of Ngọc Hồi, still open for proposals (the demo's own is decided).
    created = commune.http.post(
        "/api/v1/awards",
        json={
            "unit_id": commune_id,
            "title": "Khen thưởng Tổ CNSCĐ quý",
            "period": "2026",
            "cutoff_on": "2026-10-10",
        },
    )
    created.raise_for_status()
    award_id = created.json()["id"]

    page = phone
    sign_in(page, "leader")
    page.goto("/more")
    page.get_by_role("link", name="Khen thưởng").click()
    page.get_by_label("Đợt khen thưởng").select_option(award_id)
    page.get_by_test_id("award-teams").wait_for()
    page.get_by_role("button", name="+ Đề xuất khen thưởng").click()
    form = page.get_by_test_id("propose-form")
    member = form.get_by_label("Cá nhân", exact=True)
    member.locator("option").nth(1).wait_for(state="attached")
    name = member.locator("option").nth(1).inner_text()
    member.select_option(index=1)
    form.get_by_label("Thành tích").fill("Hướng dẫn 40 người cao tuổi kích hoạt VNeID mức 2")
    form.get_by_role("button", name="Gửi đề xuất").click()
    page.get_by_text("Đã gửi đề xuất.").wait_for()
    proposals = page.get_by_test_id("nominations")
    proposals.get_by_text(name).wait_for()
    assert "Chờ xem xét" in proposals.inner_text()
    no_horizontal_scroll(page)
    view(page, "leader-award-proposal")

    officer = page.context.browser.new_context(
        viewport={"width": 360, "height": 640},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        base_url=server,
    )
    try:
        page = officer.new_page()
        sign_in(page, "commune")
        page.goto("/awards")
        page.get_by_label("Đợt khen thưởng").select_option(award_id)
        row = page.get_by_test_id("nominations").locator("li").filter(has_text=name)
        row.get_by_role("button", name="Đồng ý", exact=True).click()
        page.get_by_text("Đã đồng ý đề xuất.").wait_for()
        form = page.get_by_test_id("decision-form")
        form.get_by_label("Số Quyết định").fill("321/QĐ-UBND")
        form.get_by_label("Ngày Quyết định").fill("2026-10-12")
        form.get_by_role("button", name="Ghi Quyết định khen thưởng").click()
        page.get_by_test_id("award-decision").wait_for()
        assert (
            "Quyết định số 321/QĐ-UBND ngày 12/10/2026" in page.get_by_test_id("award-decision").inner_text()
        )
        no_horizontal_scroll(page)
        view(page, "commune-award-decided")
    finally:
        officer.close()
    award = admin.get(f"/api/v1/awards/{award_id}")
    assert (award["decision_no"], award["decision_date"]) == ("321/QĐ-UBND", "2026-10-12")
    honoured = admin.get(f"/api/v1/awards/{award_id}/nominations")["items"]
    assert [(n["name"], n["status"]) for n in honoured] == [(name, "accepted")]


def test_good_models_are_kept_and_shared(phone, api):
    page = phone
    sign_in(page, "leader")
    page.goto("/initiatives")
    page.get_by_role("button", name="+ Thêm mô hình").click()
    page.get_by_label("Tiêu đề").fill("Loa phát thanh 5 phút mỗi sáng")
    page.get_by_label("Cách làm").fill("Đọc hướng dẫn dịch vụ công trực tuyến trên loa thôn")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu mô hình.").wait_for()
    item = page.get_by_test_id("initiatives").locator("li").filter(has_text="Loa phát thanh 5 phút mỗi sáng")
    item.get_by_role("button", name="Chia sẻ").click()
    page.get_by_text("Đã chia sẻ cho các xã.").wait_for()
    page.get_by_role("tab", name="Các xã chia sẻ").click()
    shared = page.get_by_test_id("initiatives")
    shared.get_by_text("Loa phát thanh 5 phút mỗi sáng").wait_for()
    shared.get_by_text("“Chợ số - Nông thôn số” ở chợ xã").wait_for()  # Quỳnh Sơn's, another province
    no_horizontal_scroll(page)
    view(page, "leader-initiatives-shared")
    titles = {i["title"] for i in api("commune").get("/api/v1/initiatives", shared="true")["items"]}
    assert "Loa phát thanh 5 phút mỗi sáng" in titles


def test_the_ministry_ranks_the_provinces_and_sees_the_national_trend(phone, api):
    page = phone
    ministry = api("ministry")
    sign_in(page, "ministry")
    page.get_by_role("link", name="Tổng quan", exact=True).first.click()
    page.get_by_role("heading", name="Tổng quan: Cả nước").wait_for()
    ranking = page.get_by_test_id("ranking")
    ranking.wait_for()
    assert ranking.locator("tbody tr").count() == 34
    page.locator(".uplot").wait_for()
    no_horizontal_scroll(page)
    view(page, "ministry-country-dashboard")
    rows = ministry.get(
        "/api/v1/kpi/breakdown", unit_id=COUNTRY, period=_month(), indicator="composite_score"
    )["rows"]
    assert ranking.locator("tbody tr").first.locator("th").inner_text().startswith(rows[0]["name"])
    # Reports are filed per unit: the country's Reports screen says where to look instead of failing.
    page.goto("/reports")
    page.get_by_text("Báo cáo định kỳ do từng xã, tỉnh lập").wait_for()
    page.goto("/dashboard")
    ranking.get_by_role("link", name="Tỉnh Nghệ An").wait_for()
    # One tap down: Hà Nội's communes.
    ranking.get_by_role("link", name="Thành phố Hà Nội").click()
    page.get_by_role("heading", name=re.compile("Thành phố Hà Nội")).wait_for()
    page.get_by_test_id("ranking").get_by_role("link", name="Xã Ngọc Hồi").wait_for()
    assert page.get_by_test_id("ranking").locator("tbody tr").count() > 100


def test_an_admin_reaches_the_country_from_the_dashboard(phone):
    page = phone
    sign_in(page, "admin")
    page.goto("/dashboard")
    page.get_by_role("link", name="Cả nước ›").click()
    page.get_by_role("heading", name="Tổng quan: Cả nước").wait_for()
    page.get_by_test_id("ranking").get_by_role("link", name="Tỉnh Nghệ An").wait_for()
    assert page.get_by_test_id("ranking").locator("tbody tr").count() == 34


def _month() -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(hours=7)).strftime("%Y-%m")
