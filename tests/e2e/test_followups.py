"""Follow-ups of issue 14, at 360×640 as the demo users, checked against the server behind the app's
back: the 10/10 awards screen, the written sections of a report, grantable roles from the API, the
consent question on a new household, the village filter and the offline address search."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in, wait_offline_ready


def vn_today():
    return (datetime.now(UTC) + timedelta(hours=7)).date()


def test_commune_officer_defines_freezes_and_downloads_an_award(phone, api):
    page = phone
    commune = api("commune")
    yesterday = vn_today() - timedelta(days=1)
    sign_in(page, "commune")
    page.get_by_role("link", name="Thêm", exact=True).click()
    page.get_by_role("link", name="Khen thưởng 10/10").click()
    page.get_by_role("button", name="+ Thêm đợt khen thưởng").click()
    form = page.locator("form")
    form.get_by_label("Tiêu đề").fill("Khen thưởng E2E")
    form.get_by_label("Kỳ số liệu").select_option(value=str(yesterday.year))
    form.get_by_label("Ngày chốt").fill(yesterday.isoformat())
    form.get_by_text("Trọng số các chỉ tiêu").click()
    weights = form.locator("details.weights input")
    # Every percentage indicator, adults_dvc_pct and households_skills_pct among them.
    assert weights.count() == 13
    weights.first.fill("3")
    form.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã tạo đợt khen thưởng.").wait_for()

    award = page.get_by_test_id("award")
    award.get_by_test_id("award-ranking").wait_for()  # the context's 15 s, where expect() waits 5 s
    expect(award.get_by_role("heading", name="Khen thưởng E2E")).to_be_visible()
    shot(page, "commune-award-ranking")
    # The formula the server computes with is shown beside the ranking, and the cut-off as dd/mm/yyyy.
    expect(award.get_by_test_id("formula")).to_contain_text("Điểm = Σ (trọng số × mức đạt)")
    expect(award).to_contain_text(f"Ngày chốt: {yesterday.strftime('%d/%m/%Y')}")
    home = commune.me["roles"][0]["unit_id"]
    villages = commune.get("/api/v1/units", parent_id=home, limit=500)["total"]
    expect(award.get_by_test_id("award-ranking").locator("tbody tr")).to_have_count(villages)
    awards = commune.get("/api/v1/awards", unit_id=home)["items"]
    (saved,) = [a for a in awards if a["title"] == "Khen thưởng E2E"]
    assert saved["status"] == "open" and saved["cutoff_on"] == yesterday.isoformat()
    assert saved["weights"]["households_informed_pct"] == 3
    assert sorted(saved["weights"].values()) == [1] * 12 + [3]

    # Freezing asks first; cancelling leaves it open.
    award.get_by_role("button", name="Chốt xếp hạng").click()
    page.get_by_role("dialog").get_by_role("button", name="Hủy").click()
    assert commune.get(f"/api/v1/awards/{saved['id']}")["status"] == "open"
    award.get_by_role("button", name="Chốt xếp hạng").click()
    page.get_by_role("dialog").get_by_role("button", name="Chốt xếp hạng").click()
    page.get_by_text("Đã chốt bảng xếp hạng.").wait_for()
    expect(award.locator(".tag")).to_have_text("Đã chốt")
    shot(page, "commune-award-frozen")
    frozen = commune.get(f"/api/v1/awards/{saved['id']}")
    assert frozen["status"] == "frozen"
    assert award.get_by_role("button", name="Chốt xếp hạng").count() == 0

    with page.expect_download() as download:
        award.get_by_role("button", name="⬇ Tải Excel").click()
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(2) == b"PK"  # an xlsx is a zip
    assert download.value.suggested_filename == f"khen-thuong-{yesterday.year}.xlsx"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_leader_reaches_the_awards_to_propose(phone):
    """Issue 20, item 5 (plan 000 IV.7): the team leader proposes its members for the commune's award,
    so the screen is linked for it too (it defines no award: no "+ Thêm đợt khen thưởng")."""
    page = phone
    sign_in(page, "leader")
    page.get_by_role("link", name="Thêm", exact=True).click()
    page.get_by_role("link", name="Thay đổi chờ gửi").wait_for()
    page.get_by_role("link", name=re.compile("Khen thưởng")).click()
    page.get_by_role("heading", name="Đề nghị khen thưởng").first.wait_for()
    assert page.get_by_role("button", name=re.compile("Thêm đợt khen thưởng")).count() == 0


def previous_month() -> tuple[str, str]:
    first = vn_today().replace(day=1) - timedelta(days=1)
    return first.strftime("%Y-%m"), f"Tháng {first.strftime('%m/%Y')}"


def test_a_report_carries_its_written_sections_and_signer_to_the_approver(phone, api, browser, server):
    page = phone
    leader = api("leader")
    village = leader.me["roles"][0]["unit_id"]
    period, label = previous_month()
    sign_in(page, "leader")
    page.goto("/reports")
    page.get_by_label("Kỳ báo cáo").select_option(label=label)
    page.get_by_role("button", name="+ Lập báo cáo").click()
    card = page.get_by_test_id("snapshot").first
    card.get_by_label("Kết quả nổi bật").fill("Hướng dẫn 40 hộ cài VNeID.")
    card.get_by_label("Khó khăn, vướng mắc").fill("Nhiều người cao tuổi chưa có điện thoại thông minh.")
    shot(page, "leader-report-sections")
    card.get_by_role("button", name="Lưu nội dung").click()
    page.get_by_text("Đã lưu nội dung báo cáo.").wait_for()
    (saved,) = leader.get("/api/v1/kpi/snapshots", unit_id=village, period=period)["items"]
    assert saved["results"] == "Hướng dẫn 40 hộ cài VNeID."
    assert saved["difficulties"] == "Nhiều người cao tuổi chưa có điện thoại thông minh."
    assert saved["proposals"] is None

    # A section written but not saved goes with the submission; the dialog says who signs.
    card = page.get_by_test_id("snapshot").first
    card.get_by_label("Đề xuất, giải pháp").fill("Đề nghị xã hỗ trợ 10 điện thoại.")
    card.get_by_role("button", name="Gửi báo cáo").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Người ký: {leader.me['full_name']}")
    dialog.get_by_role("button", name="Gửi báo cáo").click()
    page.get_by_text("Đã gửi báo cáo.").wait_for()
    submitted = leader.get(f"/api/v1/kpi/snapshots/{saved['id']}")
    assert submitted["status"] == "submitted"
    assert submitted["proposals"] == "Đề nghị xã hỗ trợ 10 điện thoại."
    assert submitted["signer_name"] == leader.me["full_name"]
    expect(page.get_by_test_id("snapshot").first.get_by_test_id("signer")).to_contain_text(
        leader.me["full_name"]
    )

    # The commune officer, approving, reads the three sections.
    size = {"width": 360, "height": 640}
    officer = browser.new_context(viewport=size, is_mobile=True, locale="vi-VN", base_url=server)
    try:
        other = officer.new_page()
        sign_in(other, "commune")
        other.goto("/reports")
        other.get_by_label("Kỳ báo cáo").select_option(label=label)
        heading = other.get_by_role("heading", name="Chờ duyệt", exact=True)
        waiting = other.locator("section.card").filter(has=heading).get_by_test_id("snapshot")
        waiting = waiting.filter(has_text="Thôn Ngọc Hồi")
        waiting.wait_for()  # the context's 15 s, where expect() waits 5 s
        sections = waiting.get_by_test_id("report-sections")
        expect(sections).to_contain_text("Hướng dẫn 40 hộ cài VNeID.")
        expect(sections).to_contain_text("Nhiều người cao tuổi chưa có điện thoại thông minh.")
        expect(sections).to_contain_text("Đề nghị xã hỗ trợ 10 điện thoại.")
        assert waiting.get_by_role("textbox").count() == 0
        expect(waiting.get_by_test_id("signer")).to_contain_text(submitted["signer_name"])
        shot(other, "commune-report-sections")
    finally:
        officer.close()


def _create_household(page, name: str, consent: bool) -> dict:
    page.goto("/households/new")
    page.get_by_label("Tên chủ hộ").fill(name)
    box = page.get_by_role("checkbox", name="Hộ đồng ý cho lưu thông tin cá nhân")
    expect(box).not_to_be_checked()
    if consent:
        box.check()
        shot(page, "leader-new-household-consent")
    bodies = []

    def keep(route):
        if route.request.method == "POST":
            bodies.append(route.request.post_data_json)
        route.continue_()

    page.route("**/api/v1/households", keep)
    page.get_by_role("button", name="Lưu").click()
    page.locator(".toast").wait_for()
    page.unroute("**/api/v1/households", keep)
    (body,) = bodies
    return body


def test_a_new_household_records_its_consent_with_the_day_and_who(browser, server, api):
    leader = api("leader")
    # Without the service worker: a request it forwards shows the page no body to read.
    size = {"width": 360, "height": 640}
    context = browser.new_context(
        viewport=size, is_mobile=True, locale="vi-VN", base_url=server, service_workers="block"
    )
    try:
        page = context.new_page()
        sign_in(page, "leader")
        _consent(page, leader)
    finally:
        context.close()


def _consent(page, leader) -> None:
    body = _create_household(page, "Hộ Đồng Ý Lưu Tin", consent=True)
    assert body["consent_on"] == vn_today().isoformat()
    assert body["consent_by"] == leader.me["full_name"]

    # Without the tick nothing about consent is sent (the household is created as before).
    body = _create_household(page, "Hộ Chưa Hỏi Đồng Ý", consent=False)
    assert "consent_on" not in body and "consent_by" not in body
    page.get_by_text("Đã lưu và gửi lên máy chủ.").wait_for()
    assert leader.household("Hộ Chưa Hỏi Đồng Ý")["head_name"] == "Hộ Chưa Hỏi Đồng Ý"
    stored = leader.household("Hộ Đồng Ý Lưu Tin")
    assert (stored["consent_on"], stored["consent_by"]) == (vn_today().isoformat(), leader.me["full_name"])

    # The visit screen says whether, when and by whom consent was recorded.
    page.goto(f"/households/{stored['id']}")
    expect(page.get_by_test_id("consent")).to_have_text(
        f"Hộ đã đồng ý lưu thông tin cá nhân ngày {vn_today():%d/%m/%Y} ({leader.me['full_name']})"
    )


def count_line(n: int) -> re.Pattern:
    """The list's "N hộ · …" line for exactly N (written 1.234 in Vietnamese)."""
    return re.compile(rf"^{f'{n:,}'.replace(',', '.')} hộ ·")


def test_the_province_narrows_its_households_to_a_commune_then_a_village(phone, api):
    page = phone
    commune = api("commune")
    home = commune.me["roles"][0]["unit_id"]
    village = next(
        v for v in commune.get("/api/v1/units", parent_id=home)["items"] if v["name"] == "Thôn Vĩnh Ninh"
    )
    in_commune = commune.get("/api/v1/households", unit_id=home, limit=1)["total"]
    in_village = commune.get("/api/v1/households", unit_id=village["id"], limit=1)["total"]
    assert 0 < in_village < in_commune
    sign_in(page, "province")
    page.goto("/households")
    page.get_by_label("Xã, phường").select_option(label="Xã Ngọc Hồi")
    page.get_by_text(count_line(in_commune)).wait_for()
    page.get_by_label("Thôn, tổ dân phố").select_option(label="Thôn Vĩnh Ninh")
    page.get_by_text(count_line(in_village)).wait_for()
    shot(page, "province-households-village")
    # Another commune: its villages replace the first one's, and the village chosen is dropped.
    page.get_by_label("Xã, phường").select_option(label="Tất cả xã, phường")
    expect(page.get_by_label("Thôn, tổ dân phố")).to_have_count(0)


def test_a_household_is_found_offline_by_its_address(phone, api):
    page = phone
    leader = api("leader")
    village = leader.me["roles"][0]["unit_id"]
    body = {"unit_id": village, "head_name": "Hộ Có Địa Chỉ Riêng", "address": "Xóm Đình Vũ, ngõ 17"}
    assert leader.http.post("/api/v1/households", json=body).status_code == 201
    sign_in(page, "leader")
    wait_offline_ready(page)
    page.context.set_offline(True)
    page.get_by_label("Tìm hộ theo tên, mã, số điện thoại hoặc địa chỉ").fill("xom dinh vu")
    rows = page.get_by_test_id("household-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Hộ Có Địa Chỉ Riêng")
    shot(page, "leader-search-address-offline")
    page.context.set_offline(False)


def test_each_visit_keeps_its_note_in_the_history(phone, api):
    """Issue 14: a new visit note used to overwrite the last; the visit screen now lists the notes of
    earlier visits, newest first, with who left them."""
    page = phone
    leader = api("leader")
    household = leader.get("/api/v1/households", limit=20)["items"][7]
    sign_in(page, "leader")
    for note in ("Lần 1: hộ chưa có điện thoại thông minh", "Lần 2: đã hướng dẫn cài VNeID"):
        page.goto(f"/households/{household['id']}")
        page.get_by_role("textbox", name="Ghi chú", exact=True).fill(note)
        page.get_by_test_id("save-visit").click()
        page.get_by_text("Đã lưu").first.wait_for()
    page.goto(f"/households/{household['id']}")
    notes = page.get_by_test_id("visit-notes").locator("li")
    expect(notes).to_have_count(2)
    expect(notes.first).to_contain_text("Lần 2: đã hướng dẫn cài VNeID")
    expect(notes.nth(1)).to_contain_text("Lần 1: hộ chưa có điện thoại thông minh")
    shot(page, "leader-visit-notes")
