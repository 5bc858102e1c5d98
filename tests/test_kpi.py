"""Indicators on hand-built data with known answers, roll-up over three levels, targets, periods."""

from datetime import UTC, date, datetime

import pytest

from app.authz.permissions import Role
from app.kpi import aggregates, targets
from app.kpi.periods import parse_period
from app.models import Activity, Member, Team, Training, TrainingAttendance
from tests.world import ROLES, make_household


def by_code(body):
    return {i["code"]: i for i in body["indicators"]}


async def kpi(client, world, unit, period="2026-06", role=Role.admin):
    response = await client.get(
        "/api/v1/kpi", params={"unit_id": str(unit.id), "period": period}, headers=world.auth(role)
    )
    assert response.status_code == 200, response.text
    return by_code(response.json())


JANUARY = datetime(2026, 1, 5, 3, tzinfo=UTC)


@pytest.fixture
async def data(world, session):
    """v11: 2 households (one informed, 3 adults of 5 people, 2 smartphones); v12: 1 household,
    a business paying cashless, needing help with a member assigned; v21: 1 household, informed. The
    team, its members and the households were recorded in January."""
    team = Team(unit_id=world.v11.id, name="Tổ CNSCĐ Thôn Đình", created_at=JANUARY)
    session.add(team)
    await session.flush()
    members = [
        Member(
            team_id=team.id, unit_id=world.v11.id, full_name=f"TV {i}", position="member", created_at=JANUARY
        )
        for i in range(4)
    ]
    session.add_all(members)
    await session.flush()
    training = Training(unit_id=world.v11.id, title="Tập huấn 2026", held_on=date(2026, 3, 1))
    session.add(training)
    await session.flush()
    session.add_all(TrainingAttendance(training_id=training.id, member_id=m.id) for m in members[:3])
    await make_household(
        session,
        world.v11,
        "A",
        created_at=JANUARY,
        members_count=3,
        adults_count=2,
        adults_smartphone=2,
        adults_vneid=1,
        informed=True,
    )
    await make_household(
        session,
        world.v11,
        "B",
        created_at=JANUARY,
        members_count=2,
        adults_count=1,
        adults_digital_skills=1,
        has_digital_member=True,
    )
    await make_household(
        session,
        world.v12,
        "C",
        created_at=JANUARY,
        members_count=4,
        adults_count=2,
        is_business=True,
        business_cashless=True,
        needs_assistance=True,
        assigned_member_id=members[0].id,
    )
    await make_household(
        session,
        world.v21,
        "D",
        members_count=1,
        adults_count=1,
        informed=True,
        adults_epay=1,
        created_at=JANUARY,
    )
    for unit, moment, kind, people, dossiers in (
        (world.v11, datetime(2026, 6, 10, 3, tzinfo=UTC), "digital_signature", 3, 0),
        (world.v11, datetime(2026, 6, 30, 18, tzinfo=UTC), "online_dossier", 2, 2),  # 1 July in Vietnam
        (world.v12, datetime(2026, 5, 2, tzinfo=UTC), "vneid_activation", 5, 0),
        (world.c1, datetime(2026, 6, 1, tzinfo=UTC), "communication", 10, 0),
    ):
        session.add(
            Activity(
                unit_id=unit.id, occurred_at=moment, kind=kind, people_count=people, dossier_count=dossiers
            )
        )
    await session.flush()
    await aggregates.rebuild(session)
    await session.commit()
    return {"team": team, "members": members}


async def test_village_indicators(client, world, data):
    got = await kpi(client, world, world.v11)
    assert (got["households_informed_pct"]["numerator"], got["households_informed_pct"]["denominator"]) == (
        1,
        2,
    )
    assert got["households_informed_pct"]["value"] == 50.0
    assert got["adults_smartphone_pct"]["value"] == pytest.approx(66.67)
    assert got["households_digital_pct"]["value"] == 50.0
    assert got["business_cashless_pct"]["value"] is None  # no business household: no data, not 0 or 100
    assert got["assistance_assigned_pct"]["value"] is None
    assert got["members_trained_pct"]["value"] == 75.0
    assert got["villages_with_team_pct"]["value"] == 100.0
    assert got["signatures_created"]["value"] == 3  # the dossier on 30 June 18:00 UTC is July in Vietnam
    assert got["people_supported"]["value"] == 3


async def test_roll_up_over_three_levels(client, world, data):
    commune = await kpi(client, world, world.c1)
    assert commune["households_informed_pct"]["denominator"] == 3
    assert commune["business_cashless_pct"]["value"] == 100.0
    assert commune["assistance_assigned_pct"]["value"] == 100.0
    assert commune["people_supported"]["value"] == 13  # v11 3 + the commune's own 10
    assert commune["villages_with_team_pct"]["value"] == 50.0
    province = await kpi(client, world, world.p)
    assert province["households_informed_pct"]["numerator"] == 2
    assert province["households_informed_pct"]["denominator"] == 4
    assert province["adults_epay_pct"]["value"] == pytest.approx(100 / 6, abs=0.01)
    assert province["villages_with_team_pct"]["value"] == pytest.approx(33.33)


@pytest.mark.parametrize(
    "period,people,dossiers",
    [
        ("2026-06", 13, 0),
        ("2026-07", 2, 2),
        ("2026-05", 5, 0),
        ("2026-Q2", 18, 0),
        ("2026-Q3", 2, 2),
        ("2026", 20, 2),
    ],
)
async def test_flow_indicators_sum_over_the_period(client, world, data, period, people, dossiers):
    got = await kpi(client, world, world.c1, period)
    assert got["people_supported"]["value"] == people
    assert got["online_dossiers"]["value"] == dossiers


async def test_empty_unit_has_no_data(client, world, data):
    got = await kpi(client, world, world.v31)
    assert all(got[c]["value"] is None for c in got if c.endswith("_pct") and c != "villages_with_team_pct")
    assert got["villages_with_team_pct"]["value"] == 0.0  # a village without a team: known, and 0
    assert got["people_supported"]["value"] == 0


async def test_targets_are_inherited_and_marked(client, world, data):
    admin = world.auth(Role.admin)
    for unit, value in ((world.p, 80.0), (world.c1, 40.0)):
        body = {"unit_id": str(unit.id), "year": 2026, "indicator": "households_informed_pct", "value": value}
        assert (await client.post("/api/v1/targets", json=body, headers=admin)).status_code == 201
    effective = await client.get(
        "/api/v1/targets", params={"unit_id": str(world.v11.id), "year": 2026}, headers=admin
    )
    [item] = effective.json()["items"]
    assert item["value"] == 40.0 and item["inherited"] is True and item["unit_id"] == str(world.c1.id)
    assert (await kpi(client, world, world.v11))["households_informed_pct"]["met"] is True  # 50 ≥ 40
    assert (await kpi(client, world, world.v21))["households_informed_pct"]["target"] == 80.0  # from p
    assert (await kpi(client, world, world.v31))["households_informed_pct"]["target"] is None
    assert (await kpi(client, world, world.v11, "2027"))["households_informed_pct"]["target"] is None


async def test_percentage_targets_are_at_most_100(client, world):
    body = {"unit_id": str(world.p.id), "year": 2026, "indicator": "adults_epay_pct", "value": 150}
    assert (
        await client.post("/api/v1/targets", json=body, headers=world.auth(Role.admin))
    ).status_code == 422


@pytest.mark.parametrize("role", ROLES)
async def test_kpi_as_each_role(client, world, data, role):
    response = await client.get(
        "/api/v1/kpi", params={"unit_id": str(world.c1.id), "period": "2026"}, headers=world.auth(role)
    )
    expected = 404 if role in (Role.team_leader, Role.team_member) else 200  # c1 is above a village team
    assert response.status_code == expected
    outside = await client.get(
        "/api/v1/kpi", params={"unit_id": str(world.c3.id), "period": "2026"}, headers=world.auth(role)
    )
    assert outside.status_code == (200 if role is Role.admin else 404)


async def test_breakdown_ranks_children(client, world, data, session):
    response = await client.get(
        "/api/v1/kpi/breakdown",
        params={"unit_id": str(world.c1.id), "period": "2026-06", "indicator": "households_informed_pct"},
        headers=world.auth(Role.commune_officer),
    )
    rows = response.json()["rows"]
    assert [(r["name"], r["value"], r["rank"]) for r in rows] == [
        ("Thôn Đình", 50.0, 1),
        ("Thôn Chùa", 0.0, 2),
    ]
    await targets.load_plan_targets(session, world.p, 2026)
    await session.commit()
    score = await client.get(
        "/api/v1/kpi/breakdown",
        params={"unit_id": str(world.p.id), "period": "2026", "indicator": "composite_score"},
        headers=world.auth(Role.province_officer),
    )
    rows = score.json()["rows"]
    assert [(r["name"], r["rank"]) for r in rows] == [("Xã Đông Hòa", 1), ("Xã Tây Sơn", 2)]
    assert rows[0]["value"] == pytest.approx(50.08, abs=0.01), rows  # mean attainment of ten targets
    assert rows[1]["value"] == pytest.approx(28.57, abs=0.01)  # seven with data


@pytest.mark.parametrize("period", ["2026-13", "26-06", "2026-Q5", "1999", "2026-6", "x"])
async def test_bad_periods_are_422(client, world, period):
    response = await client.get(
        "/api/v1/kpi", params={"unit_id": str(world.p.id), "period": period}, headers=world.auth(Role.admin)
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "code,due",
    [
        ("2026-06", date(2026, 6, 30)),
        ("2026-02", date(2026, 3, 1)),  # February has no 30th: before it ends
        ("2028-02", date(2028, 3, 1)),
        ("2026-07", date(2026, 7, 30)),
        ("2026-Q1", date(2026, 3, 15)),
        ("2026-Q4", date(2026, 12, 15)),
    ],
)
def test_due_dates(code, due):
    """`due_on` is the day the plans say a report is due before (plan 002: "trước ngày 30 hằng tháng",
    "trước ngày 15 của tháng cuối quý")."""
    assert parse_period(code).due_on == due


def test_a_report_sent_on_the_30th_is_late():
    """ "Trước ngày 30": the 29th is on time, the 30th is late (issue 19 item 5; it was on time)."""
    period = parse_period("2026-06")
    assert not period.is_late(datetime(2026, 6, 29, 16, 59, tzinfo=UTC))  # 23:59 on the 29th in Hà Nội
    assert period.is_late(datetime(2026, 6, 29, 17, 0, tzinfo=UTC))  # 00:00 on the 30th
    assert period.is_late(datetime(2026, 6, 30, 9, 0, tzinfo=UTC))
    quarter = parse_period("2026-Q2")
    assert not quarter.is_late(datetime(2026, 6, 14, 9, 0, tzinfo=UTC))
    assert quarter.is_late(datetime(2026, 6, 15, 9, 0, tzinfo=UTC))
    february = parse_period("2026-02")
    assert not february.is_late(datetime(2026, 2, 28, 9, 0, tzinfo=UTC))
    assert february.is_late(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    "rule,code,due",
    [
        ({"monthly_day": 25}, "2026-06", date(2026, 6, 25)),
        ({"monthly_day": 5, "monthly_month": "next"}, "2026-12", date(2027, 1, 5)),
        ({"monthly_day": 31}, "2026-06", date(2026, 7, 1)),  # a 30-day month: before it ends
        ({"quarterly_day": 10, "quarterly_month": "next"}, "2026-Q4", date(2027, 1, 10)),
        ({"quarterly_day": 20}, "2026-Q2", date(2026, 6, 20)),
        ({"quarterly_day": 20}, "2026", date(2026, 12, 20)),  # a year's report: its last quarter's
    ],
)
def test_deadline_rules(rule, code, due):
    from app.kpi.periods import Deadlines

    assert Deadlines(**rule).due_on(parse_period(code)) == due


async def test_a_member_who_leaves_today_in_vietnam_is_no_longer_counted(world, session):
    """Dates are Vietnam's: between 17:00 and 24:00 UTC Vietnam is a day ahead of the machine's UTC
    date, and a member leaving today (Vietnam) was still counted as active by both the aggregates
    and their full-scan check."""
    from app.kpi import engine
    from app.kpi.periods import local_today

    team = Team(unit_id=world.v11.id, name="Tổ CNSCĐ")
    session.add(team)
    await session.flush()
    session.add_all(
        [
            Member(team_id=team.id, unit_id=world.v11.id, full_name="Ở lại", position="member"),
            Member(
                team_id=team.id,
                unit_id=world.v11.id,
                full_name="Rời đi",
                position="member",
                left_on=local_today(),
            ),
        ]
    )
    await session.flush()
    this_month = local_today().replace(day=1)
    assert await aggregates.count_members(session, [world.v11.id]) == {(world.v11.id, 0, this_month): 1}
    period = parse_period(local_today().strftime("%Y-%m"))
    assert (await engine.naive_sums(session, world.v11, period))["members_active"] == 1


async def set_target(client, world, unit, indicator, value, period=None, role=Role.admin, year=2026):
    body = {"unit_id": str(unit.id), "year": year, "indicator": indicator, "value": value}
    if period is not None:
        body["period"] = period
    return await client.post("/api/v1/targets", json=body, headers=world.auth(role))


async def test_a_count_target_is_not_inherited(client, world, data):
    """Issue 19 item 4: a commune's yearly target of people supported is the commune's total, not
    every village's (it appeared on every village)."""
    assert (await set_target(client, world, world.c1, "people_supported", 500)).status_code == 201
    assert (await set_target(client, world, world.c1, "households_informed_pct", 40)).status_code == 201
    village = await kpi(client, world, world.v11, "2026")
    assert village["people_supported"]["target"] is None and village["people_supported"]["met"] is None
    assert village["people_supported"]["target_basis"] is None
    assert village["households_informed_pct"]["target"] == 40.0  # a rate still inherits
    assert village["households_informed_pct"]["target_basis"] == "year"
    commune = await kpi(client, world, world.c1, "2026")
    assert (commune["people_supported"]["target"], commune["people_supported"]["target_basis"]) == (
        500.0,
        "year",
    )
    assert commune["people_supported"]["met"] is False  # 20 of 500
    listed = await client.get(
        "/api/v1/targets", params={"unit_id": str(world.v11.id), "year": 2026}, headers=world.auth(Role.admin)
    )
    assert [i["indicator"] for i in listed.json()["items"]] == ["households_informed_pct"]


async def test_a_month_is_compared_with_a_twelfth_of_the_year(client, world, data):
    """The bug: a month's figure was compared with the whole year's target."""
    assert (await set_target(client, world, world.c1, "people_supported", 120)).status_code == 201
    june = (await kpi(client, world, world.c1, "2026-06"))["people_supported"]
    assert (june["value"], june["target"], june["target_basis"], june["met"]) == (
        13.0,
        10.0,
        "month_share",
        True,
    )
    may = (await kpi(client, world, world.c1, "2026-05"))["people_supported"]
    assert (may["value"], may["target"], may["met"]) == (5.0, 10.0, False)
    quarter = (await kpi(client, world, world.c1, "2026-Q2"))["people_supported"]
    assert (quarter["value"], quarter["target"], quarter["target_basis"]) == (18.0, 30.0, "quarter_share")
    year = (await kpi(client, world, world.c1, "2026"))["people_supported"]
    assert (year["target"], year["target_basis"]) == (120.0, "year")


async def test_a_month_or_quarter_target_overrides_the_share(client, world, data):
    for period, value in ((None, 120), ("2026-06", 20), ("2026-Q3", 9)):
        assert (
            await set_target(client, world, world.c1, "people_supported", value, period)
        ).status_code == 201
    june = (await kpi(client, world, world.c1, "2026-06"))["people_supported"]
    assert (june["target"], june["target_basis"], june["met"]) == (20.0, "month", False)  # 13 < 20
    may = (await kpi(client, world, world.c1, "2026-05"))["people_supported"]
    assert (may["target"], may["target_basis"]) == (10.0, "month_share")
    july = (await kpi(client, world, world.c1, "2026-07"))["people_supported"]
    assert (july["target"], july["target_basis"]) == (3.0, "quarter_month_share")  # a third of Q3's
    q3 = (await kpi(client, world, world.c1, "2026-Q3"))["people_supported"]
    assert (q3["target"], q3["target_basis"], q3["met"]) == (9.0, "quarter", False)
    # Period targets are the unit's own too: a village sees none of them.
    assert (await kpi(client, world, world.v11, "2026-06"))["people_supported"]["target"] is None


async def test_year_to_date_is_shown_beside_a_count(client, world, data):
    assert (await set_target(client, world, world.c1, "people_supported", 120)).status_code == 201
    june = (await kpi(client, world, world.c1, "2026-06"))["people_supported"]
    assert (june["ytd_value"], june["year_target"]) == (18.0, 120.0)  # May's 5 and June's 13
    july = (await kpi(client, world, world.c1, "2026-07"))["people_supported"]
    assert (july["ytd_value"], july["year_target"]) == (20.0, 120.0)
    dossiers = (await kpi(client, world, world.c1, "2026-07"))["online_dossiers"]
    assert (dossiers["ytd_value"], dossiers["year_target"]) == (2.0, None)
    rate = (await kpi(client, world, world.c1, "2026-07"))["households_informed_pct"]
    assert (rate["ytd_value"], rate["year_target"]) == (None, None)
    rows = (
        await client.get(
            "/api/v1/kpi/breakdown",
            params={"unit_id": str(world.p.id), "period": "2026-06", "indicator": "people_supported"},
            headers=world.auth(Role.admin),
        )
    ).json()["rows"]
    commune = next(r for r in rows if r["unit_id"] == str(world.c1.id))
    assert (commune["value"], commune["target"], commune["target_basis"], commune["ytd_value"]) == (
        13.0,
        10.0,
        "month_share",
        18.0,
    )


@pytest.mark.parametrize(
    "indicator,period,value,status",
    [
        ("people_supported", "2026-06", 40, 201),
        ("people_supported", "2026-Q2", 100, 201),
        ("people_supported", "2027-06", 40, 422),  # not in the target's year
        ("people_supported", "2026", 40, 422),  # the year is `period: null`
        ("people_supported", "2026-13", 40, 422),
        ("households_informed_pct", "2026-06", 40, 422),  # a rate is the year's
    ],
)
async def test_period_targets_are_checked(client, world, indicator, period, value, status):
    response = await set_target(client, world, world.c1, indicator, value, period)
    assert response.status_code == status, response.text
    if status == 201:
        assert response.json()["period"] == period
        again = await set_target(client, world, world.c1, indicator, value + 1, period)
        assert again.status_code == 409  # one target per unit, indicator and period


async def test_year_and_period_targets_are_listed_for_their_unit(client, world):
    for period, value in ((None, 1200), ("2026-06", 140), ("2026-Q3", 300)):
        assert (
            await set_target(client, world, world.c1, "people_supported", value, period)
        ).status_code == 201
    listed = await client.get(
        "/api/v1/targets", params={"unit_id": str(world.c1.id), "year": 2026}, headers=world.auth(Role.admin)
    )
    items = [(i["indicator"], i["period"], i["value"], i["inherited"]) for i in listed.json()["items"]]
    assert items == [
        ("people_supported", None, 1200.0, False),
        ("people_supported", "2026-06", 140.0, False),
        ("people_supported", "2026-Q3", 300.0, False),
    ]


async def test_the_two_new_indicators(client, world, session):
    """Issue 19 item 8: adults with an online-public-service account, and households with at least one
    adult with basic digital skills (seed 001's 90 %)."""
    for name, values in (
        ("A", {"members_count": 3, "adults_count": 2, "adults_dvc": 1, "adults_digital_skills": 1}),
        ("B", {"members_count": 2, "adults_count": 2, "adults_dvc": 2}),
        ("C", {"members_count": 1, "adults_count": 1, "adults_digital_skills": 1}),
        ("D", {"members_count": 1, "adults_count": 1}),
    ):
        await make_household(session, world.v11, name, created_at=JANUARY, **values)
    await aggregates.rebuild(session)
    await targets.load_plan_targets(session, world.p, 2026)
    await session.commit()
    got = await kpi(client, world, world.v11)
    assert (got["adults_dvc_pct"]["numerator"], got["adults_dvc_pct"]["denominator"]) == (3, 6)
    assert got["adults_dvc_pct"]["value"] == 50.0
    skills = got["households_skills_pct"]
    assert (skills["numerator"], skills["denominator"], skills["value"]) == (2, 4, 50.0)
    assert (skills["target"], skills["met"]) == (90.0, False)
    assert skills["name"] == "Hộ có ít nhất một người trưởng thành có kỹ năng số cơ bản"
    rows = (
        await client.get(
            "/api/v1/kpi/breakdown",
            params={"unit_id": str(world.c1.id), "period": "2026-06", "indicator": "adults_dvc_pct"},
            headers=world.auth(Role.admin),
        )
    ).json()["rows"]
    assert [(r["name"], r["value"]) for r in rows] == [("Thôn Đình", 50.0), ("Thôn Chùa", None)]


async def test_the_trend_of_a_year_in_one_request(client, world, data):
    """Each month of the year with the same indicator objects as GET /kpi; the months differ where the
    data do."""
    assert (await set_target(client, world, world.c1, "people_supported", 120)).status_code == 201
    response = await client.get(
        "/api/v1/kpi/trend",
        params={"unit_id": str(world.c1.id), "year": 2026},
        headers=world.auth(Role.commune_officer),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["year"] == 2026 and body["unit_id"] == str(world.c1.id)
    assert [m["period"] for m in body["months"]] == [f"2026-{m:02d}" for m in range(1, 13)]
    people = [by_code(m)["people_supported"] for m in body["months"]]
    assert [p["value"] for p in people] == [0, 0, 0, 0, 5, 13, 2, 0, 0, 0, 0, 0]
    assert [p["ytd_value"] for p in people][4:8] == [5, 18, 20, 20]
    assert people[5]["target"] == 10.0 and people[5]["target_basis"] == "month_share"
    june = await kpi(client, world, world.c1, "2026-06")
    assert by_code(body["months"][5]) == june  # the same objects as GET /kpi
    assert (
        body["months"][5]["composite_score"]
        == (
            await client.get(
                "/api/v1/kpi",
                params={"unit_id": str(world.c1.id), "period": "2026-06"},
                headers=world.auth(Role.admin),
            )
        ).json()["composite_score"]
    )


async def test_the_trend_is_scoped_and_reaches_the_country(client, world, data):
    from app.authz.scope import COUNTRY_ID

    async def trend(unit_id, role, year=2026):
        params = {"unit_id": str(unit_id), "year": year}
        return await client.get("/api/v1/kpi/trend", params=params, headers=world.auth(role))

    assert (await trend(world.c3.id, Role.viewer)).status_code == 404
    country = await trend(COUNTRY_ID, Role.admin)
    assert country.status_code == 200, country.text
    assert country.json()["unit_id"] == str(COUNTRY_ID) and country.json()["unit_name"] == "Cả nước"
    assert by_code(country.json()["months"][5])["people_supported"]["value"] == 13
    assert (await trend(COUNTRY_ID, Role.province_officer)).status_code == 404  # above its area
    province = await trend(world.p.id, Role.province_officer)
    assert [by_code(m)["people_supported"]["value"] for m in province.json()["months"]][4:7] == [5, 13, 2]
    future = await trend(world.p.id, Role.admin, 2100)
    assert future.status_code == 200 and future.json()["months"] == []
