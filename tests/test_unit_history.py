"""The tree through time: renames, moves and mergers with effective dates, `as_of`, the units
change feed, scopes and KPIs across a merger, and reports frozen before a change."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.authz.permissions import Role
from app.kpi import aggregates, engine, rollups
from app.kpi.periods import parse_period
from app.models import Activity, HouseholdStats, Member, RoleAssignment, Team
from app.models.kpi import ActivityRollup, ActivityStats, HouseholdRollup, MemberStats
from tests.roster import make_member, make_team
from tests.world import PASSWORD, make_household, make_user

URL = "/api/v1/units"


def _kpi(body: dict, code: str) -> dict:
    return next(i for i in body["indicators"] if i["code"] == code)


async def _aggregates(session) -> dict:
    rows = {}
    for model in (HouseholdStats, ActivityStats, MemberStats, HouseholdRollup, ActivityRollup):
        for row in await session.scalars(select(model)):
            values = row.model_dump()
            rows[
                (
                    model.__name__,
                    *(str(values.pop(k)) for k in [c.name for c in model.__table__.primary_key.columns]),
                )
            ] = values
    return {k: v for k, v in rows.items() if any(v.values())}


async def _same_as_recount(session) -> None:
    """The aggregates kept by the change, and their roll-ups once the logged deltas are folded,
    equal a recount from the base tables."""
    await rollups.fold(session)
    kept = await _aggregates(session)
    await aggregates.rebuild(session)
    assert kept == await _aggregates(session)


async def _names(client, headers, **params) -> dict[str, dict]:
    response = await client.get(URL, params={"limit": 500, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {u["id"]: u for u in response.json()["items"]}


async def test_rename_keeps_the_previous_name_from_its_effective_date(client, world):
    headers = world.auth(Role.province_officer)
    url = f"{URL}/{world.v11.id}"
    renamed = await client.patch(
        url, json={"name": "Thôn Đình Mới", "code": "DINH-2", "effective_on": "2026-01-01"}, headers=headers
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["code"]) == ("Thôn Đình Mới", "DINH-2")

    history = (await client.get(f"{url}/history", headers=headers)).json()["items"]
    assert [(h["kind"], h["effective_on"], h["name_before"], h["name_after"]) for h in history] == [
        ("rename", "2026-01-01", "Thôn Đình", "Thôn Đình Mới")
    ]
    assert (history[0]["code_before"], history[0]["code_after"]) == (world.v11.code, "DINH-2")
    assert history[0]["recorded_by"] == "province.officer"

    before = await _names(client, headers, parent_id=str(world.c1.id), as_of="2025-12-31")
    after = await _names(client, headers, parent_id=str(world.c1.id), as_of="2026-01-01")
    assert (before[str(world.v11.id)]["name"], before[str(world.v11.id)]["code"]) == (
        "Thôn Đình",
        world.v11.code,
    )
    assert after[str(world.v11.id)]["name"] == "Thôn Đình Mới"
    found = await client.get(URL, params={"q": "dinh moi"}, headers=headers)
    assert [u["id"] for u in found.json()["items"]] == [str(world.v11.id)]


@pytest.mark.parametrize(
    "effective_on,status",
    [
        ((date.today() + timedelta(days=2)).isoformat(), 422),  # not in the future
        ("2025-12-31", 422),  # before the change already recorded
        ("2026-02-01", 200),
    ],
)
async def test_changes_are_recorded_in_order_and_never_ahead(client, world, effective_on, status):
    headers = world.auth(Role.admin)
    url = f"{URL}/{world.v12.id}"
    first = await client.patch(
        url, json={"name": "Thôn Chùa 2", "effective_on": "2026-01-01"}, headers=headers
    )
    assert first.status_code == 200
    response = await client.patch(
        url, json={"name": "Thôn Chùa 3", "effective_on": effective_on}, headers=headers
    )
    assert response.status_code == status, response.text
    names = [h["name_after"] for h in (await client.get(f"{url}/history", headers=headers)).json()["items"]]
    assert names == (["Thôn Chùa 2", "Thôn Chùa 3"] if status == 200 else ["Thôn Chùa 2"])


async def test_move_a_village_to_another_commune(client, world, session):
    household = await make_household(session, world.v12, "Trần Văn Dời", adults_count=2, members_count=3)
    await aggregates.rebuild(session)
    await session.commit()
    headers = world.auth(Role.province_officer)
    moved = await client.post(
        f"{URL}/{world.v12.id}/move",
        json={"parent_id": str(world.c2.id), "effective_on": "2026-03-01"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent_id"] == str(world.c2.id)

    assert str(world.v12.id) in await _names(client, headers, parent_id=str(world.c2.id))
    assert str(world.v12.id) not in await _names(client, headers, parent_id=str(world.c1.id))
    then = await _names(client, headers, parent_id=str(world.c1.id), as_of="2026-02-28")
    assert then[str(world.v12.id)]["parent_id"] == str(world.c1.id)
    history = (await client.get(f"{URL}/{world.v12.id}/history", headers=headers)).json()["items"]
    assert [(h["kind"], h["parent_before_id"], h["parent_after_id"]) for h in history] == [
        ("move", str(world.c1.id), str(world.c2.id))
    ]

    # Its records follow it: the new commune's subtree has them, the old commune's officer loses them.
    households = await client.get("/api/v1/households", params={"unit_id": str(world.c2.id)}, headers=headers)
    assert [h["id"] for h in households.json()["items"]] == [str(household.id)]
    commune_officer = world.auth(Role.commune_officer)
    assert (await client.get(f"{URL}/{world.v12.id}", headers=commune_officer)).status_code == 404
    kpi = await client.get(
        "/api/v1/kpi", params={"unit_id": str(world.c2.id), "period": "2026"}, headers=headers
    )
    assert _kpi(kpi.json(), "households_informed_pct")["denominator"] == 1

    # The province's breakdown (from roll-ups) follows the village, before the fold and after it.
    period = parse_period("2026")
    for fold in (False, True):
        if fold:
            await rollups.fold(session)
        by_commune = await engine.sums(session, world.p, period, by_child=True)
        for commune in (world.c1, world.c2):
            own = (await engine.sums(session, commune, period)).get(None, {})
            assert by_commune.get(commune.path, {}).get("households", 0) == own.get("households", 0)
        assert by_commune[world.c2.path]["households"] >= 1
    await _same_as_recount(session)


@pytest.mark.parametrize(
    "unit,parent,role,status",
    [
        ("v12", "p", Role.admin, 422),  # a village goes under a commune
        ("v12", "c1", Role.admin, 422),  # already there
        ("c2", "p2", Role.province_officer, 404),  # p2 is outside the officer's area: no such parent
        ("c2", "p2", Role.admin, 200),
        ("v12", "c2", Role.commune_officer, 404),  # c2 is outside the commune officer's area
        ("c1", "p", Role.commune_officer, 403),  # its own commune is managed from the province
        ("v12", "c2", Role.viewer, 403),
        ("v31", "c1", Role.province_officer, 404),
    ],
)
async def test_move_rules(client, world, unit, parent, role, status):
    response = await client.post(
        f"{URL}/{world.units[unit].id}/move",
        json={"parent_id": str(world.units[parent].id), "effective_on": "2026-03-01"},
        headers=world.auth(role),
    )
    assert response.status_code == status, response.text


async def test_moving_a_commune_repaths_its_subtree(client, world, session):
    response = await client.post(
        f"{URL}/{world.c2.id}/move",
        json={"parent_id": str(world.p2.id), "effective_on": "2026-03-01"},
        headers=world.auth(Role.admin),
    )
    assert response.status_code == 200
    await session.refresh(world.v21)
    await session.refresh(world.p2)
    assert world.v21.path == f"{world.p2.path}{world.c2.id.hex}/{world.v21.id.hex}/"
    officer = world.auth(Role.province_officer)  # of p: c2 and its village are no longer theirs
    assert (await client.get(f"{URL}/{world.v21.id}", headers=officer)).status_code == 404


async def _village_data(session, world):
    """v12 (to be merged into v11): two households, a team with a member, a leader account, and
    5 people helped in March; v11: one household and 3 people helped in March. The households were
    recorded in February."""
    february = datetime(2026, 2, 2, 3, tzinfo=UTC)
    await make_household(session, world.v12, "Hộ Một", code="001", informed=True, created_at=february)
    await make_household(session, world.v12, "Hộ Hai", code="002", created_at=february)
    await make_household(session, world.v11, "Hộ Ba", code="003", informed=True, created_at=february)
    team = await make_team(session, world.v12)
    await make_member(session, team, "Lê Văn Tổ Trưởng", position="leader")
    march = datetime(2026, 3, 10, 3, tzinfo=UTC)
    session.add(Activity(unit_id=world.v12.id, kind="vneid_activation", occurred_at=march, people_count=5))
    session.add(Activity(unit_id=world.v11.id, kind="vneid_activation", occurred_at=march, people_count=3))
    leader = await make_user(
        session, "leader.chua", Role.team_leader, world.v12, world.users[Role.admin].password_hash
    )
    await aggregates.rebuild(session)
    await session.commit()
    return team, leader


async def _merge(client, world, effective_on="2026-07-01", role=Role.province_officer):
    return await client.post(
        f"{URL}/{world.v12.id}/merge",
        json={"into_id": str(world.v11.id), "effective_on": effective_on},
        headers=world.auth(role),
    )


async def test_merge_closes_the_unit_and_hands_over_what_it_holds(client, world, session):
    team, leader = await _village_data(session, world)
    headers = world.auth(Role.commune_officer)
    before = await _names(client, headers, parent_id=str(world.c1.id))

    merged = await _merge(client, world)
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert (body["valid_to"], body["merged_into_id"], body["parent_id"]) == (
        "2026-06-30",
        str(world.v11.id),
        str(world.v11.id),
    )

    # Listings of today hide it; the day before the merger shows it where it was; by id it stays.
    assert set(before) == {str(world.v11.id), str(world.v12.id)}
    assert set(await _names(client, headers, parent_id=str(world.c1.id))) == {str(world.v11.id)}
    then = await _names(client, headers, parent_id=str(world.c1.id), as_of="2026-06-30")
    assert then[str(world.v12.id)]["parent_id"] == str(world.c1.id)
    assert (await client.get(f"{URL}/{world.v12.id}", headers=headers)).json()["valid_to"] == "2026-06-30"

    # Households, teams and members moved; activities stayed where they happened.
    households = await client.get(
        "/api/v1/households", params={"unit_id": str(world.v11.id)}, headers=headers
    )
    assert sorted(h["code"] for h in households.json()["items"]) == ["001", "002", "003"]
    assert all(h["version"] == 2 for h in households.json()["items"] if h["code"] != "003")
    assert (await session.get(Team, team.id, populate_existing=True)).unit_id == world.v11.id
    assert set(await session.scalars(select(Member.unit_id).where(Member.team_id == team.id))) == {
        world.v11.id
    }
    assert set(await session.scalars(select(Activity.unit_id))) == {world.v11.id, world.v12.id}
    await _same_as_recount(session)

    # Both units' histories tell it.
    own = (await client.get(f"{URL}/{world.v12.id}/history", headers=headers)).json()["items"]
    survivor = (await client.get(f"{URL}/{world.v11.id}/history", headers=headers)).json()["items"]
    assert [(h["kind"], h["effective_on"], h["related_unit_id"]) for h in own] == [
        ("merge", "2026-07-01", str(world.v11.id))
    ]
    assert [h["unit_id"] for h in survivor] == [str(world.v12.id)]

    # A closed unit changes no more.
    assert (await _merge(client, world, "2026-08-01")).status_code == 409
    renamed = await client.patch(f"{URL}/{world.v12.id}", json={"name": "X"}, headers=world.auth(Role.admin))
    assert renamed.status_code == 409


async def test_a_merged_villages_leader_sees_the_surviving_village(client, world, session):
    _, leader = await _village_data(session, world)
    assert (await _merge(client, world)).status_code == 200

    roles = await session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == leader.id))
    assert [(r.role, r.unit_id) for r in roles] == [("team_leader", world.v11.id)]
    token = await client.post("/api/v1/auth/token", data={"username": "leader.chua", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await client.get(f"{URL}/{world.v11.id}", headers=headers)).status_code == 200
    households = await client.get("/api/v1/households", headers=headers)
    assert sorted(h["code"] for h in households.json()["items"]) == ["001", "002", "003"]
    assert (await client.get(f"{URL}/{world.v21.id}", headers=headers)).status_code == 404


async def test_kpis_across_a_merger(client, world, session):
    await _village_data(session, world)
    headers = world.auth(Role.commune_officer)

    async def kpi(unit, period):
        response = await client.get(
            "/api/v1/kpi", params={"unit_id": str(unit.id), "period": period}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        return (
            _kpi(body, "people_supported")["value"],
            _kpi(body, "households_informed_pct")["denominator"],
            _kpi(body, "villages_with_team_pct")["denominator"],
        )

    assert await kpi(world.c1, "2026") == (8, 3, 2)
    assert await kpi(world.v11, "2026") == (3, 1, 1)
    report = await client.post(
        "/api/v1/kpi/snapshots", json={"unit_id": str(world.v11.id), "period": "2026-03"}, headers=headers
    )
    assert report.status_code == 201

    assert (await _merge(client, world)).status_code == 200
    await client.patch(
        f"{URL}/{world.v11.id}", json={"name": "Thôn Đình Chùa"}, headers=world.auth(Role.admin)
    )

    # The survivor's trend includes the merged village's history; the commune's totals do not change.
    assert await kpi(world.v11, "2026") == (8, 3, 1)
    assert await kpi(world.c1, "2026") == (8, 3, 1)  # one village stands today
    assert await kpi(world.c1, "2026-Q1") == (8, 3, 2)  # two stood then
    # The closed village's own figures stay readable for the periods it lived.
    assert (await kpi(world.v12, "2026-Q1"))[0] == 5
    breakdown = await client.get(
        "/api/v1/kpi/breakdown",
        params={"unit_id": str(world.c1.id), "period": "2026-Q1", "indicator": "people_supported"},
        headers=headers,
    )
    assert [(r["unit_id"], r["value"]) for r in breakdown.json()["rows"]] == [(str(world.v11.id), 8)]

    # The report frozen before the merger and the rename keeps its figures and its unit's name.
    frozen = (await client.get(f"/api/v1/kpi/snapshots/{report.json()['id']}", headers=headers)).json()
    assert frozen["indicators"] == report.json()["indicators"]
    assert (frozen["unit_name"], frozen["unit_code"]) == ("Thôn Đình", world.v11.code)
    summary = await client.get(f"/api/v1/kpi/snapshots/{report.json()['id']}/summary", headers=headers)
    assert "Thôn Đình —" in summary.text and "Chùa" not in summary.text


async def test_merge_refuses_clashing_household_codes_and_changes_nothing(client, world, session):
    await make_household(session, world.v12, "Hộ Một", code="001")
    await make_household(session, world.v11, "Hộ Khác", code="001")
    await session.commit()
    response = await _merge(client, world)
    assert response.status_code == 409
    assert "001" in response.json()["detail"]
    assert (await client.get(f"{URL}/{world.v12.id}", headers=world.auth(Role.admin))).json()[
        "valid_to"
    ] is None


@pytest.mark.parametrize(
    "role,into,status",
    [
        (Role.commune_officer, "v11", 200),  # the commune's own villages
        (Role.viewer, "v11", 403),
        (Role.team_leader, "v11", 404),  # v12 is outside a v11 leader's area
        (Role.province_officer, "c2", 422),  # another level
        (Role.province_officer, "v31", 404),  # outside the officer's area: no such unit
        (Role.province_officer, "v12", 422),  # itself
    ],
)
async def test_merge_rules(client, world, role, into, status):
    response = await client.post(
        f"{URL}/{world.v12.id}/merge",
        json={"into_id": str(world.units[into].id), "effective_on": "2026-07-01"},
        headers=world.auth(role),
    )
    assert response.status_code == status, response.text


async def test_the_units_change_feed_tells_phones_of_a_merger(client, world, session):
    await _village_data(session, world)
    headers = world.auth(Role.team_leader)  # of v11
    since = datetime.now(UTC).isoformat()
    empty = await client.get(URL, params={"updated_since": since}, headers=headers)
    assert empty.json()["items"] == []
    assert (await _merge(client, world)).status_code == 200
    feed = await client.get(URL, params={"updated_since": since}, headers=headers)
    # The leader of v11 now sees v12 (inside v11) and learns where it went.
    changed = {u["id"]: u for u in feed.json()["items"]}
    assert changed[str(world.v12.id)]["merged_into_id"] == str(world.v11.id)
    assert feed.json()["next_cursor"]
    again = await client.get(URL, params={"cursor": feed.json()["next_cursor"]}, headers=headers)
    assert again.json()["items"] == []


async def test_as_of_hides_units_not_yet_valid(client, world):
    headers = world.auth(Role.admin)
    body = {"code": "MOI-1", "name": "Thôn Mới Lập", "level": "village", "parent_id": str(world.c1.id)}
    created = await client.post(URL, json=body | {"valid_from": "2026-05-01"}, headers=headers)
    assert created.status_code == 201
    assert str(created.json()["id"]) not in await _names(client, headers, as_of="2026-04-30")
    assert created.json()["id"] in await _names(client, headers, as_of="2026-05-01")
    assert created.json()["id"] in await _names(client, headers)


async def test_merging_a_commune_takes_its_history_along(client, world, session):
    await _village_data(session, world)
    assert (await _merge(client, world)).status_code == 200  # v12 into v11 on 1 July
    admin = world.auth(Role.admin)
    kpi_params = {"unit_id": str(world.p.id), "period": "2026"}
    before = (await client.get("/api/v1/kpi", params=kpi_params, headers=admin)).json()

    merged = await client.post(
        f"{URL}/{world.c1.id}/merge",
        json={"into_id": str(world.c2.id), "effective_on": "2026-09-01"},
        headers=world.auth(Role.province_officer),
    )
    assert merged.status_code == 200, merged.text
    await session.refresh(world.c2)
    await session.refresh(world.v11)
    await session.refresh(world.v12)
    assert world.v11.parent_id == world.c2.id  # the open village moved
    assert world.v12.path == f"{world.c2.path}{world.v11.id.hex}/{world.v12.id.hex}/"  # its history with it
    history = (await client.get(f"{URL}/{world.v11.id}/history", headers=admin)).json()["items"]
    assert [(h["kind"], h["related_unit_id"]) for h in history] == [
        ("merge", str(world.v11.id)),  # v12 merged into it
        ("move", str(world.c1.id)),  # handed over by its commune's merger
    ]
    assert [h["unit_id"] for h in history] == [str(world.v12.id), str(world.v11.id)]
    then = await _names(client, admin, parent_id=str(world.c1.id), as_of="2026-08-31")
    assert set(then) == {str(world.v11.id)}
    after = (await client.get("/api/v1/kpi", params=kpi_params, headers=admin)).json()
    assert after["indicators"] == before["indicators"]  # the province's totals do not change
    await _same_as_recount(session)
