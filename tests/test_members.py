import asyncio
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import async_sessionmaker

from app import records
from app.authz.permissions import Role
from app.authz.principal import Grant, Principal
from app.core.errors import Invalid
from app.core.ids import uuid7
from app.members.schemas import MemberCreate
from app.members.service import MEMBERS
from app.models import AuditLog, Member, Team, Unit
from tests.roster import make_member, make_team
from tests.world import ROLES, make_unit, make_user

PLACES = ("c1", "v11", "v12", "v21", "v31")
READERS = {Role.admin, Role.province_officer, Role.commune_officer, Role.team_leader, Role.team_member}
# Members each reader sees among those of teams at c1, v11, v12 (commune c1), v21 (c2), v31 (elsewhere).
SEES = {
    Role.admin: set(PLACES),
    Role.province_officer: {"c1", "v11", "v12", "v21"},
    Role.commune_officer: {"c1", "v11", "v12"},
    Role.team_leader: {"v11"},
    Role.team_member: {"v11"},
    Role.viewer: {"c1", "v11", "v12"},  # in its area, but members are personal data: 403
}
MANAGERS = {Role.admin, Role.commune_officer, Role.team_leader}
FAR_PAST, FAR_FUTURE = date(2001, 1, 1), date.today() + timedelta(days=3650)


@pytest.fixture
async def teams(world, session):
    teams = {name: await make_team(session, world.units[name], f"Tổ {name}") for name in PLACES}
    await session.commit()
    return teams


@pytest.fixture
async def members(session, teams):
    members = {name: await make_member(session, team, f"Thành viên {name}") for name, team in teams.items()}
    await session.commit()
    return members


def body(teams, **overrides):
    return {
        "team_id": str(teams["v11"].id),
        "full_name": "Trần Thị Mai",
        "phone": "0912 345 678",
        "gender": "female",
        "birth_year": 1995,
        "position": "member",
        "affiliation": "youth_union",
        "joined_on": "2025-04-01",
    } | overrides


@pytest.mark.parametrize("role", ROLES)
async def test_list_is_scoped_and_viewers_get_no_personal_data(client, world, members, role):
    response = await client.get("/api/v1/members", headers=world.auth(role))
    if role not in READERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    page = response.json()
    assert {m["id"] for m in page["items"]} == {str(members[n].id) for n in SEES[role]}
    assert page["total"] == len(SEES[role])
    feed = await client.get(
        "/api/v1/members", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=world.auth(role)
    )
    assert {m["id"] for m in feed.json()["items"]} == {str(members[n].id) for n in SEES[role]}


async def test_viewer_gets_no_member_feed(client, world, members):
    response = await client.get(
        "/api/v1/members", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=world.auth(Role.viewer)
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
async def test_get_in_and_out_of_scope(client, world, members, role):
    for name, member in members.items():
        response = await client.get(f"/api/v1/members/{member.id}", headers=world.auth(role))
        expected = 404 if name not in SEES[role] else 200 if role in READERS else 403
        assert response.status_code == expected, (role, name)
        if expected == 200:
            assert response.json()["full_name"] == f"Thành viên {name}"
            assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", ROLES)
async def test_create_as_each_role(client, world, teams, role):
    response = await client.post("/api/v1/members", json=body(teams), headers=world.auth(role))
    assert response.status_code == (201 if role in MANAGERS else 403), response.text
    if role in MANAGERS:
        member = response.json()
        assert member["full_name"] == "Trần Thị Mai" and member["birth_year"] == 1995
        assert member["unit_id"] == str(world.v11.id)  # denormalised from the team
        assert (member["position"], member["affiliation"]) == ("member", "youth_union")
        assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", ROLES)
async def test_update_and_delete_as_each_role(client, world, members, role):
    headers = world.auth(role)
    for name in ("v11", "v31"):
        url = f"/api/v1/members/{members[name].id}"
        expected = 404 if name not in SEES[role] else 200 if role in MANAGERS else 403
        patched = await client.patch(url, json={"phone": "0988 111 222"}, headers=headers)
        assert patched.status_code == expected, (role, name, patched.text)
        if expected == 200:
            assert patched.json()["phone"] == "0988 111 222" and patched.headers["etag"] == '"2"'
        deleted = await client.delete(url, headers=headers)
        assert deleted.status_code == (204 if expected == 200 else expected), (role, name)
        after = await client.get(url, headers=world.auth(Role.admin))
        assert after.status_code == (404 if expected == 200 else 200)
        if expected != 200:
            assert after.json()["phone"] is None


async def test_team_out_of_scope_or_unknown_is_404(client, world, teams):
    leader = world.auth(Role.team_leader)
    for team_id in (teams["v12"].id, teams["c1"].id, teams["v31"].id, uuid.uuid4()):
        response = await client.post(
            "/api/v1/members", json=body(teams, team_id=str(team_id)), headers=leader
        )
        assert (response.status_code, response.json()["code"]) == (404, "team.unknown"), team_id
        assert response.json()["errors"][0]["loc"] == ["body", "team_id"]


async def test_member_of_a_deleted_team_is_404(client, world, session, teams):
    teams["v12"].deleted_at = teams["v12"].updated_at
    await session.commit()
    response = await client.post(
        "/api/v1/members", json=body(teams, team_id=str(teams["v12"].id)), headers=world.auth(Role.admin)
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"gender": "unknown"}, "gender"),
        ({"birth_year": 1899}, "birth_year"),
        ({"birth_year": date.today().year + 1}, "birth_year"),
        ({"birth_year": 2**40}, "birth_year"),
        ({"birth_year": "nineteen"}, "birth_year"),
        ({"position": "boss"}, "position"),
        ({"affiliation": "army"}, "affiliation"),
        ({"joined_on": "1850-01-01"}, "joined_on"),
        ({"left_on": "2025-03-31"}, "left_on"),  # before joined_on
        ({"left_on": "2025-13-01"}, "left_on"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "0" * 21}, "phone"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": "An\x00"}, "full_name"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"team_id": "not-a-uuid"}, "team_id"),
        ({"unit_id": "x"}, "unit_id"),  # read-only: follows the team
    ],
)
async def test_member_rules(client, world, teams, overrides, field):
    response = await client.post(
        "/api/v1/members", json=body(teams, **overrides), headers=world.auth(Role.admin)
    )
    assert response.status_code == 422, response.text
    assert field in [e["loc"][-1] for e in response.json()["errors"]]
    listed = await client.get("/api/v1/members", headers=world.auth(Role.admin))
    assert listed.json()["total"] == 0


async def test_birth_year_bounds_are_inclusive(client, world, teams):
    headers = world.auth(Role.admin)
    for year in (1900, date.today().year):
        response = await client.post("/api/v1/members", json=body(teams, birth_year=year), headers=headers)
        assert response.status_code == 201 and response.json()["birth_year"] == year


async def test_rules_apply_to_the_merged_record_on_update(client, world, members):
    url = f"/api/v1/members/{members['v11'].id}"
    headers = world.auth(Role.team_leader)
    assert (await client.patch(url, json={"joined_on": "2024-05-01"}, headers=headers)).status_code == 200
    response = await client.patch(url, json={"left_on": "2024-01-01"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["body", "left_on"],
            "msg": "left_on (2024-01-01) cannot be before joined_on (2024-05-01)",
            "code": "member.left_before_joined",
        }
    ]
    for field in ("team_id", "full_name", "position"):
        nulled = await client.patch(url, json={field: None}, headers=headers)
        assert nulled.status_code == 422 and nulled.json()["errors"][0]["loc"] == ["body", field]
    assert (await client.get(url, headers=headers)).json()["left_on"] is None


async def test_user_link_must_be_a_user_the_caller_sees(client, world, session, teams):
    stranger = await make_user(session, "stranger", Role.team_member, world.v31, "x")
    await session.commit()
    headers = world.auth(Role.commune_officer)
    for user_id in (stranger.id, uuid.uuid4()):  # out of the area, or nowhere: 404 alike
        hidden = await client.post("/api/v1/members", json=body(teams, user_id=str(user_id)), headers=headers)
        assert hidden.status_code == 404 and hidden.json()["errors"][0]["loc"] == ["body", "user_id"]
    mine = world.users[Role.team_member].id
    linked = await client.post("/api/v1/members", json=body(teams, user_id=str(mine)), headers=headers)
    assert linked.status_code == 201 and linked.json()["user_id"] == str(mine)
    relinked = await client.patch(
        f"/api/v1/members/{linked.json()['id']}", json={"user_id": str(stranger.id)}, headers=headers
    )
    assert relinked.status_code == 404
    by_user = await client.get("/api/v1/members", params={"user_id": str(mine)}, headers=headers)
    assert [m["id"] for m in by_user.json()["items"]] == [linked.json()["id"]]


async def test_one_active_leader_per_team(client, world, teams):
    headers = world.auth(Role.commune_officer)

    async def post(**overrides):
        return await client.post("/api/v1/members", json=body(teams, **overrides), headers=headers)

    first = await post(full_name="Tổ Trưởng Một", position="leader")
    assert first.status_code == 201
    second = await post(full_name="Tổ Trưởng Hai", position="leader")
    assert second.status_code == 422
    assert second.json()["errors"][0]["loc"] == ["body", "position"]
    assert "Tổ Trưởng Một" in second.json()["errors"][0]["msg"]
    # A leader who has left, or leads another team, is no obstacle.
    assert (await post(full_name="Cựu Tổ Trưởng", position="leader", left_on="2025-05-01")).status_code == 201
    assert (
        await post(full_name="Tổ Trưởng v12", position="leader", team_id=str(teams["v12"].id))
    ).status_code == 201
    # A leader leaving in the future is still active.
    deputy = await post(full_name="Tổ Phó", position="deputy")
    promote = await client.patch(
        f"/api/v1/members/{deputy.json()['id']}", json={"position": "leader"}, headers=headers
    )
    assert promote.status_code == 422 and promote.json()["errors"][0]["loc"] == ["body", "position"]
    first_url = f"/api/v1/members/{first.json()['id']}"
    assert (
        await client.patch(first_url, json={"left_on": str(FAR_FUTURE)}, headers=headers)
    ).status_code == 200
    promote = await client.patch(
        f"/api/v1/members/{deputy.json()['id']}", json={"position": "leader"}, headers=headers
    )
    assert promote.status_code == 422
    # Once the first leader has left, the deputy may lead; the first may not come back as leader.
    assert (await client.patch(first_url, json={"left_on": "2025-06-01"}, headers=headers)).status_code == 200
    promote = await client.patch(
        f"/api/v1/members/{deputy.json()['id']}", json={"position": "leader"}, headers=headers
    )
    assert promote.status_code == 200 and promote.json()["position"] == "leader"
    back = await client.patch(first_url, json={"left_on": None}, headers=headers)
    assert back.status_code == 422 and back.json()["errors"][0]["loc"] == ["body", "position"]
    # The leader of v12 cannot move into v11's team as its leader.
    v12_leader = (
        await client.get("/api/v1/members", params={"team_id": str(teams["v12"].id)}, headers=headers)
    ).json()["items"][0]
    moved = await client.patch(
        f"/api/v1/members/{v12_leader['id']}", json={"team_id": str(teams["v11"].id)}, headers=headers
    )
    assert moved.status_code == 422
    # A deleted leader is no obstacle either.
    assert (await client.delete(f"/api/v1/members/{deputy.json()['id']}", headers=headers)).status_code == 204
    assert (await post(full_name="Tổ Trưởng Mới", position="leader")).status_code == 201
    leaders = await client.get(
        "/api/v1/members",
        params={"team_id": str(teams["v11"].id), "position": "leader", "active": "true"},
        headers=headers,
    )
    assert [m["full_name"] for m in leaders.json()["items"]] == ["Tổ Trưởng Mới"]


async def test_concurrent_leader_creates_wait_for_the_team_lock(engine):
    """Two sessions create a leader in the same team: the second waits on the first, then fails."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    admin = Principal(uuid7(), "admin", (Grant(Role.admin, None, ""),))
    async with sessions() as setup:
        province = await make_unit(setup, "Tỉnh Khóa", "province")
        village = await make_unit(setup, "Thôn Khóa", "village", province)
        team = await make_team(setup, village, "Tổ Khóa")
        await setup.commit()
    data = [MemberCreate(team_id=team.id, full_name=f"Tổ Trưởng {i}", position="leader") for i in (1, 2)]
    try:
        async with sessions() as first, sessions() as second:
            await records.create(first, admin, MEMBERS, data[0])
            racing = asyncio.create_task(records.create(second, admin, MEMBERS, data[1]))
            await asyncio.sleep(0.5)
            assert not racing.done()  # blocked on the team row (the write lock on SQLite)
            await first.commit()
            with pytest.raises(Invalid) as refused:
                await racing
            assert refused.value.errors[0]["loc"] == ["body", "position"]
            await second.rollback()
    finally:
        async with sessions() as cleanup:
            await cleanup.execute(delete(Member).where(Member.team_id == team.id))
            await cleanup.execute(delete(Team).where(Team.id == team.id))
            await cleanup.execute(delete(AuditLog).where(AuditLog.unit_id == village.id))
            for unit in (village, province):
                await cleanup.execute(delete(Unit).where(Unit.id == unit.id))
            await cleanup.commit()


async def test_moving_a_member_to_another_team_moves_its_unit(client, world, members, teams):
    url = f"/api/v1/members/{members['v11'].id}"
    leader = world.auth(Role.team_leader)
    refused = await client.patch(url, json={"team_id": str(teams["v12"].id)}, headers=leader)
    assert refused.status_code == 404 and refused.json()["errors"][0]["loc"] == ["body", "team_id"]
    officer = world.auth(Role.commune_officer)
    moved = await client.patch(url, json={"team_id": str(teams["v12"].id)}, headers=officer)
    assert moved.status_code == 200
    assert (moved.json()["team_id"], moved.json()["unit_id"]) == (str(teams["v12"].id), str(world.v12.id))
    assert (await client.get(url, headers=leader)).status_code == 404
    counts = {
        t["name"]: t["member_count"]
        for t in (await client.get("/api/v1/teams", headers=officer)).json()["items"]
    }
    assert counts == {"Tổ c1": 1, "Tổ v11": 0, "Tổ v12": 2}


async def test_filters(client, world, session, teams, members):
    await make_member(session, teams["v11"], "Đã rời", left_on=FAR_PAST, position="collaborator")
    await make_member(session, teams["v11"], "Sẽ rời", left_on=FAR_FUTURE, gender="male")
    await session.commit()
    headers = world.auth(Role.commune_officer)

    async def names(**params):
        response = await client.get("/api/v1/members", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return sorted(m["full_name"] for m in response.json()["items"])  # collation differs by database

    assert await names(team_id=str(teams["v11"].id)) == sorted(["Đã rời", "Sẽ rời", "Thành viên v11"])
    assert await names(team_id=str(teams["v11"].id), active="true") == sorted(["Sẽ rời", "Thành viên v11"])
    assert await names(active="false") == ["Đã rời"]
    assert await names(position="collaborator") == ["Đã rời"]
    assert await names(gender="male") == ["Sẽ rời"]
    assert await names(unit_id=str(world.v12.id)) == ["Thành viên v12"]
    outside = await client.get("/api/v1/members", params={"unit_id": str(world.v31.id)}, headers=headers)
    assert outside.status_code == 404


async def test_client_id_replay_gives_one_record(client, world, teams):
    headers = world.auth(Role.team_leader)
    data = body(teams, id=str(uuid.uuid4()))
    responses = [await client.post("/api/v1/members", json=data, headers=headers) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert {r.json()["id"] for r in responses} == {data["id"]}
    assert (await client.get("/api/v1/members", headers=headers)).json()["total"] == 1
    changed = await client.post("/api/v1/members", json=data | {"birth_year": 1990}, headers=headers)
    assert changed.status_code == 409
    assert (await client.get(f"/api/v1/members/{data['id']}", headers=headers)).json()["birth_year"] == 1995


async def test_replay_of_a_leader_is_not_a_second_leader(client, world, teams):
    headers = world.auth(Role.team_leader)
    data = body(teams, id=str(uuid.uuid4()), position="leader")
    assert (await client.post("/api/v1/members", json=data, headers=headers)).status_code == 201
    assert (await client.post("/api/v1/members", json=data, headers=headers)).status_code == 200


async def test_stale_if_match_is_412_and_changes_nothing(client, world, members):
    url = f"/api/v1/members/{members['v11'].id}"
    headers = world.auth(Role.team_leader)
    first = await client.patch(url, json={"position": "deputy"}, headers=headers | {"If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"position": "collaborator"}, headers=headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.delete(url, headers=headers | {"If-Match": '"1"'})).status_code == 412
    current = (await client.get(url, headers=headers)).json()
    assert (current["position"], current["version"]) == ("deputy", 2)


async def test_change_feed_reports_updates_and_deletions_with_a_cursor(client, world, members, teams):
    headers = world.auth(Role.team_leader)
    first = (
        await client.get("/api/v1/members", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=headers)
    ).json()
    assert [i["id"] for i in first["items"]] == [str(members["v11"].id)]
    assert first["has_more"] is False
    created = await client.post("/api/v1/members", json=body(teams), headers=headers)
    assert (await client.delete(f"/api/v1/members/{members['v11'].id}", headers=headers)).status_code == 204
    after = (
        await client.get("/api/v1/members", params={"cursor": first["next_cursor"]}, headers=headers)
    ).json()
    items = {i["id"]: i for i in after["items"]}
    assert items.keys() == {str(members["v11"].id), created.json()["id"]}
    assert items[str(members["v11"].id)] == {
        "id": str(members["v11"].id),
        "deleted": True,
        "updated_at": items[str(members["v11"].id)]["updated_at"],
    }
    assert items[created.json()["id"]]["full_name"] == "Trần Thị Mai"
    again = (
        await client.get("/api/v1/members", params={"cursor": after["next_cursor"]}, headers=headers)
    ).json()
    assert again["items"] == [] and again["has_more"] is False
    listed = await client.get("/api/v1/members", headers=headers)
    assert [m["id"] for m in listed.json()["items"]] == [created.json()["id"]]


async def test_every_write_is_audited_under_the_team_unit(client, world, teams):
    headers = world.auth(Role.team_leader)
    member = (await client.post("/api/v1/members", json=body(teams), headers=headers)).json()
    await client.patch(f"/api/v1/members/{member['id']}", json={"position": "deputy"}, headers=headers)
    await client.delete(f"/api/v1/members/{member['id']}", headers=headers)
    entries = (
        await client.get(
            "/api/v1/audit",
            params={"resource": "member", "resource_id": member["id"]},
            headers=world.auth(Role.commune_officer),
        )
    ).json()["items"]
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    assert {e["unit_id"] for e in entries} == {str(world.v11.id)}
    assert (entries[1]["before"]["position"], entries[1]["after"]["position"]) == ("member", "deputy")
    assert entries[2]["actor_id"] == str(world.users[Role.team_leader].id)


# --- duties and results (issue 20, item 2) -----------------------------------------------------


@pytest.mark.parametrize("affiliation", ["fatherland_front", "party_cell", "village_head", "influencer"])
async def test_the_plans_affiliations_are_taken(client, world, teams, affiliation):
    response = await client.post(
        "/api/v1/members",
        json={"team_id": str(teams["v11"].id), "full_name": "Hà Văn Mặt", "affiliation": affiliation},
        headers=world.auth(Role.team_leader),
    )
    assert response.status_code == 201, response.text
    assert response.json()["affiliation"] == affiliation


async def test_a_leader_gives_a_member_a_village_and_duties(client, world, session, teams):
    team = teams["c1"]
    member = await make_member(session, team, "Đỗ Thị Hoa")
    await session.commit()
    officer = world.auth(Role.commune_officer)
    response = await client.patch(
        f"/api/v1/members/{member.id}",
        json={"duty_unit_id": str(world.v12.id), "duties": "Hỗ trợ VNeID thôn Chùa"},
        headers=officer,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["duty_unit_id"], response.json()["duties"]) == (
        str(world.v12.id),
        "Hỗ trợ VNeID thôn Chùa",
    )
    outside = await client.patch(
        f"/api/v1/members/{member.id}",
        json={"duty_unit_id": str(world.v21.id)},
        headers=world.auth(Role.admin),
    )
    assert outside.status_code == 422 and outside.json()["errors"][0]["code"] == "member.duty_outside_team"


async def _work(session, world, teams):
    """Two members of v11's team: Lan with activities, households and a support point in November 2026."""
    from datetime import UTC, datetime

    from app.models import Activity, Campaign, CampaignEvent, EventDuty
    from tests.world import make_household

    team = teams["v11"]
    lan = await make_member(
        session, team, "Trần Thị Lan", position="leader", user_id=world.users[Role.team_member].id
    )
    tu = await make_member(session, team, "Phạm Minh Tú")
    h1 = await make_household(session, world.v11, "Nguyễn Văn An", assigned_member_id=lan.id)
    await make_household(
        session,
        world.v11,
        "Lê Thị Bé",
        assigned_member_id=lan.id,
        last_visit_at=datetime(2026, 11, 20, 3, tzinfo=UTC),
    )
    h3 = await make_household(session, world.v11, "Võ Văn Cường")

    def act(member, household, day, people, **values):
        return Activity(
            unit_id=world.v11.id,
            member_id=member.id,
            household_id=household.id if household else None,
            occurred_at=datetime(2026, 11, day, 2, tzinfo=UTC),
            kind="vneid",
            people_count=people,
            **values,
        )

    session.add_all(
        [
            act(lan, h1, 3, 2),
            act(lan, h1, 5, 1),  # the same household again
            act(lan, h3, 6, 3),
            act(lan, None, 7, 10),  # at a support point
            act(lan, h3, 8, 4, deleted_at=datetime(2026, 11, 9, tzinfo=UTC)),  # deleted: not counted
            act(tu, h3, 9, 1),
        ]
    )
    session.add(
        Activity(
            unit_id=world.v11.id,
            member_id=lan.id,
            occurred_at=datetime(2026, 10, 31, 16, 59, tzinfo=UTC),
            kind="vneid",
            people_count=5,
        )
    )  # 23:59 on 31/10 in Vietnam: October
    campaign = Campaign(
        unit_id=world.c1.id,
        kind="mobile_support",
        name="Bình dân học vụ số",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 30),
    )
    session.add(campaign)
    await session.flush()
    event = CampaignEvent(
        campaign_id=campaign.id,
        unit_id=world.v11.id,
        title="Điểm hỗ trợ nhà văn hóa",
        starts_at=datetime(2026, 11, 7, 1, tzinfo=UTC),
        ends_at=datetime(2026, 11, 7, 4, tzinfo=UTC),
    )
    session.add(event)
    await session.flush()
    session.add(EventDuty(event_id=event.id, member_id=lan.id))
    await session.commit()
    return lan, tu


async def test_results_per_member_for_the_leader_and_the_commune(client, world, session, teams):
    lan, tu = await _work(session, world, teams)
    for role in (Role.team_leader, Role.commune_officer):
        response = await client.get(
            "/api/v1/members/results",
            params={"period": "2026-11", "team_id": str(teams["v11"].id)},
            headers=world.auth(role),
        )
        assert response.status_code == 200, response.text
        rows = {r["full_name"]: r for r in response.json()["items"]}
        expected = {
            "activities": 4,
            "people_helped": 16,
            "households_visited": 3,
            "households_assigned": 2,
            "events_on_duty": 1,
        }
        assert {k: rows["Trần Thị Lan"][k] for k in expected} == expected
        assert (rows["Phạm Minh Tú"]["activities"], rows["Phạm Minh Tú"]["households_visited"]) == (1, 1)
    october = await client.get(
        "/api/v1/members/results", params={"period": "2026-10"}, headers=world.auth(Role.commune_officer)
    )
    assert {r["full_name"]: r["people_helped"] for r in october.json()["items"]}["Trần Thị Lan"] == 5
    assert (
        await client.get("/api/v1/members/results", headers=world.auth(Role.team_member))
    ).status_code == 403
    assert (await client.get("/api/v1/members/results", headers=world.auth(Role.viewer))).status_code == 403
    other = await client.get(
        "/api/v1/members/results",
        params={"unit_id": str(world.c2.id)},
        headers=world.auth(Role.commune_officer),
    )
    assert other.status_code == 404
    bad = await client.get(
        "/api/v1/members/results", params={"period": "11/2026"}, headers=world.auth(Role.admin)
    )
    assert bad.status_code == 422


async def test_a_member_sees_my_households_my_duties_my_results(client, world, session, teams):
    lan, _ = await _work(session, world, teams)
    response = await client.get(
        "/api/v1/members/me", params={"period": "2026-11"}, headers=world.auth(Role.team_member)
    )
    assert response.status_code == 200, response.text
    (mine,) = response.json()["items"]
    assert mine["member"]["id"] == str(lan.id) and mine["team_name"] == "Tổ v11"
    assert [h["head_name"] for h in mine["households"]] == ["Nguyễn Văn An", "Lê Thị Bé"]
    assert [e["title"] for e in mine["events"]] == ["Điểm hỗ trợ nhà văn hóa"]
    assert (mine["result"]["activities"], mine["result"]["people_helped"]) == (4, 16)
    nobody = await client.get("/api/v1/members/me", headers=world.auth(Role.viewer))
    assert nobody.status_code == 200 and nobody.json()["items"] == []
