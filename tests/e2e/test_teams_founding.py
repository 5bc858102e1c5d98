"""A team founded by its decision, members' duties and results, the province's directory and the
police's VNeID figures, at 360×640 on the demo (issue 20, items 1, 2 and 6)."""

from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS, painted, sign_in


def view(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_commune_founds_a_team_by_decision_and_reads_the_hints(phone, api):
    page = phone
    sign_in(page, "commune")
    page.goto("/team")
    page.get_by_test_id("villages-without-team").wait_for()
    assert "Thôn nào cũng đã có Tổ." in page.get_by_test_id("villages-without-team").inner_text()
    page.get_by_role("button", name="+ Lập Tổ mới").click()
    page.get_by_label("Tên", exact=True).fill("Tổ Công nghệ số cộng đồng xã Ngọc Hồi")
    page.get_by_label("Nhóm Zalo").fill("https://zalo.me/g/ngochoi")
    page.get_by_label("Quy chế hoạt động").fill("Họp tổ mỗi tháng một lần.")
    page.get_by_role("button", name="Lưu").click()
    decisions = page.get_by_test_id("team-decisions")
    decisions.get_by_text("Chưa ghi quyết định nào.").wait_for()
    hints = page.get_by_test_id("team-hints")
    hints.get_by_text("Tổ chưa có tổ trưởng.").wait_for()
    assert "Dưới 5 thành viên" in hints.inner_text() and "Dưới 40 tuổi" in hints.inner_text()

    decisions.get_by_role("button", name="+ Ghi quyết định").click()
    page.get_by_label("Số quyết định", exact=True).fill("1067/QĐ-UBND")
    page.get_by_label("Ngày ký").fill("2025-10-09")
    page.get_by_label("Người ký").fill("Chủ tịch UBND xã")
    page.get_by_role("button", name="Lưu").click()
    decisions.get_by_text("Thành lập: Quyết định số 1067/QĐ-UBND").wait_for()
    assert "09/10/2025" in decisions.inner_text()
    no_horizontal_scroll(page)
    view(page, "team-founded-by-decision")

    commune = api("commune")
    team = next(
        t
        for t in commune.get("/api/v1/teams", limit=200)["items"]
        if t["name"] == "Tổ Công nghệ số cộng đồng xã Ngọc Hồi"
    )
    assert (team["decision_no"], team["decision_date"], team["zalo_url"]) == (
        "1067/QĐ-UBND", "2025-10-09", "https://zalo.me/g/ngochoi"
    )  # fmt: skip


def test_a_roster_read_overtaken_by_a_later_one_does_not_hide_the_new_member(phone, api):
    """The team screen reads the roster again on each local change: once when a new member is queued,
    before it is sent, and again once it is sent. When the first read answered last, its roster
    without the member replaced the later one, and the member just added vanished."""
    page = phone
    name = "Đỗ Văn Đến Sau"
    sign_in(page, "leader")
    page.goto("/team")
    page.get_by_role("button", name="+ Thêm thành viên").click()

    first, stale, held = [], [], []

    def roster(route):  # the first read after Save: answered before the member exists, delivered later
        if first:
            return route.continue_()
        first.append(route)  # before fetching: another read may come in meanwhile
        stale.append((route, route.fetch()))
        for sending in held:
            sending.continue_()

    def send(route):  # the member's POST waits for that first read's answer
        if stale:
            return route.continue_()
        held.append(route)

    # The screen's roster, not the village's sync (its change feed: `updated_since`, `cursor`).
    listed = lambda url: "/api/v1/members?" in url and "updated_since" not in url and "cursor" not in url  # noqa: E731
    page.route(listed, roster)
    page.route(lambda url: url.endswith("/api/v1/members"), send)
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_role("button", name="Lưu").click()
    member = page.get_by_role("list").get_by_text(name)
    member.wait_for()
    page.get_by_text("Đã lưu và gửi lên máy chủ.").wait_for()
    assert len(stale) == 1

    route, answer = stale[0]
    with page.expect_response(lambda r: r.request.method == "GET" and listed(r.url)):
        route.fulfill(response=answer)
    painted(page)
    expect(member).to_be_visible()

    leader = api("leader")  # the team as the other tests know it
    (added,) = [m for m in leader.get("/api/v1/members", limit=500)["items"] if m["full_name"] == name]
    gone = leader.http.delete(f"/api/v1/members/{added['id']}", headers={"If-Match": f'"{added["version"]}"'})
    assert gone.status_code == 204, gone.text


def test_a_leader_sees_results_per_member_and_a_member_sees_my_work(phone, browser, server):
    page = phone
    sign_in(page, "leader")
    page.goto("/team")
    results = page.get_by_test_id("member-results")
    results.wait_for()
    assert "Lê Thị Hoa" in results.inner_text()
    page.get_by_test_id("team-decisions").get_by_text("Thành lập: Quyết định số").first.wait_for()
    no_horizontal_scroll(page)
    view(page, "team-leader-results")

    member = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, base_url=server)
    other = member.new_page()
    sign_in(other, "member")
    other.goto("/team")
    work = other.get_by_test_id("my-work")
    work.wait_for()
    text = work.inner_text()
    assert (
        "Thôn phụ trách: Thôn Ngọc Hồi" in text and "Hộ tôi phụ trách" in text and "Kết quả của tôi" in text
    )
    no_horizontal_scroll(other)
    view(other, "team-my-work")
    member.close()


def test_the_province_sees_the_directory_of_teams_with_their_zalo_groups(phone):
    page = phone
    sign_in(page, "province")
    page.goto("/team")
    directory = page.get_by_test_id("team-directory")
    directory.wait_for()
    assert directory.get_by_role("link", name="Nhóm Zalo").count() > 0
    no_horizontal_scroll(page)
    view(page, "team-directory")


def test_the_commune_makes_a_police_key_and_sees_the_vneid_figures_it_sent(phone, server, api):
    import httpx

    page = phone
    sign_in(page, "commune")
    page.goto("/admin")
    page.get_by_role("tab", name="Khóa API").click()
    page.get_by_role("button", name="+ Tạo khóa").click()
    page.get_by_label("Tên hệ thống dùng khóa").fill("Công an xã Ngọc Hồi")
    page.get_by_label("Chỉ cập nhật VNeID, chữ ký số (Công an xã)").check()
    page.get_by_role("button", name="Tạo", exact=True).click()
    secret = page.get_by_test_id("api-key-secret").locator("code.secret")
    secret.wait_for()
    raw = secret.inner_text().strip()
    assert raw.startswith("cnscd_")

    household = api("commune").household("Đồng Văn Khải Đức")
    police = httpx.Client(base_url=server, headers={"X-API-Key": raw}, timeout=30)
    changed = police.patch(f"/api/v1/households/{household['id']}", json={"adults_vneid": 2})
    assert changed.status_code == 200, changed.text
    assert police.patch(f"/api/v1/households/{household['id']}", json={"note": "x"}).status_code == 403

    page.reload()
    page.get_by_role("tab", name="Khóa API").click()
    updates = page.get_by_test_id("vneid-updates")
    updates.get_by_text("Công an xã Ngọc Hồi").wait_for()
    assert f"VNeID {household['adults_vneid']} → 2 ·" in updates.inner_text()
    no_horizontal_scroll(page)
    view(page, "vneid-from-police")
