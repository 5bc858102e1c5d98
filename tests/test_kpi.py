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
    assert rows[0]["value"] == pytest.approx(51.5, abs=0.1)  # mean attainment of nine targets
    assert rows[1]["value"] == pytest.approx(33.33, abs=0.01)  # six with data


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
        ("2026-02", date(2026, 2, 28)),
        ("2028-02", date(2028, 2, 29)),
        ("2026-07", date(2026, 7, 30)),
        ("2026-Q1", date(2026, 3, 15)),
        ("2026-Q4", date(2026, 12, 15)),
    ],
)
def test_due_dates(code, due):
    assert parse_period(code).due_on == due


def test_late_is_judged_in_vietnam_time():
    period = parse_period("2026-06")
    assert not period.is_late(datetime(2026, 6, 30, 16, 59, tzinfo=UTC))  # 23:59 on the 30th in Hà Nội
    assert period.is_late(datetime(2026, 6, 30, 17, 0, tzinfo=UTC))  # 00:00 on 1 July


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
