import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.authz.permissions import Role
from app.models import Activity
from tests.test_campaigns import MAY_START, audit_rows, make_activity, make_campaign, make_event, make_member
from tests.world import ROLES, make_household

READERS = {Role.admin, Role.province_officer, Role.commune_officer, Role.team_leader, Role.team_member}
RECORDERS = {Role.admin, Role.commune_officer, Role.team_leader, Role.team_member}
MANAGERS = {Role.admin, Role.commune_officer, Role.team_leader}
# Activities each role sees among those of v11, v12 (commune c1), v21 (c2) and v31 (other province).
SEES = {
    Role.admin: {"v11", "v12", "v21", "v31"},
    Role.province_officer: {"v11", "v12", "v21"},
    Role.commune_officer: {"v11", "v12"},
    Role.team_leader: {"v11"},
    Role.team_member: {"v11"},
}


@pytest.fixture
async def acts(world, session):
    acts = {
        name: await make_activity(session, world.units[name], note=f"Hỗ trợ {name}")
        for name in ("v11", "v12", "v21", "v31")
    }
    await session.commit()
    return acts


@pytest.fixture
async def refs(world, session):
    """A campaign of c1 with an event in v11, another of c2, households, members."""
    refs = {
        "campaign": await make_campaign(session, world.c1),
        "other_campaign": await make_campaign(session, world.c2),
        "v12_campaign": await make_campaign(session, world.v12),
        "p_campaign": await make_campaign(session, world.p),
        "household": await make_household(session, world.v11, "Hộ Đình"),
        "v12_household": await make_household(session, world.v12, "Hộ Chùa"),
        "gone_household": await make_household(session, world.v11, "Hộ cũ", deleted_at=datetime.now(UTC)),
        "member": await make_member(session, world.v11, "Thành viên thôn"),
        "c1_member": await make_member(session, world.c1, "Thành viên xã"),
        "v12_member": await make_member(session, world.v12, "Thành viên thôn khác"),
        "gone_member": await make_member(session, world.v11, "Đã nghỉ", deleted_at=datetime.now(UTC)),
    }
    refs["event"] = await make_event(session, refs["campaign"], world.v11)
    refs["c1_event"] = await make_event(session, refs["campaign"], world.c1)
    refs["v12_event"] = await make_event(session, refs["campaign"], world.v12)
    refs["other_event"] = await make_event(session, refs["p_campaign"], world.v11)
    await session.commit()
    return refs


def body(world, **overrides):
    return {
        "unit_id": str(world.v11.id),
        "occurred_at": "2025-05-10T09:15:00+07:00",
        "kind": "vneid_activation",
        "people_count": 3,
        "note": "Kích hoạt VNeID mức 2",
    } | overrides


async def count(session) -> int:
    return await session.scalar(select(func.count()).select_from(Activity))


@pytest.mark.parametrize("role", ROLES)
async def test_list_is_scoped_and_viewers_read_no_activities(client, world, acts, role):
    response = await client.get("/api/v1/activities", headers=world.auth(role))
    if role not in READERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {a["id"] for a in response.json()["items"]} == {str(acts[n].id) for n in SEES[role]}
    assert response.json()["total"] == len(SEES[role])


@pytest.mark.parametrize("role", ROLES)
async def test_get_in_and_out_of_scope(client, world, acts, role):
    for name, activity in acts.items():
        response = await client.get(f"/api/v1/activities/{activity.id}", headers=world.auth(role))
        if role not in READERS:
            expected = 403 if name in {"v11", "v12"} else 404  # a viewer at c1 sees c1's subtree
        else:
            expected = 200 if name in SEES[role] else 404
        assert response.status_code == expected, (role, name)
        if expected == 200:
            assert response.json()["note"] == f"Hỗ trợ {name}" and response.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", ROLES)
async def test_create_as_each_role(client, world, session, role):
    response = await client.post("/api/v1/activities", json=body(world), headers=world.auth(role))
    assert response.status_code == (201 if role in RECORDERS else 403), response.text
    if role not in RECORDERS:
        assert await count(session) == 0
        return
    created = response.json()
    assert created["recorded_by"] == str(world.users[role].id)
    assert created["occurred_at"] == "2025-05-10T02:15:00Z"
    assert (created["kind"], created["people_count"], created["dossier_count"]) == ("vneid_activation", 3, 0)
    assert created["campaign_id"] is None and created["version"] == 1
    assert response.headers["etag"] == '"1"'
    [audit] = await audit_rows(session, "activity", created["id"])
    assert (audit.action, audit.unit_id, audit.after["people_count"]) == ("create", world.v11.id, 3)


@pytest.mark.parametrize("role", ROLES)
async def test_update_and_delete_as_each_role(client, world, session, acts, role):
    url = f"/api/v1/activities/{acts['v11'].id}"
    response = await client.patch(url, json={"people_count": 5}, headers=world.auth(role))
    assert response.status_code == (200 if role in MANAGERS else 403), response.text
    if role in MANAGERS:
        assert response.json()["people_count"] == 5 and response.headers["etag"] == '"2"'
    deleted = await client.delete(url, headers=world.auth(role))
    assert deleted.status_code == (204 if role in MANAGERS else 403)
    after = await client.get(url, headers=world.auth(Role.admin))
    assert after.status_code == (404 if role in MANAGERS else 200)
    outside = await client.patch(f"/api/v1/activities/{acts['v31'].id}", json={"people_count": 5},
                                 headers=world.auth(role))  # fmt: skip
    assert outside.status_code == (200 if role is Role.admin else 404)


async def test_a_team_member_records_only_in_their_own_area(client, world, session):
    headers = world.auth(Role.team_member)
    response = await client.post(
        "/api/v1/activities", json=body(world, unit_id=str(world.v12.id)), headers=headers
    )
    assert response.status_code == 404 and response.json()["errors"][0]["loc"] == ["body", "unit_id"]
    assert await count(session) == 0


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"people_count": 0}, "people_count"),
        ({"people_count": 1001}, "people_count"),
        ({"people_count": 2**40}, "people_count"),
        ({"dossier_count": -1}, "dossier_count"),
        ({"dossier_count": 1001}, "dossier_count"),
        ({"occurred_at": "2025-05-10T09:15:00"}, "occurred_at"),  # no offset
        ({"occurred_at": "1999-12-31T23:00:00+07:00"}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00+07:00"}, "occurred_at"),
        ({"occurred_at": "not a time"}, "occurred_at"),
        ({"kind": "gossip"}, "kind"),
        ({"note": "a\x00b"}, "note"),
        ({"note": "x" * 2001}, "note"),
        ({"recorded_by": str(uuid.UUID(int=7))}, "recorded_by"),  # set by the server
        ({"household_id": "x"}, "household_id"),
    ],
)
async def test_activity_field_rules(client, world, session, overrides, field):
    response = await client.post(
        "/api/v1/activities", json=body(world, **overrides), headers=world.auth(Role.team_leader)
    )
    assert response.status_code == 422, response.text
    assert any(field in e["loc"] for e in response.json()["errors"]), response.json()
    assert await count(session) == 0


async def test_occurred_at_at_most_a_day_ahead(client, world):
    headers = world.auth(Role.team_member)
    for ahead, status in [(timedelta(days=2), 422), (timedelta(hours=20), 201)]:
        moment = (datetime.now(UTC) + ahead).isoformat()
        response = await client.post(
            "/api/v1/activities", json=body(world, occurred_at=moment), headers=headers
        )
        assert response.status_code == status, response.text
    assert response.json()["occurred_at"].startswith(str((datetime.now(UTC) + ahead).date()))


@pytest.mark.parametrize(
    "refs_used,field",
    [
        ({"household_id": "v12_household"}, "household_id"),  # another village's
        ({"household_id": "gone_household"}, "household_id"),  # deleted
        ({"household_id": None}, "household_id"),  # unknown
        ({"event_id": "v12_event"}, "event_id"),  # in another village
        ({"event_id": None}, "event_id"),
        ({"event_id": "event", "campaign_id": "p_campaign"}, "campaign_id"),  # not the event's campaign
        ({"campaign_id": "other_campaign"}, "campaign_id"),  # commune c2's
        ({"campaign_id": "v12_campaign"}, "campaign_id"),  # village v12's
        ({"campaign_id": None}, "campaign_id"),
        ({"member_id": "v12_member"}, "member_id"),  # the team of another village
        ({"member_id": "gone_member"}, "member_id"),
        ({"member_id": None}, "member_id"),
    ],
)
async def test_references_must_agree_with_the_unit(client, world, session, refs, refs_used, field):
    overrides = {k: str(refs[v].id) if v else str(uuid.uuid4()) for k, v in refs_used.items()}
    response = await client.post(
        "/api/v1/activities", json=body(world, **overrides), headers=world.auth(Role.team_member)
    )
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == [["body", field]]
    assert await count(session) == 0


@pytest.mark.parametrize(
    "refs_used,campaign",
    [
        ({"household_id": "household"}, None),
        ({"event_id": "event"}, "campaign"),  # the campaign comes from the event
        ({"event_id": "c1_event"}, "campaign"),  # an event of the commune covers the village
        ({"event_id": "event", "campaign_id": "campaign"}, "campaign"),
        ({"campaign_id": "campaign"}, "campaign"),
        ({"campaign_id": "p_campaign"}, "p_campaign"),  # the province's campaign covers it too
        ({"member_id": "member"}, None),
        ({"member_id": "c1_member"}, None),  # the commune team works in every village
        ({"household_id": "household", "event_id": "event", "member_id": "member"}, "campaign"),
    ],
)
async def test_references_that_agree(client, world, refs, refs_used, campaign):
    overrides = {k: str(refs[v].id) for k, v in refs_used.items()}
    response = await client.post(
        "/api/v1/activities", json=body(world, **overrides), headers=world.auth(Role.team_member)
    )
    assert response.status_code == 201, response.text
    created = response.json()
    for key, value in overrides.items():
        assert created[key] == value
    assert created["campaign_id"] == (str(refs[campaign].id) if campaign else None)


async def test_update_checks_the_references_that_change(client, world, session, refs):
    headers = world.auth(Role.team_leader)
    data = body(world, household_id=str(refs["household"].id), event_id=str(refs["event"].id))
    created = (await client.post("/api/v1/activities", json=data, headers=headers)).json()
    url = f"/api/v1/activities/{created['id']}"
    refs["household"].deleted_at = datetime.now(UTC)  # deleted since: an edit of the note still works
    await session.commit()
    note = await client.patch(url, json={"note": "Đã sửa"}, headers=headers)
    assert note.status_code == 200 and note.json()["household_id"] == str(refs["household"].id)
    moved = await client.patch(
        url, json={"unit_id": str(world.v12.id)}, headers=world.auth(Role.commune_officer)
    )
    assert moved.status_code == 422
    assert {e["loc"][-1] for e in moved.json()["errors"]} == {"household_id", "event_id"}
    wrong = await client.patch(url, json={"campaign_id": str(refs["p_campaign"].id)}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["body", "campaign_id"]
    # Moving to another event moves the campaign with it.
    follows = await client.patch(url, json={"event_id": str(refs["other_event"].id)}, headers=headers)
    assert follows.status_code == 200, follows.text
    assert follows.json()["campaign_id"] == str(refs["p_campaign"].id)
    null = await client.patch(url, json={"kind": None}, headers=headers)
    assert null.status_code == 422 and null.json()["errors"][0]["loc"] == ["body", "kind"]
    current = (await client.get(url, headers=headers)).json()
    assert (current["note"], current["version"], current["unit_id"]) == ("Đã sửa", 3, str(world.v11.id))


async def test_client_id_replay_gives_one_record(client, world, session, refs):
    headers = world.auth(Role.team_member)
    data = body(world, id=str(uuid.uuid4()), event_id=str(refs["event"].id))
    responses = [await client.post("/api/v1/activities", json=data, headers=headers) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert {r.json()["campaign_id"] for r in responses} == {str(refs["campaign"].id)}
    assert await count(session) == 1
    same_moment = data | {"occurred_at": "2025-05-10T02:15:00Z", "campaign_id": None}
    assert (await client.post("/api/v1/activities", json=same_moment, headers=headers)).status_code == 200
    changed = await client.post("/api/v1/activities", json=data | {"people_count": 4}, headers=headers)
    assert changed.status_code == 409
    assert len(await audit_rows(session, "activity", data["id"])) == 1
    listed = await client.get("/api/v1/activities", headers=headers)
    assert listed.json()["total"] == 1


async def test_stale_if_match_is_412_and_changes_nothing(client, world, acts):
    url = f"/api/v1/activities/{acts['v11'].id}"
    headers = world.auth(Role.team_leader)
    first = await client.patch(url, json={"dossier_count": 2}, headers=headers | {"If-Match": '"1"'})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = await client.patch(url, json={"dossier_count": 9}, headers=headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.delete(url, headers=headers | {"If-Match": '"1"'})).status_code == 412
    current = await client.get(url, headers=headers)
    assert current.status_code == 200
    assert (current.json()["dossier_count"], current.json()["version"]) == (2, 2)


async def test_change_feed_reports_updates_and_deletions_with_a_cursor(client, world, acts):
    headers = world.auth(Role.team_leader)
    first = await client.get(
        "/api/v1/activities", params={"updated_since": "2000-01-01T00:00:00Z"}, headers=headers
    )
    assert first.status_code == 200
    page = first.json()
    assert [i["id"] for i in page["items"]] == [str(acts["v11"].id)]
    assert page["has_more"] is False
    cursor = page["next_cursor"]

    created = await client.post("/api/v1/activities", json=body(world), headers=headers)
    assert (await client.delete(f"/api/v1/activities/{acts['v11'].id}", headers=headers)).status_code == 204
    after = (await client.get("/api/v1/activities", params={"cursor": cursor}, headers=headers)).json()
    items = {i["id"]: i for i in after["items"]}
    assert set(items) == {str(acts["v11"].id), created.json()["id"]}
    assert items[str(acts["v11"].id)]["deleted"] is True and "kind" not in items[str(acts["v11"].id)]
    assert items[created.json()["id"]]["note"] == "Kích hoạt VNeID mức 2"
    again = (
        await client.get("/api/v1/activities", params={"cursor": after["next_cursor"]}, headers=headers)
    ).json()
    assert again["items"] == [] and again["next_cursor"] == after["next_cursor"]
    listed = await client.get("/api/v1/activities", headers=headers)
    assert [a["id"] for a in listed.json()["items"]] == [created.json()["id"]]


async def test_change_feed_pages(client, world, session):
    for i in range(5):
        await make_activity(session, world.v11, note=f"Lượt {i}")
    await make_activity(session, world.v12, note="Thôn khác")
    await session.commit()
    headers, seen, cursor = world.auth(Role.team_member), [], None
    params = {"updated_since": "2000-01-01T00:00:00+07:00", "limit": 2}
    while True:
        page = (await client.get("/api/v1/activities", params=params | ({"cursor": cursor} if cursor else {}),
                                 headers=headers)).json()  # fmt: skip
        seen += [i["note"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen) == [f"Lượt {i}" for i in range(5)]


async def test_filters(client, world, session, refs):
    member, household, event = refs["member"], refs["household"], refs["event"]
    campaign = refs["campaign"]
    made = {
        "signature": await make_activity(session, world.v11, "digital_signature", member_id=member.id,
                                         occurred_at=MAY_START + timedelta(days=3)),
        "at_event": await make_activity(session, world.v11, event_id=event.id, campaign_id=campaign.id),
        "household": await make_activity(session, world.v11, household_id=household.id,
                                         occurred_at=MAY_START - timedelta(days=3)),
        "v12": await make_activity(session, world.v12, campaign_id=campaign.id),
        "v21": await make_activity(session, world.v21),
    }  # fmt: skip
    await session.commit()
    headers = world.auth(Role.province_officer)

    async def names(**params):
        response = await client.get("/api/v1/activities", params=params, headers=headers)
        assert response.status_code == 200, response.text
        by_id = {str(a.id): n for n, a in made.items()}
        return [by_id[a["id"]] for a in response.json()["items"]]

    assert await names(kind="digital_signature") == ["signature"]
    assert set(await names(campaign_id=str(campaign.id))) == {"at_event", "v12"}
    assert await names(event_id=str(event.id)) == ["at_event"]
    assert await names(household_id=str(household.id)) == ["household"]
    assert await names(member_id=str(member.id)) == ["signature"]
    assert set(await names(unit_id=str(world.c1.id))) == {"signature", "at_event", "household", "v12"}
    assert await names(unit_id=str(world.v11.id), **{"from": "2025-05-11T00:00:00Z"}) == ["signature"]
    assert await names(**{"to": "2025-05-10T00:00:00+07:00"}) == ["household"]
    window = {
        "from": "2025-05-10T08:00:00+07:00",
        "to": "2025-05-13T08:00:00+07:00",
        "unit_id": str(world.c1.id),
    }
    assert set(await names(**window)) == {"at_event", "v12"}
    assert (await names())[0] == "signature"  # latest first
    outside = await client.get("/api/v1/activities", params={"unit_id": str(world.c3.id)}, headers=headers)
    assert outside.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"from": "0001-01-01T00:00:00+07:00"},
        {"to": "9999-12-31T23:59:59-07:00"},
        {"updated_since": "0001-01-01T00:00:00+07:00"},
        {"kind": "gossip"},
        {"cursor": "garbage"},
        {"member_id": "nope"},
    ],
)
async def test_bad_query_is_422(client, world, params):
    response = await client.get("/api/v1/activities", params=params, headers=world.auth(Role.admin))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
