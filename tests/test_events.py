import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.authz.permissions import Role
from app.models import CampaignEvent, EventDuty
from tests.test_campaigns import audit_rows, make_activity, make_campaign, make_event, make_member
from tests.world import ROLES

# Events of a campaign of commune c1 at c1, v11 and v12: seen in the caller's area and above it.
SEES = {
    Role.admin: {"c1", "v11", "v12"},
    Role.province_officer: {"c1", "v11", "v12"},
    Role.commune_officer: {"c1", "v11", "v12"},
    Role.team_leader: {"c1", "v11"},
    Role.team_member: {"c1", "v11"},
    Role.viewer: {"c1", "v11", "v12"},
}
# Who may manage an event at v11 (events:manage there).
MANAGERS = {Role.admin, Role.province_officer, Role.commune_officer, Role.team_leader}


@pytest.fixture
async def campaign(world, session):
    campaign = await make_campaign(session, world.c1)  # 2025-05-01 to 2025-05-31
    await session.commit()
    return campaign


@pytest.fixture
async def members(world, session):
    members = {name: await make_member(session, world.units[name], f"Thành viên {name}")
               for name in ("c1", "v11", "v12", "v31")}  # fmt: skip
    members["gone"] = await make_member(session, world.v11, "Đã nghỉ", deleted_at=datetime.now(UTC))
    await session.commit()
    return members


@pytest.fixture
async def events(world, session, campaign):
    events = {name: await make_event(session, campaign, world.units[name], f"Điểm {name}")
              for name in ("c1", "v11", "v12")}  # fmt: skip
    await session.commit()
    return events


def url(campaign, event=None):
    return f"/api/v1/campaigns/{campaign.id}/events" + (f"/{event.id}" if event else "")


def body(world, **overrides):
    return {
        "unit_id": str(world.v11.id),
        "title": "Bình dân học vụ số lưu động",
        "location": "Nhà văn hóa thôn Đình",
        "starts_at": "2025-05-17T07:30:00+07:00",
        "ends_at": "2025-05-17T11:30:00+07:00",
    } | overrides


@pytest.mark.parametrize("role", ROLES)
async def test_list_is_scoped(client, world, events, campaign, role):
    response = await client.get(url(campaign), headers=world.auth(role))
    assert response.status_code == 200
    assert sorted(e["title"] for e in response.json()["items"]) == sorted(f"Điểm {n}" for n in SEES[role])
    assert response.json()["total"] == len(SEES[role])


@pytest.mark.parametrize("role", ROLES)
async def test_get_in_and_out_of_scope(client, world, events, campaign, role):
    for name, event in events.items():
        response = await client.get(url(campaign, event), headers=world.auth(role))
        assert response.status_code == (200 if name in SEES[role] else 404), (role, name)
        if response.status_code == 200:
            assert response.json()["campaign_id"] == str(campaign.id)
            assert response.headers["etag"] == '"1"'


async def test_events_of_a_campaign_out_of_sight_do_not_exist(client, world, session):
    other = await make_campaign(session, world.c3)
    event = await make_event(session, other, world.v31)
    await session.commit()
    headers = world.auth(Role.province_officer)
    assert (await client.get(url(other), headers=headers)).status_code == 404
    assert (await client.get(url(other, event), headers=headers)).status_code == 404
    assert (await client.post(url(other), json=body(world), headers=headers)).status_code == 404
    assert (await client.get(url(other, event), headers=world.auth(Role.admin))).status_code == 200


async def test_an_event_is_only_found_under_its_own_campaign(client, world, session, events):
    other = await make_campaign(session, world.c1, "Khác")
    await session.commit()
    response = await client.get(url(other, events["v11"]), headers=world.auth(Role.admin))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
async def test_create_as_each_role(client, world, session, campaign, members, role):
    data = body(world, member_ids=[str(members["v11"].id), str(members["c1"].id)])
    response = await client.post(url(campaign), json=data, headers=world.auth(role))
    assert response.status_code == (201 if role in MANAGERS else 403), response.text
    count = await session.scalar(select(func.count()).select_from(CampaignEvent))
    if role not in MANAGERS:
        assert count == 0
        return
    created = response.json()
    assert count == 1 and response.headers["etag"] == '"1"'
    assert created["starts_at"] == "2025-05-17T00:30:00Z" and created["unit_id"] == str(world.v11.id)
    assert created["member_ids"] == sorted([str(members["v11"].id), str(members["c1"].id)])
    [audit] = await audit_rows(session, "campaign_event", created["id"])
    assert (audit.action, audit.unit_id) == ("create", world.v11.id)
    assert audit.after["member_ids"] == created["member_ids"]


async def test_a_team_leader_manages_the_events_of_their_village_only(client, world, events, campaign):
    headers = world.auth(Role.team_leader)
    mine = await client.patch(url(campaign, events["v11"]), json={"title": "Sửa"}, headers=headers)
    assert mine.status_code == 200 and mine.json()["title"] == "Sửa"
    above = await client.patch(url(campaign, events["c1"]), json={"title": "Sửa"}, headers=headers)
    assert above.status_code == 403  # seen (it covers their village) but the commune's to manage
    assert (await client.delete(url(campaign, events["c1"]), headers=headers)).status_code == 403
    beside = await client.patch(url(campaign, events["v12"]), json={"title": "Sửa"}, headers=headers)
    assert beside.status_code == 404
    elsewhere = await client.post(url(campaign), json=body(world, unit_id=str(world.v12.id)), headers=headers)
    assert elsewhere.status_code == 404 and elsewhere.json()["errors"][0]["loc"] == ["body", "unit_id"]
    member = await client.patch(url(campaign, events["v11"]), json={"title": "X"},
                                headers=world.auth(Role.team_member))  # fmt: skip
    assert member.status_code == 403
    assert (await client.delete(url(campaign, events["v11"]), headers=headers)).status_code == 204


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"unit_id": "c2"}, "unit_id"),  # outside the campaign's commune
        ({"unit_id": "p"}, "unit_id"),  # above the campaign's unit
        ({"ends_at": "2025-05-17T07:00:00+07:00"}, "ends_at"),  # before starts_at
        ({"starts_at": "2025-05-17T07:30:00"}, "starts_at"),  # no offset
        ({"starts_at": "2025-04-20T07:30:00+07:00"}, "starts_at"),  # before the campaign
        ({"ends_at": "2025-06-05T11:30:00+07:00"}, "ends_at"),  # after the campaign
        ({"starts_at": "1999-12-31T07:30:00+07:00"}, "starts_at"),
        ({"ends_at": "0001-01-01T00:00:00+07:00"}, "ends_at"),
        ({"ends_at": "9999-12-31T23:59:59-07:00"}, "ends_at"),
        ({"member_ids": "v12"}, "member_ids"),  # the team of another village
        ({"member_ids": "v31"}, "member_ids"),
        ({"member_ids": "gone"}, "member_ids"),  # deleted
        ({"member_ids": "nobody"}, "member_ids"),
        ({"member_ids": ["x"]}, "member_ids"),
        ({"member_ids": [str(uuid.uuid4()) for _ in range(101)]}, "member_ids"),
        ({"title": ""}, "title"),
        ({"title": "Điểm\x00"}, "title"),
        ({"location": "x" * 301}, "location"),
        ({"campaign_id": "x"}, "campaign_id"),  # the campaign is the path's
    ],
)
async def test_event_rules(client, world, session, campaign, members, overrides, field):
    overrides = dict(overrides)  # a parameter is one dict for both databases' runs: not changed in place
    if overrides.get("unit_id") in world.units:
        overrides["unit_id"] = str(world.units[overrides["unit_id"]].id)
    if isinstance(overrides.get("member_ids"), str):
        name = overrides["member_ids"]
        overrides["member_ids"] = [str(members["v11"].id), str(members[name].id) if name in members else
                                   str(uuid.uuid4())]  # fmt: skip
    response = await client.post(url(campaign), json=body(world, **overrides), headers=world.auth(Role.admin))
    assert response.status_code == 422, response.text
    assert any(field in e["loc"] for e in response.json()["errors"]), response.json()
    assert await session.scalar(select(func.count()).select_from(CampaignEvent)) == 0


@pytest.mark.parametrize(
    "unit,starts_at,ends_at,member",
    [
        ("v11", "2025-05-01T06:00:00+07:00", "2025-05-01T08:00:00+07:00", "c1"),  # the first day
        ("v11", "2025-04-30T20:00:00+07:00", "2025-04-30T22:00:00+07:00", "v11"),  # a day's slack
        ("v11", "2025-06-01T20:00:00+00:00", "2025-06-01T23:59:00+00:00", "v11"),
        ("c1", "2025-05-31T17:00:00+07:00", "2025-05-31T19:00:00+07:00", "v12"),  # a village's member
        ("c1", "2025-05-10T17:00:00+07:00", "2025-05-10T17:00:00+07:00", "c1"),  # an instant
    ],
)
async def test_events_that_agree(client, world, campaign, members, unit, starts_at, ends_at, member):
    data = body(world, unit_id=str(world.units[unit].id), starts_at=starts_at, ends_at=ends_at,
                member_ids=[str(members[member].id)])  # fmt: skip
    response = await client.post(url(campaign), json=data, headers=world.auth(Role.commune_officer))
    assert response.status_code == 201, response.text
    assert response.json()["member_ids"] == [str(members[member].id)]


async def test_update_replaces_the_roster_and_checks_the_merged_record(
    client, world, session, campaign, members, events
):
    event_url, headers = url(campaign, events["v11"]), world.auth(Role.team_leader)
    ids = sorted([str(members["v11"].id), str(members["c1"].id)])
    first = await client.patch(event_url, json={"member_ids": ids[::-1]}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["member_ids"] == ids and first.json()["version"] == 2
    same = await client.patch(event_url, json={"member_ids": ids}, headers=headers)
    assert same.json()["version"] == 2  # nothing changed
    villager = str(members["v11"].id)
    fewer = await client.patch(event_url, json={"member_ids": [villager]}, headers=headers)
    assert fewer.json()["member_ids"] == [villager] and fewer.json()["version"] == 3
    roster = await session.scalars(select(EventDuty.member_id).where(EventDuty.event_id == events["v11"].id))
    assert [str(m) for m in roster] == [villager]
    early = await client.patch(event_url, json={"ends_at": "2025-05-10T00:30:00Z"}, headers=headers)
    assert early.status_code == 422 and early.json()["errors"][0]["loc"] == ["body", "ends_at"]
    stranger = await client.patch(event_url, json={"member_ids": [str(members["v12"].id)]}, headers=headers)
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["loc"] == ["body", "member_ids"]
    null = await client.patch(event_url, json={"starts_at": None}, headers=headers)
    assert null.status_code == 422 and null.json()["errors"][0]["loc"] == ["body", "starts_at"]
    # A commune officer moves it to v12: its v11 member no longer fits.
    officer = world.auth(Role.commune_officer)
    moved = await client.patch(event_url, json={"unit_id": str(world.v12.id)}, headers=officer)
    assert moved.status_code == 422 and moved.json()["errors"][0]["loc"] == ["body", "member_ids"]
    moved = await client.patch(
        event_url, json={"unit_id": str(world.v12.id), "member_ids": []}, headers=officer
    )
    assert moved.status_code == 200 and moved.json()["unit_id"] == str(world.v12.id)
    assert moved.json()["member_ids"] == [] and moved.json()["version"] == 4
    assert [a.action for a in await audit_rows(session, "campaign_event", events["v11"].id)] == ["update"] * 3


async def test_client_id_replay_gives_one_record(client, world, session, campaign, members):
    headers = world.auth(Role.team_leader)
    data = body(world, id=str(uuid.uuid4()), member_ids=[str(members["v11"].id), str(members["c1"].id)])
    responses = [await client.post(url(campaign), json=data, headers=headers) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert await session.scalar(select(func.count()).select_from(CampaignEvent)) == 1
    assert await session.scalar(select(func.count()).select_from(EventDuty)) == 2
    reordered = data | {"member_ids": data["member_ids"][::-1], "starts_at": "2025-05-17T00:30:00Z"}
    assert (await client.post(url(campaign), json=reordered, headers=headers)).status_code == 200
    changed = await client.post(url(campaign), json=data | {"member_ids": []}, headers=headers)
    assert changed.status_code == 409
    other = await make_campaign(session, world.c1, "Khác")
    await session.commit()
    elsewhere = await client.post(url(other), json=data, headers=headers)
    assert elsewhere.status_code == 409  # the id belongs to an event of another campaign


async def test_stale_if_match_is_412_and_changes_nothing(client, world, campaign, members, events):
    event_url, headers = url(campaign, events["v11"]), world.auth(Role.team_leader)
    first = await client.patch(event_url, json={"title": "Mới"}, headers=headers | {"If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = await client.patch(event_url, json={"title": "Cũ", "member_ids": [str(members["v11"].id)]},
                               headers=headers | {"If-Match": '"1"'})  # fmt: skip
    assert stale.status_code == 412
    assert (await client.delete(event_url, headers=headers | {"If-Match": '"1"'})).status_code == 412
    current = (await client.get(event_url, headers=headers)).json()
    assert (current["title"], current["member_ids"], current["version"]) == ("Mới", [], 2)


async def test_delete_removes_the_roster_and_is_409_while_it_has_activities(
    client, world, session, campaign, members, events
):
    event = events["v11"]
    session.add(EventDuty(event_id=event.id, member_id=members["v11"].id))
    activity = await make_activity(session, world.v11, event_id=event.id, campaign_id=campaign.id)
    await session.commit()
    headers = world.auth(Role.team_leader)
    assert (await client.delete(url(campaign, event), headers=headers)).status_code == 409
    activity.deleted_at = datetime.now(UTC)
    await session.commit()
    assert (await client.delete(url(campaign, event), headers=headers)).status_code == 204
    assert (await client.get(url(campaign, event), headers=headers)).status_code == 404
    assert await session.scalar(select(func.count()).select_from(EventDuty)) == 0
    audit = await audit_rows(session, "campaign_event", event.id)
    assert [a.action for a in audit] == ["delete"] and audit[0].before["title"] == "Điểm v11"


async def test_unit_filter_and_order(client, world, session, campaign, events):
    events["v12"].starts_at = datetime(2025, 5, 2, tzinfo=UTC)
    await session.commit()
    headers = world.auth(Role.commune_officer)
    listed = await client.get(url(campaign), headers=headers)
    assert [e["title"] for e in listed.json()["items"]][0] == "Điểm v12"
    only = await client.get(url(campaign), params={"unit_id": str(world.v11.id)}, headers=headers)
    assert [e["title"] for e in only.json()["items"]] == ["Điểm v11"]
    outside = await client.get(url(campaign), params={"unit_id": str(world.c2.id)}, headers=headers)
    assert outside.status_code == 404
