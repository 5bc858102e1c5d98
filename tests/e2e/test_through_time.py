"""Numbers through time on the demo (issue 19), as a commune officer on a phone at 360×640 in
Vietnam's time zone: last month's figures are last month's, not today's, and the Dashboard's trend
shows the year changing month by month, as the server reads it."""

from datetime import timedelta

from tests.e2e.conftest import shot, sign_in
from tests.e2e.test_weeks import home, no_horizontal_scroll, vn_today

TREND = ["households_informed_pct", "adults_smartphone_pct", "adults_digital_skills_pct", "adults_epay_pct",
         "members_trained_pct"]  # fmt: skip


def test_the_demo_s_past_months_differ_and_the_trend_shows_them(browser, server, api):
    commune = api("commune")
    unit_id = home(commune)
    today = vn_today()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

    def figures(period):
        body = commune.get("/api/v1/kpi", unit_id=unit_id, period=period)
        return {i["code"]: (i["numerator"], i["denominator"]) for i in body["indicators"]}

    now, before = figures(today.strftime("%Y-%m")), figures(last_month)
    assert now["households_informed_pct"] != before["households_informed_pct"]  # the demo has a past
    months = commune.get("/api/v1/kpi/trend", unit_id=unit_id, year=today.year)["months"]
    values = [
        tuple(next(i["value"] for i in m["indicators"] if i["code"] == c) for c in TREND) for m in months
    ]
    assert len(set(values)) > 1  # not a flat line

    context = browser.new_context(
        viewport={"width": 360, "height": 640},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        base_url=server,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, "commune")
        page.goto("/dashboard")
        page.get_by_text("Xem bảng số liệu").first.click()
        table = page.get_by_test_id("trend")
        table.locator("tbody tr").first.wait_for()
        rows = table.locator("tbody tr")
        assert rows.count() == len(months) == today.month
        shown = [rows.nth(n).locator("td").all_inner_texts()[: len(TREND)] for n in range(rows.count())]
        # The screen changes where the server's months change, and only there.
        for n in range(1, len(months)):
            assert (shown[n] != shown[n - 1]) == (values[n] != values[n - 1]), (n, shown[n - 1], shown[n])
        assert shown[0] != shown[-1]
        shot(page, "commune-trend-through-time")
        no_horizontal_scroll(page)
    finally:
        context.close()
