import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.authz.permissions import Role
from app.models import Activity, AuditLog, Campaign, CampaignEvent, EventDuty, Member, Team, Unit
from tests.world import ROLES

# Factories for campaigns, events, members and activities (shared by test_events and test_activities).
MAY_START = datetime(2025, 5, 10, 1, 0, tzinfo=UTC)


async def make_campaign(session, unit: Unit, name: str = "Bình dân học vụ số lưu động", **values) -> Campaign:
    values = {"kind": "mobile_support", "starts_on": date(2025, 5, 1), "ends_on": date(2025, 5, 31)} | values
    campaign = Campaign(unit_id=unit.id, name=name, **values)
    session.add(campaign)
    await session.flush()
    return campaign


async def make_member(session, unit: Unit, full_name: str = "Lê Thị Hoa", **values) -> Member:
    """A member of a (new) team of `unit`."""
    team = Team(unit_id=unit.id, name=f"Tổ CNSCĐ {unit.name}")
    session.add(team)
    await session.flush()
    member = Member(team_id=team.id, unit_id=unit.id, full_name=full_name, position="member", **values)
    session.add(member)
    await session.flush()
    return member


async def make_event(
    session, campaign: Campaign, unit: Unit, title: str = "Điểm hỗ trợ", members=(), **values
) -> CampaignEvent:
    values = {"starts_at": MAY_START, "ends_at": MAY_START + timedelta(hours=4)} | values
    event = CampaignEvent(campaign_id=campaign.id, unit_id=unit.id, title=title, **values)
    session.add(event)
    await session.flush()
    session.add_all(EventDuty(event_id=event.id, member_id=m.id) for m in members)
    await session.flush()
    return event


async def make_activity(session, unit: Unit, kind: str = "vneid_activation", **values) -> Activity:
    values = {"occurred_at": MAY_START + timedelta(hours=1)} | values
    activity = Activity(unit_id=unit.id, kind=kind, **values)
    session.add(activity)
    await session.flush()
    return activity


async def audit_rows(session, resource: str, resource_id) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.resource == resource, AuditLog.resource_id == str(resource_id))
    return list(await session.scalars(query.order_by(AuditLog.id)))


# Campaigns at p, c1, v11, v12, c2 and c3 (other province). A campaign is seen in its unit's subtree
# and by the units below it: the campaign of the commune is also the campaign of its villages.
SEES = {
    Role.admin: {"p", "c1", "v11", "v12", "c2", "c3"},
    Role.province_officer: {"p", "c1", "v11", "v12", "c2"},
    Role.commune_officer: {"p", "c1", "v11", "v12"},
    Role.team_leader: {"p", "c1", "v11"},
    Role.team_member: {"p", "c1", "v11"},
    Role.viewer: {"p", "c1", "v11", "v12"},
}
MANAGERS = {Role.admin, Role.province_officer, Role.commune_officer}


@pytest.fixture
async def camps(world, session):
    camps = {
        name: await make_campaign(session, world.units[name], f"Chiến dịch {name}")
        for name in ("p", "c1", "v11", "v12", "c2", "c3")
    }
    await session.commit()
    return camps


def body(world, **overrides):
    return {
        "unit_id": str(world.c1.id),
        "kind": "digital_signature",
        "name": "Chữ ký số trên VNeID",
        "starts_on": "2025-06-01",
        "ends_on": "2025-08-31",
        "goals": {"signatures_created": 1500, "people_supported": 3000},
    } | overrides


@pytest.mark.parametrize("role", ROLES)
async def test_list_is_scoped_to_the_area_and_the_units_above(client, world, camps, role):
    response = await client.get("/api/v1/campaigns", headers=world.auth(role))
    assert response.status_code == 200
    page = response.json()
    assert {c["id"] for c in page["items"]} == {str(camps[n].id) for n in SEES[role]}
    assert page["total"] == len(SEES[role])


@pytest.mark.parametrize("role", ROLES)
async def test_get_in_and_out_of_scope(client, world, camps, role):
    for name, campaign in camps.items():
        response = await client.get(f"/api/v1/campaigns/{campaign.id}", headers=world.auth(role))
        assert response.status_code == (200 if name in SEES[role] else 404), (role, name)
        if response.status_code == 200:
            assert response.json()["name"] == f"Chiến dịch {name}"
            assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", ROLES)
async def test_create_as_each_role(client, world, session, role):
    unit = world.homes[role] or world.p  # in each caller's own area
    data = body(world, unit_id=str(unit.id))
    response = await client.post("/api/v1/campaigns", json=data, headers=world.auth(role))
    assert response.status_code == (201 if role in MANAGERS else 403), response.text
    if role in MANAGERS:
        created = response.json()
        assert created["name"] == "Chữ ký số trên VNeID" and created["status"] == "planned"
        assert created["goals"] == {"signatures_created": 1500, "people_supported": 3000}
        assert created["starts_on"] == "2025-06-01" and created["version"] == 1
        assert response.headers["etag"] == '"1"'
        [audit] = await audit_rows(session, "campaign", created["id"])
        assert (audit.action, audit.unit_id, audit.actor_id) == ("create", unit.id, world.users[role].id)
    else:
        assert await session.scalar(select(func.count()).select_from(Campaign)) == 0


async def test_create_outside_the_callers_area_is_an_unknown_unit(client, world, session):
    response = await client.post(
        "/api/v1/campaigns",
        json=body(world, unit_id=str(world.c2.id)),
        headers=world.auth(Role.commune_officer),
    )
    assert (response.status_code, response.json()["code"]) == (404, "unit.unknown")
    assert response.json()["errors"][0]["loc"] == ["body", "unit_id"]
    assert await session.scalar(select(func.count()).select_from(Campaign)) == 0


@pytest.mark.parametrize("role", ROLES)
async def test_update_and_delete_as_each_role(client, world, camps, role):
    url = f"/api/v1/campaigns/{camps['c1'].id}"
    response = await client.patch(url, json={"status": "active"}, headers=world.auth(role))
    assert response.status_code == (200 if role in MANAGERS else 403), response.text
    if role in MANAGERS:
        assert response.json()["status"] == "active" and response.json()["version"] == 2
        assert response.headers["etag"] == '"2"'
    deleted = await client.delete(url, headers=world.auth(role))
    assert deleted.status_code == (204 if role in MANAGERS else 403)
    gone = await client.get(url, headers=world.auth(Role.admin))
    assert gone.status_code == (404 if role in MANAGERS else 200)


async def test_a_commune_officer_reads_the_province_campaign_but_does_not_manage_it(client, world, camps):
    headers = world.auth(Role.commune_officer)
    url = f"/api/v1/campaigns/{camps['p'].id}"
    assert (await client.get(url, headers=headers)).status_code == 200
    assert (await client.patch(url, json={"name": "Khác"}, headers=headers)).status_code == 403
    assert (await client.delete(url, headers=headers)).status_code == 403
    other = f"/api/v1/campaigns/{camps['c2'].id}"  # another commune's: does not exist for them
    assert (await client.patch(other, json={"name": "Khác"}, headers=headers)).status_code == 404
    assert (await client.get(url, headers=world.auth(Role.admin))).json()["name"] == "Chiến dịch p"


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"ends_on": "2025-05-31"}, "ends_on"),  # before starts_on
        ({"kind": "party"}, "kind"),
        ({"status": "done"}, "status"),
        ({"goals": {"likes": 5}}, "goals"),  # not a known indicator
        ({"goals": {"people_supported": -1}}, "goals"),
        ({"goals": {"online_dossiers": 10_000_001}}, "goals"),
        ({"goals": {"vneid_activation": 2**63}}, "goals"),
        ({"goals": [1, 2]}, "goals"),
        ({"name": "   "}, "name"),
        ({"name": "Chiến\x00dịch"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"starts_on": "1800-01-01"}, "starts_on"),
        ({"ends_on": "2025-02-30"}, "ends_on"),
        ({"unit_id": "not-a-uuid"}, "unit_id"),
        ({"color": "red"}, "color"),
    ],
)
async def test_campaign_rules(client, world, session, overrides, field):
    response = await client.post(
        "/api/v1/campaigns", json=body(world, **overrides), headers=world.auth(Role.admin)
    )
    assert response.status_code == 422, response.text
    assert any(field in e["loc"] for e in response.json()["errors"]), response.json()
    assert await session.scalar(select(func.count()).select_from(Campaign)) == 0


async def test_every_known_goal_code_is_accepted(client, world):
    goals = {
        "people_supported": 0, "online_dossiers": 10_000_000, "signatures_created": 7,
        "households_informed": 8, "vneid_activation": 1, "dvc_account": 2, "online_dossier": 3,
        "epay_account": 4, "digital_signature": 5, "skills_guidance": 6, "ecommerce": 9, "cyber_safety": 10,
        "communication": 11, "other": 12,
    }  # fmt: skip
    response = await client.post(
        "/api/v1/campaigns", json=body(world, goals=goals), headers=world.auth(Role.admin)
    )
    assert response.status_code == 201, response.text
    assert response.json()["goals"] == goals


async def test_rules_apply_to_the_merged_record_on_update(client, world, camps):
    url = f"/api/v1/campaigns/{camps['c1'].id}"  # 2025-05-01 to 2025-05-31
    response = await client.patch(
        url, json={"ends_on": "2025-04-30"}, headers=world.auth(Role.commune_officer)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "ends_on"]
    null = await client.patch(url, json={"name": None}, headers=world.auth(Role.commune_officer))
    assert null.status_code == 422 and null.json()["errors"][0]["loc"] == ["body", "name"]
    goals = await client.patch(url, json={"goals": {"people_supported": 50}}, headers=world.auth(Role.admin))
    assert goals.json()["goals"] == {"people_supported": 50}
    assert (await client.get(url, headers=world.auth(Role.admin))).json()["ends_on"] == "2025-05-31"


async def test_filters(client, world, session, camps):
    camps["c1"].kind, camps["c1"].status = "communication", "active"
    camps["v11"].starts_on, camps["v11"].ends_on = date(2025, 9, 1), date(2025, 9, 30)
    await session.commit()
    headers = world.auth(Role.province_officer)

    async def names(**params):
        response = await client.get("/api/v1/campaigns", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return {c["name"].removeprefix("Chiến dịch ") for c in response.json()["items"]}

    assert await names(kind="communication") == {"c1"}
    assert await names(status="active") == {"c1"}
    assert await names(status="planned", kind="mobile_support") == {"p", "v11", "v12", "c2"}
    assert await names(active_on="2025-09-15") == {"v11"}
    assert await names(active_on="2025-05-31") == {"p", "c1", "v12", "c2"}
    assert await names(unit_id=str(world.c1.id)) == {"c1", "v11", "v12"}
    assert await names(unit_id=str(world.v12.id)) == {"v12"}
    outside = await client.get("/api/v1/campaigns", params={"unit_id": str(world.c3.id)}, headers=headers)
    assert outside.status_code == 404
    bad = await client.get("/api/v1/campaigns", params={"active_on": "0001-01-01"}, headers=headers)
    assert bad.status_code == 422


async def test_client_id_replay_gives_one_record(client, world, session):
    headers = world.auth(Role.commune_officer)
    data = body(world, id=str(uuid.uuid4()))
    responses = [await client.post("/api/v1/campaigns", json=data, headers=headers) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert {r.json()["id"] for r in responses} == {data["id"]}
    assert await session.scalar(select(func.count()).select_from(Campaign)) == 1
    reordered = data | {"goals": {"people_supported": 3000, "signatures_created": 1500}}
    assert (await client.post("/api/v1/campaigns", json=reordered, headers=headers)).status_code == 200
    changed = await client.post("/api/v1/campaigns", json=data | {"name": "Khác"}, headers=headers)
    assert changed.status_code == 409
    assert len(await audit_rows(session, "campaign", data["id"])) == 1


async def test_stale_if_match_is_412_and_changes_nothing(client, world, camps):
    url = f"/api/v1/campaigns/{camps['c1'].id}"
    headers = world.auth(Role.commune_officer)
    first = await client.patch(url, json={"name": "Mới"}, headers=headers | {"If-Match": '"1"'})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = await client.patch(url, json={"name": "Cũ"}, headers=headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.delete(url, headers=headers | {"If-Match": '"1"'})).status_code == 412
    current = await client.get(url, headers=headers)
    assert current.status_code == 200
    assert (current.json()["name"], current.json()["version"]) == ("Mới", 2)
    assert (await client.delete(url, headers=headers | {"If-Match": '"2"'})).status_code == 204


async def test_delete_is_409_while_it_has_activities(client, world, session, camps):
    campaign = camps["c1"]
    activity = await make_activity(session, world.v11, campaign_id=campaign.id)
    await session.commit()
    url = f"/api/v1/campaigns/{campaign.id}"
    headers = world.auth(Role.commune_officer)
    assert (await client.delete(url, headers=headers)).status_code == 409
    assert (await client.get(url, headers=headers)).status_code == 200
    activity.deleted_at = datetime.now(UTC)  # a deleted activity no longer holds it
    await session.commit()
    assert (await client.delete(url, headers=headers)).status_code == 204


async def test_delete_removes_its_events_and_is_audited(client, world, session, camps):
    member = await make_member(session, world.v11)
    event = await make_event(session, camps["c1"], world.v11, members=[member])
    await session.commit()
    response = await client.delete(f"/api/v1/campaigns/{camps['c1'].id}", headers=world.auth(Role.admin))
    assert response.status_code == 204
    assert await session.scalar(select(func.count()).select_from(CampaignEvent)) == 0
    assert await session.scalar(select(func.count()).select_from(EventDuty)) == 0
    assert await session.scalar(select(func.count()).select_from(Campaign)) == 5
    [audit] = await audit_rows(session, "campaign", camps["c1"].id)
    assert (
        audit.action == "delete" and audit.before["name"] == "Chiến dịch c1" and audit.unit_id == world.c1.id
    )
    assert [a.action for a in await audit_rows(session, "campaign_event", event.id)] == ["delete"]


async def test_a_moved_or_redated_campaign_must_still_hold_its_events(client, world, session, camps):
    campaign = camps["c1"]  # 2025-05-01 to 2025-05-31; event on 2025-05-10 in v11
    await make_event(session, campaign, world.v11)
    await make_activity(session, world.v11, campaign_id=campaign.id)
    await session.commit()
    url, headers = f"/api/v1/campaigns/{campaign.id}", world.auth(Role.province_officer)
    for change, field in [
        ({"unit_id": str(world.v12.id)}, "unit_id"),
        ({"starts_on": "2025-05-15"}, "starts_on"),
        ({"ends_on": "2025-05-08"}, "ends_on"),
    ]:
        response = await client.patch(url, json=change, headers=headers)
        assert response.status_code == 422, change
        assert [e["loc"] for e in response.json()["errors"]][0] == ["body", field]
    # A day's slack: an event on the 10th still fits a campaign ending on the 9th.
    assert (await client.patch(url, json={"ends_on": "2025-05-09"}, headers=headers)).status_code == 200
    moved = await client.patch(url, json={"unit_id": str(world.p.id)}, headers=headers)
    assert moved.status_code == 200 and moved.json()["unit_id"] == str(world.p.id)
    back = await client.patch(
        url, json={"unit_id": str(world.c1.id)}, headers=world.auth(Role.commune_officer)
    )
    assert back.status_code == 403  # not theirs to manage at the province
