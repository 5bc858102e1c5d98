import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from app.authz.permissions import Role
from app.kpi import aggregates
from app.kpi.periods import local_today
from app.models import Training, TrainingAttendance
from tests.roster import make_member, make_team, make_training
from tests.world import ROLES

PLACES = ("c1", "v11", "v12", "v21", "v31")
READERS = {Role.admin, Role.province_officer, Role.commune_officer, Role.team_leader, Role.viewer}
# Trainings each role has in its area among those of c1, v11, v12 (commune c1), v21 (c2), v31 (elsewhere),
# the commune's included for a village's team: its members attend them (issue 14).
SEES = {
    Role.admin: set(PLACES),
    Role.province_officer: {"c1", "v11", "v12", "v21"},
    Role.commune_officer: {"c1", "v11", "v12"},
    Role.team_leader: {"c1", "v11"},
    Role.team_member: {"c1", "v11"},  # in its area, but a team member has no trainings:read: 403
    Role.viewer: {"c1", "v11", "v12"},
}
# The province officer too: the department trains the teams' members (plan 002, III.1; issue 20, item 7).
MANAGERS = {Role.admin, Role.province_officer, Role.commune_officer, Role.team_leader}


@pytest.fixture
async def members(world, session):
    """One team per place, one member in each."""
    members = {}
    for name in PLACES:
        team = await make_team(session, world.units[name], f"Tổ {name}")
        members[name] = await make_member(session, team, f"Thành viên {name}")
    await session.commit()
    return members


@pytest.fixture
async def trainings(world, session, members):
    trainings = {
        name: await make_training(session, world.units[name], f"Tập huấn {name}", members=[members[name]])
        for name in PLACES
    }
    await session.commit()
    return trainings


def body(world, members, **overrides):
    return {
        "unit_id": str(world.v11.id),
        "title": "Tập huấn VNeID mức 2",
        "held_on": "2026-04-10",
        "mode": "in_person",
        "topics": ["VNeID", "Chữ ký số"],
        "member_ids": [str(members["v11"].id)],
    } | overrides


@pytest.mark.parametrize("role", ROLES)
async def test_list_is_scoped(client, world, trainings, members, role):
    response = await client.get("/api/v1/trainings", headers=world.auth(role))
    if role not in READERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    page = response.json()
    assert {t["id"] for t in page["items"]} == {str(trainings[n].id) for n in SEES[role]}
    assert page["total"] == len(SEES[role])
    for item in page["items"]:
        name = item["title"].removeprefix("Tập huấn ")
        assert item["member_ids"] == [str(members[name].id)]


@pytest.mark.parametrize("role", ROLES)
async def test_get_in_and_out_of_scope(client, world, trainings, role):
    for name, training in trainings.items():
        response = await client.get(f"/api/v1/trainings/{training.id}", headers=world.auth(role))
        expected = 404 if name not in SEES[role] else 200 if role in READERS else 403
        assert response.status_code == expected, (role, name)
        if expected == 200:
            assert response.json()["title"] == f"Tập huấn {name}"
            assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", ROLES)
async def test_create_as_each_role(client, world, members, role):
    response = await client.post("/api/v1/trainings", json=body(world, members), headers=world.auth(role))
    assert response.status_code == (201 if role in MANAGERS else 403), response.text
    if role in MANAGERS:
        training = response.json()
        assert (training["title"], training["held_on"], training["mode"]) == (
            "Tập huấn VNeID mức 2",
            "2026-04-10",
            "in_person",
        )
        assert training["topics"] == ["VNeID", "Chữ ký số"]
        assert training["member_ids"] == [str(members["v11"].id)]
        assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", ROLES)
async def test_update_and_delete_as_each_role(client, world, trainings, role):
    headers = world.auth(role)
    for name in ("v11", "v31"):
        url = f"/api/v1/trainings/{trainings[name].id}"
        expected = 404 if name not in SEES[role] else 200 if role in MANAGERS else 403
        patched = await client.patch(url, json={"mode": "online"}, headers=headers)
        assert patched.status_code == expected, (role, name, patched.text)
        if expected == 200:
            assert patched.json()["mode"] == "online" and patched.headers["etag"] == '"2"'
        deleted = await client.delete(url, headers=headers)
        assert deleted.status_code == (204 if expected == 200 else expected), (role, name)
        after = await client.get(url, headers=world.auth(Role.admin))
        assert after.status_code == (404 if expected == 200 else 200)
        if expected != 200:
            assert after.json()["mode"] == "in_person"


@pytest.mark.parametrize(
    "unit,attendee,ok",
    [
        ("v11", "v11", True),  # a team of the training's village
        ("v11", "c1", True),  # the commune's team: its unit contains the village
        ("v11", "v12", False),  # a sibling village's team
        ("v11", "v21", False),  # another commune (and out of the officer's scope)
        ("v11", "v31", False),  # another province
        ("c1", "v11", True),  # a village team inside the commune
        ("c1", "v12", True),
        ("c1", "c1", True),
        ("c1", "v21", False),
    ],
)
async def test_attendees_belong_to_the_training_unit(client, world, members, unit, attendee, ok):
    data = body(world, members, unit_id=str(world.units[unit].id), member_ids=[str(members[attendee].id)])
    response = await client.post("/api/v1/trainings", json=data, headers=world.auth(Role.commune_officer))
    assert response.status_code == (201 if ok else 422), response.text
    if ok:
        assert response.json()["member_ids"] == [str(members[attendee].id)]
    else:
        assert response.json()["errors"][0]["loc"] == ["body", "member_ids", 0]


async def test_admin_cannot_add_a_member_of_another_province_either(client, world, members):
    data = body(world, members, member_ids=[str(members["v11"].id), str(members["v31"].id)])
    response = await client.post("/api/v1/trainings", json=data, headers=world.auth(Role.admin))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "member_ids", 1]]
    assert "neither within" in response.json()["errors"][0]["msg"]


async def test_unknown_deleted_or_hidden_members_are_422(client, world, session, members):
    team = await make_team(session, world.v11, "Tổ phụ")
    gone = await make_member(session, team, "Đã xóa", deleted=True)
    await session.commit()
    leader = world.auth(Role.team_leader)
    ids = [str(members["v11"].id), str(uuid.uuid4()), str(gone.id), str(members["c1"].id)]
    response = await client.post(
        "/api/v1/trainings", json=body(world, members, member_ids=ids), headers=leader
    )
    assert response.status_code == 422
    # The commune's member is fine by place, but out of the team leader's sight.
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "member_ids", i] for i in (1, 2, 3)]
    assert all("does not exist" in e["msg"] for e in response.json()["errors"])
    assert (await client.get("/api/v1/trainings", headers=leader)).json()["total"] == 0


async def test_member_ids_come_back_sorted_without_repeats(client, world, session, members):
    team = await make_team(session, world.v11, "Tổ phụ")
    extra = [await make_member(session, team, f"Người {i}") for i in range(4)]
    await session.commit()
    ids = [str(m.id) for m in reversed(extra)] + [str(extra[0].id), str(members["c1"].id)]
    response = await client.post(
        "/api/v1/trainings",
        json=body(world, members, member_ids=ids),
        headers=world.auth(Role.commune_officer),
    )
    assert response.status_code == 201
    expected = sorted({str(m.id) for m in extra} | {str(members["c1"].id)})
    assert response.json()["member_ids"] == expected
    got = await client.get(f"/api/v1/trainings/{response.json()['id']}", headers=world.auth(Role.viewer))
    assert got.json()["member_ids"] == expected


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"title": ""}, "title"),
        ({"title": "Tập\x00huấn"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"held_on": "1899-12-31"}, "held_on"),
        ({"held_on": "2101-01-01"}, "held_on"),
        ({"held_on": "2026-02-30"}, "held_on"),
        ({"held_on": None}, "held_on"),
        ({"mode": "hybrid"}, "mode"),
        ({"topics": [f"Chủ đề {i}" for i in range(21)]}, "topics"),
        ({"topics": ["x" * 101]}, 0),
        ({"topics": [""]}, 0),
        ({"topics": ["a\x00"]}, 0),
        ({"topics": "VNeID"}, "topics"),
        ({"member_ids": ["not-a-uuid"]}, 0),
        ({"member_ids": [str(uuid.uuid4()) for _ in range(501)]}, "member_ids"),
        ({"version": 3}, "version"),
    ],
)
async def test_training_rules(client, world, members, overrides, field):
    if overrides.get("unit_id") == "c3":
        overrides["unit_id"] = str(world.c3.id)
    response = await client.post(
        "/api/v1/trainings", json=body(world, members, **overrides), headers=world.auth(Role.commune_officer)
    )
    assert response.status_code == 422, response.text
    assert field in [e["loc"][-1] for e in response.json()["errors"]]
    assert (await client.get("/api/v1/trainings", headers=world.auth(Role.admin))).json()["total"] == 0


async def test_twenty_topics_and_a_province_training_are_fine_for_an_admin(client, world, members):
    topics = [f"Chủ đề {i}" for i in range(20)]
    data = body(world, members, unit_id=str(world.p.id), topics=topics, member_ids=[str(members["v21"].id)])
    response = await client.post("/api/v1/trainings", json=data, headers=world.auth(Role.admin))
    assert response.status_code == 201 and response.json()["topics"] == topics


async def test_client_id_replay_gives_one_record(client, world, session, members):
    team = await make_team(session, world.v11, "Tổ phụ")
    other = await make_member(session, team, "Người khác")
    await session.commit()
    headers = world.auth(Role.team_leader)
    data = body(world, members, id=str(uuid.uuid4()), member_ids=[str(members["v11"].id), str(other.id)])
    responses = [await client.post("/api/v1/trainings", json=data, headers=headers) for _ in range(2)]
    reordered = data | {"member_ids": list(reversed(data["member_ids"]))}
    responses.append(await client.post("/api/v1/trainings", json=reordered, headers=headers))
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert {r.json()["id"] for r in responses} == {data["id"]}
    assert (await client.get("/api/v1/trainings", headers=headers)).json()["total"] == 1
    fewer = await client.post(
        "/api/v1/trainings", json=data | {"member_ids": data["member_ids"][:1]}, headers=headers
    )
    assert fewer.status_code == 409 and "member_ids" in fewer.json()["detail"]
    retitled = await client.post("/api/v1/trainings", json=data | {"title": "Khác"}, headers=headers)
    assert retitled.status_code == 409
    got = (await client.get(f"/api/v1/trainings/{data['id']}", headers=headers)).json()
    assert (got["title"], got["member_ids"], got["version"]) == (data["title"], sorted(data["member_ids"]), 1)


async def test_stale_if_match_is_412_and_changes_nothing(client, world, trainings, members):
    url = f"/api/v1/trainings/{trainings['v11'].id}"
    headers = world.auth(Role.team_leader)
    first = await client.patch(url, json={"title": "Mới"}, headers=headers | {"If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = await client.patch(
        url, json={"title": "Cũ", "member_ids": []}, headers=headers | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await client.delete(url, headers=headers | {"If-Match": '"1"'})).status_code == 412
    current = (await client.get(url, headers=headers)).json()
    assert (current["title"], current["version"], current["member_ids"]) == (
        "Mới",
        2,
        [str(members["v11"].id)],
    )


async def test_update_replaces_attendees_and_moves_the_version(client, world, session, trainings, members):
    url = f"/api/v1/trainings/{trainings['c1'].id}"
    headers = world.auth(Role.commune_officer)
    same = await client.patch(
        url, json={"member_ids": [str(members["c1"].id)], "mode": "in_person"}, headers=headers
    )
    assert same.status_code == 200 and same.json()["version"] == 1  # nothing changed
    ids = sorted([str(members["v11"].id), str(members["v12"].id)])
    changed = await client.patch(url, json={"member_ids": [*reversed(ids), ids[0]]}, headers=headers)
    assert changed.status_code == 200
    assert (changed.json()["member_ids"], changed.json()["version"]) == (ids, 2)
    stored = await session.scalars(
        select(TrainingAttendance.member_id).where(TrainingAttendance.training_id == trainings["c1"].id)
    )
    assert sorted(str(m) for m in stored) == ids
    topics = await client.patch(url, json={"topics": ["An toàn mạng"]}, headers=headers)
    assert (topics.json()["topics"], topics.json()["version"], topics.json()["member_ids"]) == (
        ["An toàn mạng"],
        3,
        ids,
    )
    for field in ("title", "held_on", "mode", "topics", "member_ids", "unit_id"):
        nulled = await client.patch(url, json={field: None}, headers=headers)
        assert nulled.status_code == 422 and nulled.json()["errors"][0]["loc"] == ["body", field]


async def test_recorded_attendees_stay_when_someone_with_a_narrower_view_edits(
    client, world, session, members
):
    """A commune officer records a commune-team member at a village training; the village's team
    leader cannot see that member, yet may add its own members without dropping them."""
    officer, leader = world.auth(Role.commune_officer), world.auth(Role.team_leader)
    data = body(world, members, member_ids=[str(members["c1"].id)])
    created = (await client.post("/api/v1/trainings", json=data, headers=officer)).json()
    ids = [str(members["c1"].id), str(members["v11"].id)]
    added = await client.patch(f"/api/v1/trainings/{created['id']}", json={"member_ids": ids}, headers=leader)
    assert added.status_code == 200 and added.json()["member_ids"] == sorted(ids)


async def test_moving_a_training_rechecks_its_attendees(client, world, trainings, members):
    url = f"/api/v1/trainings/{trainings['c1'].id}"
    headers = world.auth(Role.commune_officer)
    ids = [str(members["v12"].id), str(members["c1"].id)]
    assert (await client.patch(url, json={"member_ids": ids}, headers=headers)).status_code == 200
    refused = await client.patch(url, json={"unit_id": str(world.v11.id)}, headers=headers)
    assert refused.status_code == 422
    index = sorted(ids).index(str(members["v12"].id))  # the stored list is sorted
    assert [e["loc"] for e in refused.json()["errors"]] == [["body", "member_ids", index]]
    assert (await client.get(url, headers=headers)).json()["unit_id"] == str(world.c1.id)
    moved = await client.patch(
        url, json={"unit_id": str(world.v11.id), "member_ids": [str(members["c1"].id)]}, headers=headers
    )
    assert moved.status_code == 200 and moved.json()["unit_id"] == str(world.v11.id)
    outside = await client.patch(url, json={"unit_id": str(world.v21.id)}, headers=headers)
    assert outside.status_code == 404 and outside.json()["errors"][0]["loc"] == ["body", "unit_id"]
    leader_move = await client.patch(
        url, json={"unit_id": str(world.c1.id)}, headers=world.auth(Role.team_leader)
    )
    assert leader_move.status_code == 404  # c1 is above the leader's village: not in its area


async def test_delete_is_hard_and_audited(client, world, session, trainings, members):
    training_id = trainings["v11"].id
    headers = world.auth(Role.team_leader)
    assert (await client.delete(f"/api/v1/trainings/{training_id}", headers=headers)).status_code == 204
    assert (await client.get(f"/api/v1/trainings/{training_id}", headers=headers)).status_code == 404
    assert (
        await session.scalar(select(func.count()).select_from(Training).where(Training.id == training_id))
        == 0
    )
    attendance = select(func.count()).select_from(TrainingAttendance)
    assert await session.scalar(attendance.where(TrainingAttendance.training_id == training_id)) == 0
    assert await session.scalar(attendance) == 4  # the other trainings keep theirs
    params = {"resource": "training", "resource_id": str(training_id)}
    audit = await client.get("/api/v1/audit", params=params, headers=world.auth(Role.commune_officer))
    entries = audit.json()["items"]
    assert [e["action"] for e in entries] == ["delete"]
    assert entries[0]["unit_id"] == str(world.v11.id)
    assert entries[0]["before"]["member_ids"] == [str(members["v11"].id)]
    assert entries[0]["before"]["title"] == "Tập huấn v11"


async def test_create_and_update_are_audited(client, world, members):
    headers = world.auth(Role.team_leader)
    created = (await client.post("/api/v1/trainings", json=body(world, members), headers=headers)).json()
    await client.patch(f"/api/v1/trainings/{created['id']}", json={"member_ids": []}, headers=headers)
    params = {"resource": "training", "resource_id": created["id"]}
    audit = await client.get("/api/v1/audit", params=params, headers=world.auth(Role.commune_officer))
    entries = audit.json()["items"]
    assert [e["action"] for e in entries] == ["update", "create"]
    assert (
        entries[0]["before"]["member_ids"] == [str(members["v11"].id)]
        and entries[0]["after"]["member_ids"] == []
    )
    assert entries[1]["after"]["topics"] == ["VNeID", "Chữ ký số"]
    assert {e["unit_id"] for e in entries} == {str(world.v11.id)}


async def test_filters(client, world, session, members, trainings):
    await make_training(session, world.v12, "Trực tuyến", members=[members["v12"]], mode="online",
                        held_on=date(2025, 11, 20))  # fmt: skip
    await session.commit()
    headers = world.auth(Role.commune_officer)

    async def titles(**params):
        response = await client.get("/api/v1/trainings", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [t["title"] for t in response.json()["items"]]

    assert await titles(mode="online") == ["Trực tuyến"]
    assert await titles(held_to="2025-12-31") == ["Trực tuyến"]
    assert await titles(held_from="2026-01-01", unit_id=str(world.v12.id)) == ["Tập huấn v12"]
    assert await titles(unit_id=str(world.v12.id)) == ["Tập huấn v12", "Trực tuyến"]  # the latest first
    assert await titles(member_id=str(members["v12"].id)) == ["Tập huấn v12", "Trực tuyến"]
    assert await titles(member_id=str(members["v21"].id)) == []
    outside = await client.get("/api/v1/trainings", params={"unit_id": str(world.c3.id)}, headers=headers)
    assert outside.status_code == 404


async def test_the_province_trains_members_of_its_communes(client, world, session, members):
    """The department's training (Sở, plan 002 III.1): held at the province, attended by members of
    teams in two of its communes, each counted trained in its own commune's KPI; a member of another
    province is refused; the commune officer reads it from below and cannot change it."""
    await aggregates.rebuild(session)
    await session.commit()
    officer = world.auth(Role.province_officer)
    today = local_today()
    data = body(
        world,
        members,
        unit_id=str(world.p.id),
        title="Tập huấn của Sở KH&CN",
        held_on=today.isoformat(),
        member_ids=[str(members["v11"].id), str(members["v21"].id), str(members["c1"].id)],
    )
    created = await client.post("/api/v1/trainings", json=data, headers=officer)
    assert created.status_code == 201, created.text
    training = created.json()
    assert training["unit_id"] == str(world.p.id)
    assert training["member_ids"] == sorted(str(members[n].id) for n in ("v11", "v21", "c1"))
    for unit, trained in ((world.c1, 2), (world.c2, 1), (world.p, 3)):
        kpi = await client.get(
            "/api/v1/kpi", params={"unit_id": str(unit.id), "period": str(today.year)}, headers=officer
        )
        figures = {i["code"]: i for i in kpi.json()["indicators"]}["members_trained_pct"]
        assert figures["numerator"] == trained, (unit.name, figures)
    elsewhere = await client.post(
        "/api/v1/trainings",
        json=data | {"member_ids": [str(members["v31"].id)]},
        headers=officer,
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["code"] == "member.unknown"  # out of the officer's sight
    commune = world.auth(Role.commune_officer)
    url = f"/api/v1/trainings/{training['id']}"
    assert (await client.get(url, headers=commune)).json()["title"] == "Tập huấn của Sở KH&CN"
    assert (await client.patch(url, json={"mode": "online"}, headers=commune)).status_code == 403
    renamed = await client.patch(url, json={"mode": "online"}, headers=officer | {"If-Match": '"1"'})
    assert renamed.status_code == 200 and renamed.json()["mode"] == "online"
    assert (await client.delete(url, headers=officer)).status_code == 204
