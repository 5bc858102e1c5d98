"""Numbers true through time: a period's stock is the state at its end (Vietnam time), whenever it is
asked for; a fact counts from the moment it was observed (the phone's time of a visit); an older
observation that arrives late changes only its own months. On both databases, and with two writers
at once on PostgreSQL."""

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Role
from app.kpi import aggregates, engine, rollups
from app.kpi.periods import VIETNAM, local_today, next_month, window
from app.models import Household, HouseholdObservation
from app.models.kpi import HOUSEHOLD_COUNTERS, HouseholdStats
from tests.real_database import real_database
from tests.roster import make_member, make_team
from tests.world import build_world, make_household

URL = "/api/v1/households"


def month_start(months_back: int) -> date:
    """The first day of the month `months_back` months before this one (Vietnam)."""
    day = local_today().replace(day=1)
    for _ in range(months_back):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


def code(month: date) -> str:
    return f"{month.year}-{month.month:02d}"


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """`day` at `hour`:`minute` in Vietnam, as an RFC 3339 moment."""
    return datetime.combine(day, time(hour, minute), VIETNAM)


async def kpi(client, world, unit, period: str, role=Role.commune_officer) -> dict:
    response = await client.get(
        "/api/v1/kpi", params={"unit_id": str(unit.id), "period": period}, headers=world.auth(role)
    )
    assert response.status_code == 200, response.text
    return {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()["indicators"]}


async def create(client, world, observed_at: datetime | None = None, **values):
    body = {"unit_id": str(world.v11.id), "head_name": "Trần Văn Đức", "members_count": 3, "adults_count": 2}
    if observed_at is not None:
        body["observed_at"] = observed_at.isoformat()
    response = await client.post(URL, json=body | values, headers=world.auth(Role.commune_officer))
    assert response.status_code == 201, response.text
    return response.json()


async def visit(client, world, household_id, observed_at: datetime | None = None, **values):
    body = values | ({"observed_at": observed_at.isoformat()} if observed_at else {})
    response = await client.patch(f"{URL}/{household_id}", json=body, headers=world.auth(Role.team_member))
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_past_month_shows_its_stock_at_its_end_not_today_s(client, world):
    two_ago, one_ago, this = month_start(2), month_start(1), month_start(0)
    first = await create(client, world, moment(two_ago.replace(day=3)))
    await visit(client, world, first["id"], moment(one_ago.replace(day=3)), informed=True)
    await create(client, world)  # recorded now: not in any past month

    assert (await kpi(client, world, world.v11, code(month_start(3))))["households_informed_pct"] == (0, 0)
    assert (await kpi(client, world, world.v11, code(two_ago)))["households_informed_pct"] == (0, 1)
    assert (await kpi(client, world, world.v11, code(one_ago)))["households_informed_pct"] == (1, 1)
    assert (await kpi(client, world, world.v11, code(this)))["households_informed_pct"] == (1, 2)
    # The commune sees the same through its roll-up free path, the province through its roll-ups.
    assert (await kpi(client, world, world.c1, code(two_ago)))["households_informed_pct"] == (0, 1)
    assert (await kpi(client, world, world.p, code(one_ago), Role.province_officer))[
        "households_informed_pct"
    ] == (1, 1)


async def test_a_household_deleted_after_a_period_still_counts_in_it(client, world):
    one_ago = month_start(1)
    created = await create(client, world, moment(one_ago.replace(day=2)))
    deleted = await client.delete(f"{URL}/{created['id']}", headers=world.auth(Role.commune_officer))
    assert deleted.status_code == 204
    assert (await kpi(client, world, world.v11, code(one_ago)))["households_informed_pct"][1] == 1
    assert (await kpi(client, world, world.v11, code(month_start(0))))["households_informed_pct"][1] == 0


async def test_an_offline_visit_counts_in_the_month_it_was_made_in_vietnam(client, world):
    """Saved at 23:30 on the last day of last month in Vietnam (16:30 UTC), synced today."""
    one_ago = month_start(1)
    created = await create(client, world, moment(one_ago.replace(day=1), 8))
    last_day = month_start(0) - timedelta(days=1)
    await visit(client, world, created["id"], moment(last_day, 23, 30), adults_vneid=2)
    assert (await kpi(client, world, world.v11, code(one_ago)))["adults_vneid_pct"] == (2, 2)


async def test_an_older_observation_arriving_late_changes_only_its_own_months(client, world, session):
    three_ago, two_ago, one_ago = month_start(3), month_start(2), month_start(1)
    created = await create(client, world, moment(three_ago.replace(day=5)))
    newest = await visit(client, world, created["id"], adults_vneid=2)  # today
    late = await visit(client, world, created["id"], moment(two_ago.replace(day=5)), adults_vneid=1)

    assert late["adults_vneid"] == 2 == newest["adults_vneid"]  # the current state is the latest
    assert late["version"] == newest["version"] + 1  # and the late visit is recorded (audited)
    numerators = [
        (await kpi(client, world, world.v11, code(m)))["adults_vneid_pct"][0]
        for m in (three_ago, two_ago, one_ago, month_start(0))
    ]
    assert numerators == [0, 1, 1, 2]
    kept = await session.execute(
        select(
            HouseholdObservation.observed_at, HouseholdObservation.valid_to, HouseholdObservation.adults_vneid
        )
        .where(HouseholdObservation.household_id == uuid.UUID(late["id"]))
        .order_by(HouseholdObservation.observed_at)
    )
    kept = kept.all()
    assert [row.adults_vneid for row in kept] == [0, 1, 2]  # nothing lost, each at its own time
    assert [row.valid_to for row in kept[:-1]] == [row.observed_at for row in kept[1:]] and kept[
        -1
    ].valid_to is None


@pytest.mark.parametrize(
    ("shift", "message"),
    [(timedelta(minutes=30), "future"), (-timedelta(days=400), "year")],
)
async def test_an_observation_in_the_future_or_over_a_year_back_is_refused(client, world, shift, message):
    body = {
        "unit_id": str(world.v11.id),
        "head_name": "Trần Văn Đức",
        "observed_at": (datetime.now(UTC) + shift).isoformat(),
    }
    response = await client.post(URL, json=body, headers=world.auth(Role.commune_officer))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", "observed_at"] and message in error["msg"]


async def test_members_trained_count_from_their_training_not_the_whole_year(client, world, session):
    year = local_today().year
    team = await make_team(session, world.v11)
    member = await make_member(session, team, "Lê Thị Hoa", joined_on=date(year - 1, 6, 1))
    await session.commit()
    response = await client.post(
        "/api/v1/trainings",
        json={"unit_id": str(world.v11.id), "title": "Tập huấn VNeID", "held_on": f"{year}-03-10",
              "member_ids": [str(member.id)]},
        headers=world.auth(Role.commune_officer),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    assert (await kpi(client, world, world.v11, f"{year}-01"))["members_trained_pct"] == (0, 1)
    assert (await kpi(client, world, world.v11, f"{year}-03"))["members_trained_pct"] == (1, 1)
    assert (await kpi(client, world, world.v11, f"{year}-Q1"))["members_trained_pct"] == (1, 1)


async def test_a_span_ending_inside_a_month_counts_the_days_before_its_end(client, world, session):
    """An award's cut-off or an ad-hoc report: the stock at the end of its last day, exactly."""
    one_ago = month_start(1)
    await create(client, world, moment(one_ago.replace(day=6)), informed=True)
    for unit in (world.v11, world.c1, world.p):
        before = await engine.sums(session, unit, window(one_ago, one_ago.replace(day=6)))
        after = await engine.sums(session, unit, window(one_ago, one_ago.replace(day=7)))
        assert (before[None]["households"], after[None]["households_informed"]) == (0, 1), unit.name


async def test_a_span_inside_a_month_counts_the_events_of_its_days_only(client, world, session):
    one_ago = month_start(1)
    for day, people in ((3, 1), (10, 2), (21, 4)):
        body = {"unit_id": str(world.v11.id), "kind": "vneid_activation", "people_count": people,
                "occurred_at": moment(one_ago.replace(day=day)).isoformat()}  # fmt: skip
        response = await client.post(
            "/api/v1/activities", json=body, headers=world.auth(Role.commune_officer)
        )
        assert response.status_code == 201, response.text
    for unit in (world.v11, world.c1, world.p):
        sums = await engine.sums(session, unit, window(one_ago.replace(day=5), one_ago.replace(day=21)))
        assert sums[None]["people_supported"] == 2, unit.name


async def test_the_trend_reads_each_month_as_the_months_do(client, world, session):
    two_ago = month_start(2)
    created = await create(client, world, moment(two_ago.replace(day=3)))
    await visit(client, world, created["id"], moment(month_start(1).replace(day=3)), adults_vneid=1)
    months = [
        window(m, next_month(m), code(m)) for m in (month_start(3), two_ago, month_start(1), month_start(0))
    ]
    for unit in (world.v11, world.c1, world.p):
        assert await engine.trend(session, unit, months) == [
            (await engine.sums(session, unit, m)).get(None, {}) for m in months
        ]


async def _history_well_formed(session, household_id):
    rows = (
        (
            await session.execute(
                select(HouseholdObservation)
                .where(HouseholdObservation.household_id == household_id)
                .order_by(HouseholdObservation.observed_at)
            )
        )
        .scalars()
        .all()
    )
    assert [r.valid_to for r in rows[:-1]] == [r.observed_at for r in rows[1:]] and rows[-1].valid_to is None
    return rows


@pytest.mark.parametrize("late_first", [False, True])
async def test_two_writers_of_one_household_out_of_order_keep_every_observation(app, database, late_first):
    """Two phones at once, one of them back from days offline: whichever commits first, the history
    holds both at their own times, the current state is the newest, and the months equal a recount."""
    async with real_database(database, app) as (client, engine_):
        async with AsyncSession(engine_, expire_on_commit=False) as session:
            world = await build_world(session)
            household = await make_household(
                session, world.v11, created_at=datetime.now(UTC) - timedelta(days=90)
            )
            await session.commit()
        old = datetime.now(UTC) - timedelta(days=40)
        writes = [
            visit(client, world, household.id, None, adults_vneid=1),
            visit(client, world, household.id, old, adults_smartphone=1),
        ]
        if late_first:
            writes.reverse()
        await asyncio.gather(*writes)

        async with AsyncSession(engine_) as session:
            rows = await _history_well_formed(session, household.id)
            assert [(r.adults_vneid, r.adults_smartphone) for r in rows][0] == (0, 0)
            assert len(rows) == 3
            current = await session.get(Household, household.id)
            assert current.adults_vneid == 1  # the newest observation
            stats = {
                (r.unit_id, r.month): tuple(getattr(r, c) for c in HOUSEHOLD_COUNTERS)
                for r in await session.scalars(select(HouseholdStats))
            }
            assert {k: v for k, v in stats.items() if any(v)} == await aggregates.count_households(session)
            await rollups.fold(session)
            for unit in (world.v11, world.c1, world.p):
                for month in (month_start(2), month_start(1), month_start(0)):
                    period = window(month, next_month(month))
                    truth = await engine.naive_sums(session, unit, period)
                    sums = (await engine.sums(session, unit, period))[None]
                    assert {k: sums.get(k, 0) for k in HOUSEHOLD_COUNTERS} == {
                        k: truth[k] for k in HOUSEHOLD_COUNTERS
                    }


async def test_an_import_counts_from_when_its_facts_were_seen(client, world):
    one_ago = month_start(1)
    content = "Chủ hộ,Số nhân khẩu,Đã tuyên truyền\nNguyễn Văn An,3,x\nLê Thị Bình,2,\n".encode()
    response = await client.post(
        f"{URL}/import",
        params={"unit_id": str(world.v11.id), "observed_at": moment(one_ago.replace(day=20)).isoformat()},
        files={"file": ("ho.csv", content, "text/csv")},
        headers=world.auth(Role.commune_officer),
    )
    assert response.status_code == 201, response.text
    assert (await kpi(client, world, world.v11, code(month_start(2))))["households_informed_pct"] == (0, 0)
    assert (await kpi(client, world, world.v11, code(one_ago)))["households_informed_pct"] == (1, 2)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    refused = await client.post(
        f"{URL}/import",
        params={"unit_id": str(world.v11.id), "observed_at": future},
        files={"file": ("ho.csv", content, "text/csv")},
        headers=world.auth(Role.commune_officer),
    )
    assert refused.status_code == 422


async def test_a_village_has_a_team_from_its_decision_until_its_deletion(client, world, session):
    two_ago, one_ago = month_start(2), month_start(1)
    team = await make_team(session, world.v11, decision_date=one_ago.replace(day=9))
    await session.commit()
    officer = world.auth(Role.commune_officer)
    assert (await client.delete(f"/api/v1/teams/{team.id}", headers=officer)).status_code == 204
    with_team = [
        (await kpi(client, world, world.c1, code(m)))["villages_with_team_pct"]
        for m in (two_ago, one_ago, month_start(0))
    ]
    assert with_team == [(0, 2), (1, 2), (0, 2)]
    assert (await engine.sums(session, world.c1, window(one_ago, one_ago.replace(day=9))))[None][
        "villages_with_team"
    ] == 0  # the decision's day is the 9th: not yet on the 8th
