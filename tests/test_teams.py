import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.authz.permissions import Role
from app.models import Member, Team
from tests.roster import make_member, make_team
from tests.world import ROLES

PLACES = ("c1", "v11", "v12", "v21", "v31")
# Teams each role sees among those of c1, v11, v12 (commune c1), v21 (c2) and v31 (other province).
SEES = {
    Role.admin: set(PLACES),
    Role.province_officer: {"c1", "v11", "v12", "v21"},
    Role.commune_officer: {"c1", "v11", "v12"},
    Role.team_leader: {"v11"},
    Role.team_member: {"v11"},
    Role.viewer: {"c1", "v11", "v12"},
}
MANAGERS = {Role.admin, Role.commune_officer}
FAR_PAST, FAR_FUTURE = date(2001, 1, 1), date.today() + timedelta(days=3650)


@pytest.fixture
async def teams(world, session):
    teams = {name: await make_team(session, world.units[name], f"Tổ {name}") for name in PLACES}
    await session.commit()
    return teams


def body(world, **overrides):
    return {
        "unit_id": str(world.v11.id),
        "name": "Tổ CNSCĐ thôn Đình",
        "decision_no": "12/QĐ-UBND",
        "decision_date": "2025-03-01",
    } | overrides


@pytest.mark.parametrize("role", ROLES)
async def test_list_is_scoped(client, world, teams, role):
    response = await client.get("/api/v1/teams", headers=world.auth(role))
    assert response.status_code == 200
    page = response.json()
    assert {t["id"] for t in page["items"]} == {str(teams[n].id) for n in SEES[role]}
    assert page["total"] == len(SEES[role])


@pytest.mark.parametrize("role", ROLES)
async def test_get_in_and_out_of_scope(client, world, teams, role):
    for name, team in teams.items():
        response = await client.get(f"/api/v1/teams/{team.id}", headers=world.auth(role))
        assert response.status_code == (200 if name in SEES[role] else 404), (role, name)
        if response.status_code == 200:
            assert response.json()["name"] == f"Tổ {name}"
            assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", ROLES)
async def test_create_as_each_role(client, world, role):
    response = await client.post("/api/v1/teams", json=body(world), headers=world.auth(role))
    assert response.status_code == (201 if role in MANAGERS else 403), response.text
    if role in MANAGERS:
        team = response.json()
        assert (team["name"], team["status"], team["member_count"]) == ("Tổ CNSCĐ thôn Đình", "active", 0)
        assert (team["decision_no"], team["decision_date"]) == ("12/QĐ-UBND", "2025-03-01")
        assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", ROLES)
async def test_update_and_delete_as_each_role(client, world, teams, role):
    headers = world.auth(role)
    for name in ("v11", "v31"):
        url = f"/api/v1/teams/{teams[name].id}"
        expected = 404 if name not in SEES[role] else 200 if role in MANAGERS else 403
        patched = await client.patch(url, json={"status": "inactive"}, headers=headers)
        assert patched.status_code == expected, (role, name, patched.text)
        if expected == 200:
            assert patched.json()["status"] == "inactive" and patched.json()["version"] == 2
            assert patched.headers["etag"] == '"2"'
        deleted = await client.delete(url, headers=headers)
        assert deleted.status_code == (204 if expected == 200 else expected), (role, name)
        after = await client.get(url, headers=world.auth(Role.admin))
        assert after.status_code == (404 if expected == 200 else 200)


async def test_out_of_scope_or_unknown_unit_is_404(client, world):
    headers = world.auth(Role.commune_officer)
    for unit_id in (world.c3.id, world.v21.id, uuid.uuid4()):
        response = await client.post("/api/v1/teams", json=body(world, unit_id=str(unit_id)), headers=headers)
        assert (response.status_code, response.json()["code"]) == (404, "unit.unknown")
        assert response.json()["errors"][0]["loc"] == ["body", "unit_id"]


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"unit_id": "p"}, "unit_id"),  # a province cannot have a team
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "Tổ\x00"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"decision_no": "x" * 51}, "decision_no"),
        ({"decision_no": "1\x00"}, "decision_no"),
        ({"decision_date": "1850-01-01"}, "decision_date"),
        ({"decision_date": "2025-02-30"}, "decision_date"),
        ({"status": "sleeping"}, "status"),
        ({"member_count": 3}, "member_count"),  # read-only
    ],
)
async def test_team_rules(client, world, overrides, field):
    overrides = dict(overrides)  # a parameter is one dict for both databases' runs: not changed in place
    if overrides.get("unit_id") == "p":
        overrides["unit_id"] = str(world.p.id)
    response = await client.post(
        "/api/v1/teams", json=body(world, **overrides), headers=world.auth(Role.admin)
    )
    assert response.status_code == 422, response.text
    assert field in [e["loc"][-1] for e in response.json()["errors"]]
    listed = await client.get("/api/v1/teams", headers=world.auth(Role.admin))
    assert listed.json()["total"] == 0


@pytest.mark.parametrize("field", ["unit_id", "name", "status"])
async def test_required_fields_cannot_be_nulled(client, world, teams, field):
    url = f"/api/v1/teams/{teams['v11'].id}"
    response = await client.patch(url, json={field: None}, headers=world.auth(Role.commune_officer))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", field]


async def test_a_commune_team_is_allowed(client, world):
    response = await client.post(
        "/api/v1/teams", json=body(world, unit_id=str(world.c1.id)), headers=world.auth(Role.commune_officer)
    )
    assert response.status_code == 201 and response.json()["unit_id"] == str(world.c1.id)


async def test_member_count_counts_only_active_members(client, world, session, teams):
    team = teams["v11"]
    await make_member(session, team, "Còn hoạt động")
    await make_member(session, team, "Sắp rời", left_on=FAR_FUTURE)
    await make_member(session, team, "Đã rời", left_on=FAR_PAST)
    await make_member(session, team, "Rời hôm nay", left_on=date.today() - timedelta(days=1))
    await make_member(session, team, "Đã xóa", deleted=True)
    await make_member(session, teams["v12"], "Tổ khác")
    await session.commit()
    headers = world.auth(Role.commune_officer)
    got = await client.get(f"/api/v1/teams/{team.id}", headers=headers)
    assert got.json()["member_count"] == 2
    listed = {
        t["name"]: t["member_count"]
        for t in (await client.get("/api/v1/teams", headers=headers)).json()["items"]
    }
    assert listed == {"Tổ c1": 0, "Tổ v11": 2, "Tổ v12": 1}
    feed = await client.get(
        "/api/v1/teams", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=headers
    )
    assert {t["name"]: t["member_count"] for t in feed.json()["items"]} == listed
    patched = await client.patch(f"/api/v1/teams/{team.id}", json={"name": "Tổ mới"}, headers=headers)
    assert patched.json()["member_count"] == 2


async def test_unit_filter_covers_the_subtree(client, world, teams):
    headers = world.auth(Role.province_officer)
    response = await client.get("/api/v1/teams", params={"unit_id": str(world.c1.id)}, headers=headers)
    assert [t["name"] for t in response.json()["items"]] == ["Tổ c1", "Tổ v11", "Tổ v12"]
    village = await client.get("/api/v1/teams", params={"unit_id": str(world.v12.id)}, headers=headers)
    assert [t["name"] for t in village.json()["items"]] == ["Tổ v12"]
    outside = await client.get("/api/v1/teams", params={"unit_id": str(world.c3.id)}, headers=headers)
    assert outside.status_code == 404


async def test_status_filter(client, world, session, teams):
    teams["v12"].status = "dissolved"
    await session.commit()
    headers = world.auth(Role.commune_officer)
    response = await client.get("/api/v1/teams", params={"status": "dissolved"}, headers=headers)
    assert [t["name"] for t in response.json()["items"]] == ["Tổ v12"]
    bad = await client.get("/api/v1/teams", params={"status": "gone"}, headers=headers)
    assert bad.status_code == 422


async def test_client_id_replay_gives_one_record(client, world):
    headers = world.auth(Role.commune_officer)
    data = body(world, id=str(uuid.uuid4()))
    responses = [await client.post("/api/v1/teams", json=data, headers=headers) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert {r.json()["id"] for r in responses} == {data["id"]}
    listed = await client.get("/api/v1/teams", headers=headers)
    assert listed.json()["total"] == 1
    changed = await client.post("/api/v1/teams", json=data | {"name": "Tổ khác"}, headers=headers)
    assert changed.status_code == 409
    assert (await client.get(f"/api/v1/teams/{data['id']}", headers=headers)).json()["name"] == data["name"]


async def test_client_id_of_a_record_out_of_sight_answers_as_get_does(client, world, teams):
    """A taken id out of the caller's sight is a 404, as GET answers: a 409 would confirm it exists."""
    data = body(world, id=str(teams["v31"].id))
    response = await client.post("/api/v1/teams", json=data, headers=world.auth(Role.commune_officer))
    assert response.status_code == 404


async def test_stale_if_match_is_412_and_changes_nothing(client, world, teams):
    url = f"/api/v1/teams/{teams['v11'].id}"
    headers = world.auth(Role.commune_officer)
    first = await client.patch(url, json={"name": "Tổ một"}, headers=headers | {"If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"name": "Tổ hai"}, headers=headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.delete(url, headers=headers | {"If-Match": '"1"'})).status_code == 412
    current = await client.get(url, headers=headers)
    assert (current.json()["name"], current.json()["version"]) == ("Tổ một", 2)
    assert (await client.delete(url, headers=headers | {"If-Match": '"2"'})).status_code == 204


async def test_an_update_that_changes_nothing_keeps_the_version(client, world, teams):
    url = f"/api/v1/teams/{teams['v11'].id}"
    response = await client.patch(url, json={"name": "Tổ v11"}, headers=world.auth(Role.commune_officer))
    assert response.json()["version"] == 1


async def test_deleting_a_team_with_active_members_is_409(client, world, session, teams):
    team = teams["v11"]
    active = await make_member(session, team, "Đang làm", left_on=FAR_FUTURE)
    await session.commit()
    url = f"/api/v1/teams/{team.id}"
    headers = world.auth(Role.commune_officer)
    response = await client.delete(url, headers=headers)
    assert response.status_code == 409
    assert "1 active member" in response.json()["detail"]
    assert (await client.get(url, headers=headers)).status_code == 200
    left = await client.patch(
        f"/api/v1/members/{active.id}", json={"left_on": str(FAR_PAST)}, headers=headers
    )
    assert left.status_code == 200
    assert (await client.delete(url, headers=headers)).status_code == 204


async def test_deleting_a_team_takes_its_former_members_along(client, world, session, teams):
    team = teams["v11"]
    former = await make_member(session, team, "Đã rời", left_on=FAR_PAST)
    other = await make_member(session, teams["v12"], "Tổ khác", left_on=FAR_PAST)
    await session.commit()
    headers = world.auth(Role.commune_officer)
    assert (await client.delete(f"/api/v1/teams/{team.id}", headers=headers)).status_code == 204
    assert (await client.get(f"/api/v1/members/{former.id}", headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/members/{other.id}", headers=headers)).status_code == 200
    feed = await client.get(
        "/api/v1/members", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=headers
    )
    assert {i["id"]: i.get("deleted") for i in feed.json()["items"]} == {
        str(former.id): True,
        str(other.id): None,
    }


async def test_moving_a_team_moves_its_members(client, world, session, teams):
    team = teams["v11"]
    member = await make_member(session, team, "Theo tổ")
    await session.commit()
    url = f"/api/v1/teams/{team.id}"
    leader = world.auth(Role.team_leader)
    assert (await client.get(f"/api/v1/members/{member.id}", headers=leader)).status_code == 200
    officer = world.auth(Role.commune_officer)
    for unit in (world.p, world.v21, world.c3):  # a province; out of the officer's scope (twice)
        refused = await client.patch(url, json={"unit_id": str(unit.id)}, headers=officer)
        assert refused.status_code == 404 and refused.json()["errors"][0]["loc"] == ["body", "unit_id"]
    moved = await client.patch(url, json={"unit_id": str(world.v12.id)}, headers=officer)
    assert moved.status_code == 200 and moved.json()["unit_id"] == str(world.v12.id)
    assert moved.json()["member_count"] == 1
    got = await client.get(f"/api/v1/members/{member.id}", headers=officer)
    assert (got.json()["unit_id"], got.json()["version"]) == (str(world.v12.id), 2)
    assert (await client.get(f"/api/v1/members/{member.id}", headers=leader)).status_code == 404
    stored = await session.scalar(select(Member.unit_id).where(Member.id == member.id))
    assert stored == world.v12.id


async def test_change_feed_reports_updates_and_deletions_with_a_cursor(client, world, teams):
    headers = world.auth(Role.commune_officer)
    first = await client.get(
        "/api/v1/teams", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=headers
    )
    assert first.status_code == 200
    page = first.json()
    assert {i["id"] for i in page["items"]} == {str(teams[n].id) for n in ("c1", "v11", "v12")}
    assert page["has_more"] is False
    cursor = page["next_cursor"]

    created = await client.post("/api/v1/teams", json=body(world), headers=headers)
    assert (await client.delete(f"/api/v1/teams/{teams['v12'].id}", headers=headers)).status_code == 204
    after = (await client.get("/api/v1/teams", params={"cursor": cursor}, headers=headers)).json()
    items = {i["id"]: i for i in after["items"]}
    assert items.keys() == {created.json()["id"], str(teams["v12"].id)}
    assert items[str(teams["v12"].id)]["deleted"] is True
    assert items[created.json()["id"]]["name"] == "Tổ CNSCĐ thôn Đình"
    again = (
        await client.get("/api/v1/teams", params={"cursor": after["next_cursor"]}, headers=headers)
    ).json()
    assert again["items"] == [] and again["next_cursor"] == after["next_cursor"]
    listed = await client.get("/api/v1/teams", headers=headers)
    assert {t["name"] for t in listed.json()["items"]} == {"Tổ c1", "Tổ v11", "Tổ CNSCĐ thôn Đình"}


async def test_change_feed_is_scoped_and_pages(client, world, session, teams):
    for i in range(4):
        await make_team(session, world.v11, f"Tổ phụ {i}")
    await session.commit()
    headers, seen, cursor = world.auth(Role.team_member), [], None
    params = {"updated_since": "2000-01-01T00:00:00+07:00", "limit": 2}
    while True:
        page = (
            await client.get(
                "/api/v1/teams", params=params | ({"cursor": cursor} if cursor else {}), headers=headers
            )
        ).json()
        seen += [i["name"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen) == ["Tổ phụ 0", "Tổ phụ 1", "Tổ phụ 2", "Tổ phụ 3", "Tổ v11"]
    bad = await client.get("/api/v1/teams", params={"cursor": "garbage"}, headers=headers)
    assert bad.status_code == 422


async def test_every_write_is_audited_under_the_team_unit(client, world):
    headers = world.auth(Role.commune_officer)
    team = (await client.post("/api/v1/teams", json=body(world), headers=headers)).json()
    await client.patch(f"/api/v1/teams/{team['id']}", json={"status": "inactive"}, headers=headers)
    await client.delete(f"/api/v1/teams/{team['id']}", headers=headers)
    entries = (
        await client.get(
            "/api/v1/audit", params={"resource": "team", "resource_id": team["id"]}, headers=headers
        )
    ).json()["items"]
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    assert {e["unit_id"] for e in entries} == {str(world.v11.id)}
    assert entries[1]["before"]["status"] == "active" and entries[1]["after"]["status"] == "inactive"
    assert entries[2]["after"]["name"] == "Tổ CNSCĐ thôn Đình"
    assert entries[0]["actor_id"] == str(world.users[Role.commune_officer].id)


# --- founding and re-organisation by decision, hints, coverage, directory (issue 20, item 1) -------


async def test_a_team_is_founded_and_reorganised_by_decisions_each_with_its_roster(client, world, session):
    officer = world.auth(Role.commune_officer)
    created = await client.post(
        "/api/v1/teams",
        json={
            "unit_id": str(world.c1.id),
            "name": "Tổ Công nghệ số cộng đồng xã",
            "charter": "Quy chế hoạt động:\n1. Họp tổ mỗi tháng.",
            "zalo_url": "https://zalo.me/g/abcdef123",
        },
        headers=officer,
    )
    assert created.status_code == 201, created.text
    team = created.json()
    assert team["charter"].startswith("Quy chế") and team["zalo_url"] == "https://zalo.me/g/abcdef123"
    team_row = await session.get(Team, uuid.UUID(team["id"]))
    lan = await make_member(session, team_row, "Trần Thị Lan", position="leader")
    await make_member(session, team_row, "Lê Văn Hùng", position="member")
    await session.commit()

    founded = await client.post(
        f"/api/v1/teams/{team['id']}/decisions",
        json={
            "kind": "founding",
            "number": "1067/QĐ-UBND",
            "decided_on": "2025-10-09",
            "signer": "Chủ tịch UBND xã",
        },
        headers=officer,
    )
    assert founded.status_code == 201, founded.text
    assert [(r["full_name"], r["position"]) for r in founded.json()["roster"]] == [
        ("Trần Thị Lan", "leader"),
        ("Lê Văn Hùng", "member"),
    ]
    read = (await client.get(f"/api/v1/teams/{team['id']}", headers=officer)).json()
    assert (read["decision_no"], read["decision_date"], read["version"]) == ("1067/QĐ-UBND", "2025-10-09", 2)

    again = await client.post(
        f"/api/v1/teams/{team['id']}/decisions",
        json={"kind": "founding", "number": "1/QĐ-UBND", "decided_on": "2025-10-10"},
        headers=officer,
    )
    assert again.status_code == 409 and again.json()["code"] == "team.already_founded"

    lan.position = "deputy"
    await make_member(session, team_row, "Phạm Minh Tú", position="leader")
    await session.commit()
    reorganised = await client.post(
        f"/api/v1/teams/{team['id']}/decisions",
        json={"kind": "reorganisation", "number": "529/QĐ-UBND", "decided_on": "2026-03-30"},
        headers=officer,
    )
    assert reorganised.status_code == 201, reorganised.text
    listed = (await client.get(f"/api/v1/teams/{team['id']}/decisions", headers=officer)).json()["items"]
    assert [(d["kind"], d["number"], d["decided_on"]) for d in listed] == [
        ("founding", "1067/QĐ-UBND", "2025-10-09"),
        ("reorganisation", "529/QĐ-UBND", "2026-03-30"),
    ]
    assert [(r["full_name"], r["position"]) for r in listed[1]["roster"]] == [
        ("Phạm Minh Tú", "leader"),
        ("Trần Thị Lan", "deputy"),
        ("Lê Văn Hùng", "member"),
    ]
    # The founding decision stays the team's.
    read = (await client.get(f"/api/v1/teams/{team['id']}", headers=officer)).json()
    assert read["decision_no"] == "1067/QĐ-UBND"
    before = await client.post(
        f"/api/v1/teams/{team['id']}/decisions",
        json={"kind": "reorganisation", "number": "2/QĐ-UBND", "decided_on": "2025-01-01"},
        headers=officer,
    )
    assert before.status_code == 422 and before.json()["code"] == "team.decision_before_founding"


async def test_decisions_are_the_communes_to_record(client, world, teams):
    body = {"kind": "founding", "number": "12/QĐ-UBND", "decided_on": "2025-10-09"}
    leader = await client.post(
        f"/api/v1/teams/{teams['v11'].id}/decisions", json=body, headers=world.auth(Role.team_leader)
    )
    assert leader.status_code == 403
    other = await client.post(
        f"/api/v1/teams/{teams['v21'].id}/decisions", json=body, headers=world.auth(Role.commune_officer)
    )
    assert other.status_code == 404
    listed = await client.get(
        f"/api/v1/teams/{teams['v11'].id}/decisions", headers=world.auth(Role.team_member)
    )
    assert listed.status_code == 200 and listed.json()["items"] == []


async def test_bad_zalo_link_is_refused(client, world):
    response = await client.post(
        "/api/v1/teams",
        json=body(world, zalo_url="javascript:alert(1)"),
        headers=world.auth(Role.commune_officer),
    )
    assert response.status_code == 422


async def test_profile_shows_the_plans_rules_as_hints(client, world, session, teams):
    team = teams["v11"]
    year = date.today().year
    for i, born in enumerate((year - 25, year - 30, year - 55)):
        await make_member(session, team, f"Thành viên {i}", birth_year=born)
    await make_member(session, team, "Cộng tác viên", position="collaborator", birth_year=year - 60)
    await make_team(session, world.v11, "Tổ thứ hai")
    await session.commit()
    response = await client.get(f"/api/v1/teams/{team.id}/profile", headers=world.auth(Role.team_leader))
    assert response.status_code == 200, response.text
    profile = response.json()
    assert (profile["active_members"], profile["collaborators"], profile["leaders"]) == (3, 1, 0)
    assert (profile["under_40"], profile["with_birth_year"], profile["under_40_pct"]) == (2, 4, 50.0)
    assert {h["code"] for h in profile["hints"]} == {
        "team.small",
        "team.no_leader",
        "team.no_decision",
        "team.village_has_another",
    }
    # Hints, not refusals: an eleventh member is taken.
    for i in range(8):
        await make_member(session, team, f"Người {i}", birth_year=year - 20)
    await session.commit()
    added = await client.post(
        "/api/v1/members",
        json={"team_id": str(team.id), "full_name": "Người thứ 12"},
        headers=world.auth(Role.team_leader),
    )
    assert added.status_code == 201
    profile = (
        await client.get(f"/api/v1/teams/{team.id}/profile", headers=world.auth(Role.team_leader))
    ).json()
    assert profile["active_members"] == 12 and "team.large" in {h["code"] for h in profile["hints"]}
    viewer = await client.get(f"/api/v1/teams/{team.id}/profile", headers=world.auth(Role.viewer))
    assert viewer.status_code == 403


async def test_coverage_lists_the_villages_without_a_team(client, world, session):
    await make_team(session, world.v11, "Tổ thôn Đình")
    await make_team(session, world.v12, "Tổ cũ", status="dissolved")
    await session.commit()
    response = await client.get(
        "/api/v1/teams/coverage",
        params={"unit_id": str(world.c1.id)},
        headers=world.auth(Role.commune_officer),
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["villages"], data["with_team"]) == (2, 1)
    assert [v["name"] for v in data["without_team"]] == ["Thôn Chùa"]
    out = await client.get(
        "/api/v1/teams/coverage",
        params={"unit_id": str(world.c2.id)},
        headers=world.auth(Role.commune_officer),
    )
    assert out.status_code == 404


async def test_the_province_sees_a_directory_of_teams_with_their_groups(client, world, session):
    team = await make_team(
        session, world.v11, "Tổ thôn Đình", zalo_url="https://zalo.me/g/dinh", decision_no="5/QĐ"
    )
    await make_member(session, team, "Trần Thị Lan", position="leader")
    await make_team(session, world.c2, "Tổ xã Tây Sơn", zalo_url="https://zalo.me/g/tayson")
    await make_team(session, world.v31, "Tổ ngoài tỉnh", zalo_url="https://zalo.me/g/x")
    await session.commit()
    response = await client.get("/api/v1/teams/directory", headers=world.auth(Role.province_officer))
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 2
    rows = {r["name"]: r for r in page["items"]}
    assert rows["Tổ thôn Đình"]["zalo_url"] == "https://zalo.me/g/dinh"
    assert (rows["Tổ thôn Đình"]["commune_name"], rows["Tổ thôn Đình"]["leader_name"]) == (
        "Xã Đông Hòa",
        "Trần Thị Lan",
    )
    assert rows["Tổ thôn Đình"]["member_count"] == 1
    assert rows["Tổ xã Tây Sơn"]["commune_name"] == "Xã Tây Sơn"
