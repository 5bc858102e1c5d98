"""Issue 19, points 6 and 7, at 360×640 as the demo users, checked against the server behind the app's
back: a campaign's goals set on the campaign screen and shown as progress bars (a leader's village
beside the total), and an award's cut-off note with the units without data listed apart."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in


def vn_today():
    return (datetime.now(UTC) + timedelta(hours=7)).date()


def dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def number(value: float) -> str:
    """A count as the app shows it (vi-VN: 2.000)."""
    return f"{value:,.0f}".replace(",", ".")


def percent(value: float | None) -> str:
    return (
        "Chưa có số liệu"
        if value is None
        else f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",") + "\u00a0%"
    )


def test_a_commune_officer_sets_goals_and_sees_them_as_progress_bars(phone, api):
    page = phone
    commune = api("commune")
    sign_in(page, "commune")
    page.goto("/campaigns")
    page.get_by_role("button", name="+ Thêm chiến dịch").click()
    form = page.locator("form")
    form.get_by_label("Tên").fill("Chữ ký số E2E")
    form.get_by_label("Đến ngày").fill((vn_today() + timedelta(days=20)).isoformat())
    goals = form.get_by_role("group", name="Mục tiêu")
    goals.get_by_role("button", name="+ Thêm mục tiêu").click()
    goals.get_by_label("Chỉ tiêu").select_option(label="Người trưởng thành có chữ ký số")
    goals.get_by_label("Con số mục tiêu (%)").fill("101")
    goals.get_by_role("button", name="+ Thêm mục tiêu").click()
    goals.get_by_label("Chỉ tiêu").nth(1).select_option(label="Lượt hỗ trợ")
    goals.get_by_label("Con số mục tiêu").nth(1).fill("200")
    form.get_by_role("button", name="Lưu").click()
    expect(goals.get_by_role("alert")).to_have_text("Mục tiêu là số nguyên từ 0 trở lên (tỉ lệ tối đa 100).")
    goals.get_by_label("Con số mục tiêu (%)").fill("80")
    shot(page, "commune-campaign-goals-form")
    form.get_by_role("button", name="Lưu").click()

    card = page.locator("section.card", has_text="Chữ ký số E2E")
    bars = card.get_by_test_id("campaign-progress")
    bars.wait_for()
    (saved,) = [
        c for c in commune.get("/api/v1/campaigns", limit=100)["items"] if c["name"] == "Chữ ký số E2E"
    ]
    assert saved["goals"] == {"adults_signature_pct": 80, "activities": 200}
    progress = {g["indicator"]: g for g in commune.get(f"/api/v1/campaigns/{saved['id']}/progress")["goals"]}
    signature = progress["adults_signature_pct"]
    expect(bars.get_by_role("progressbar")).to_have_count(2)
    expect(
        bars.get_by_role("progressbar", name=re.compile("^Người trưởng thành có chữ ký số:"))
    ).to_have_attribute(
        "aria-label", f"Người trưởng thành có chữ ký số: {percent(signature['achieved'])} / 80\u00a0%"
    )
    expect(bars.locator("li[data-goal=activities] .bar-label")).to_have_text("Lượt hỗ trợ0 / 200")
    shot(page, "commune-campaign-progress")

    # Editing the campaign changes its goals (one removed, one changed).
    card.get_by_role("button", name="Sửa chiến dịch: Chữ ký số E2E").click()
    edit = card.locator("form")
    edit.get_by_role("button", name="Bỏ mục tiêu: Lượt hỗ trợ").click()
    edit.get_by_label("Con số mục tiêu (%)").fill("90")
    edit.get_by_role("button", name="Lưu").click()
    expect(card.get_by_test_id("campaign-progress").get_by_role("progressbar")).to_have_count(1)
    assert commune.get(f"/api/v1/campaigns/{saved['id']}")["goals"] == {"adults_signature_pct": 90}
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_leader_sees_the_province_drive_and_their_villages_part(phone, api):
    page = phone
    leader = api("leader")
    village = next(r["unit_id"] for r in leader.me["roles"] if r["role"] == "team_leader")
    campaigns = leader.get("/api/v1/campaigns", limit=100)["items"]
    (drive,) = [c for c in campaigns if c["name"] == "Chữ ký số công cộng trên VNeID"]
    (goal,) = leader.get(f"/api/v1/campaigns/{drive['id']}/progress")["goals"]
    (part,) = goal["parts"]
    assert goal["indicator"] == "signatures_created" and part["unit_id"] == village
    assert 0 < part["achieved"] <= goal["achieved"]

    sign_in(page, "leader")
    page.goto("/campaigns")
    card = page.locator("section.card", has_text="Chữ ký số công cộng trên VNeID")
    bars = card.get_by_test_id("campaign-progress")
    bars.wait_for()
    bar = bars.get_by_role("progressbar", name=re.compile("^Chữ ký số được tạo:"))
    expect(bar).to_have_attribute(
        "aria-label", f"Chữ ký số được tạo: {number(goal['achieved'])} / {number(goal['goal'])}"
    )
    expect(bar).to_have_attribute(
        "aria-valuenow", str(round(min(100, 100 * goal["achieved"] / goal["goal"])))
    )
    expect(bars.get_by_test_id("goal-part")).to_have_text(
        f"Phần của {part['name']}: {number(part['achieved'])}"
    )
    shot(page, "leader-campaign-progress")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_award_before_its_cutoff_says_when_it_counts_to_and_lists_units_without_data_apart(phone, api):
    """A province ranks its communes: only the communes with data are ranked; before the cut-off the
    screen says the ranking counts up to the end of the cut-off day and is not final until then."""
    page = phone
    province = api("province")
    home = next(r["unit_id"] for r in province.me["roles"] if r["role"] == "province_officer")
    cutoff = vn_today() + timedelta(days=20)
    body = {
        "unit_id": home,
        "title": "Khen thưởng xã E2E",
        "period": str(cutoff.year),
        "cutoff_on": cutoff.isoformat(),
    }
    created = province.http.post("/api/v1/awards", json=body)
    assert created.status_code == 201, created.text
    award = province.get(f"/api/v1/awards/{created.json()['id']}")
    assert award["cutoff_passed"] is False and len(award["ranking"]) >= 1 and len(award["no_data"]) >= 1
    assert all(row["rank"] is None for row in award["no_data"])

    sign_in(page, "province")
    page.goto("/awards")
    page.get_by_label("Đợt khen thưởng").select_option(value=award["id"])
    shown = page.get_by_test_id("award")
    expect(shown.get_by_role("heading", name="Khen thưởng xã E2E")).to_be_visible()
    note = shown.get_by_test_id("award-cutoff-note")
    expect(note).to_contain_text(f"Bảng xếp hạng tính đến hết ngày {dmy(award['as_of'])}.")
    until = cutoff.strftime("%d/%m/%Y")
    expect(note).to_contain_text(
        f"Chưa phải kết quả cuối cùng: số liệu còn thay đổi cho đến hết ngày chốt {until}."
    )
    expect(shown.get_by_role("button", name="Chốt xếp hạng")).to_be_disabled()
    # Only the communes with data are in the ranking; the others are listed apart, unnumbered.
    rows = shown.get_by_test_id("award-ranking").locator("tbody tr")
    expect(rows).to_have_count(len(award["ranking"]))
    expect(rows.first.locator("td").first).to_have_text("1")
    apart = shown.get_by_test_id("award-no-data")
    expect(apart.locator("summary")).to_have_text(
        f"Chưa có số liệu, không xếp hạng ({len(award['no_data'])})"
    )
    apart.locator("summary").click()
    expect(apart.locator("li")).to_have_count(len(award["no_data"]))
    expect(apart.locator("li").first).to_contain_text(award["no_data"][0]["name"])
    shot(page, "province-award-cutoff-note")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
