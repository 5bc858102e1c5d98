"""A campaign's progress against its goals (issue 19, point 7): flows summed over the activities linked
to the campaign or its events, dated inside its window (Vietnam days) and inside its unit's subtree;
stocks as they stand at the window's end over that subtree; a leader's own village beside the total."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.authz.permissions import Role
from app.campaigns.schemas import GOAL_CODES
from app.kpi import aggregates
from app.kpi.periods import VIETNAM, local_today
from tests.test_campaigns import make_activity, make_campaign, make_event
from tests.world import ROLES, make_household

GOALS = {
    "people_supported": 100,
    "online_dossiers": 10,
    "signatures_created": 20,
    "activities": 8,
    "digital_signature": 5,
    "adults_signature_pct": 80,
    "households_informed": 6,
}


def vn(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), VIETNAM).astimezone(UTC)


@pytest.fixture
async def drive(world, session):
    """The commune's VNeID signature drive, running: from 20 days ago to 10 days ahead, with a support
    point in v12. Its stocks are today's (the households the fixture makes now)."""
    today = local_today()
    starts, ends = today - timedelta(days=20), today + timedelta(days=10)
    campaign = await make_campaign(
        session,
        world.c1,
        "Chữ ký số trên VNeID",
        kind="digital_signature",
        starts_on=starts,
        ends_on=ends,
        goals=GOALS,
    )
    day = today - timedelta(days=5)
    event = await make_event(session, campaign, world.v12, starts_at=vn(day, 8))
    after, before = ends + timedelta(days=1), starts - timedelta(days=1)
    mine = {"campaign_id": campaign.id}
    activities = [
        # Counted: linked to the campaign or to its event, in the commune, inside its days (Vietnam's).
        (world.v11, "digital_signature", vn(day, 9), mine | {"people_count": 3}),
        (
            world.v12,
            "online_dossier",
            vn(day, 10),
            {"event_id": event.id, "people_count": 2, "dossier_count": 4},
        ),
        (world.v11, "digital_signature", vn(ends, 23, 30), mine),
        (world.v11, "digital_signature", vn(starts, 0, 10), mine),
        # Not counted: after or before the window in Vietnam (though inside it in UTC), outside the
        # commune, not linked, deleted.
        (world.v11, "digital_signature", vn(after, 0, 30), mine | {"people_count": 50}),
        (world.v11, "digital_signature", vn(before, 23, 30), mine | {"people_count": 50}),
        (world.v21, "digital_signature", vn(day, 9), mine | {"people_count": 50}),
        (world.v11, "digital_signature", vn(day, 9), {"people_count": 50}),
        (
            world.v12,
            "digital_signature",
            vn(day, 9),
            mine | {"people_count": 50, "deleted_at": datetime.now(UTC)},
        ),
    ]
    for unit, kind, when, values in activities:
        await make_activity(session, unit, kind, occurred_at=when, **values)
    # Stock: v11 1 of 2 adults with a signature, informed; v12 3 of 4, informed; v21 (elsewhere) all.
    await make_household(session, world.v11, "A", adults_count=2, adults_signature=1, informed=True)
    await make_household(session, world.v12, "B", adults_count=4, adults_signature=3, informed=True)
    await make_household(session, world.v12, "C", adults_count=0, informed=False)
    await make_household(session, world.v21, "D", adults_count=5, adults_signature=5, informed=True)
    await aggregates.rebuild(session)
    await session.commit()
    return campaign


def url(campaign) -> str:
    return f"/api/v1/campaigns/{campaign.id}/progress"


def achieved(body: dict) -> dict:
    return {g["indicator"]: g["achieved"] for g in body["goals"]}


async def test_progress_sums_the_campaigns_activities_inside_its_window_and_area(client, world, drive):
    response = await client.get(url(drive), headers=world.auth(Role.commune_officer))
    assert response.status_code == 200, response.text
    progress = response.json()
    assert achieved(progress) == {
        "people_supported": 3 + 2 + 1 + 1,
        "online_dossiers": 4,
        "signatures_created": 3 + 1 + 1,  # people helped to a signature
        "activities": 4,
        "digital_signature": 3,  # activities of that kind
        "adults_signature_pct": 66.67,  # 4 of 6 adults in the commune
        "households_informed": 2,
    }
    assert {g["indicator"]: g["goal"] for g in progress["goals"]} == GOALS
    assert [g["indicator"] for g in progress["goals"]] == [code for code in GOAL_CODES if code in GOALS]
    kinds = {g["indicator"]: (g["measure"], g["percent"]) for g in progress["goals"]}
    assert kinds["adults_signature_pct"] == ("stock", True) and kinds["activities"] == ("flow", False)
    assert kinds["households_informed"] == ("stock", False)
    assert progress["as_of"] == local_today().isoformat() and progress["campaign_id"] == str(drive.id)
    assert all(g["parts"] == [] for g in progress["goals"])  # the commune is the campaign's whole area


@pytest.mark.parametrize("role", [Role.team_leader, Role.team_member])
async def test_a_village_team_sees_its_own_part_beside_the_total(client, world, drive, role):
    progress = (await client.get(url(drive), headers=world.auth(role))).json()
    assert achieved(progress)["people_supported"] == 7
    parts = {g["indicator"]: g["parts"] for g in progress["goals"]}
    assert parts["people_supported"] == [
        {"unit_id": str(world.v11.id), "name": world.v11.name, "achieved": 5}
    ]
    mine = {code: items[0]["achieved"] for code, items in parts.items()}
    assert mine == {
        "people_supported": 5,
        "online_dossiers": 0,
        "signatures_created": 5,
        "activities": 3,
        "digital_signature": 3,
        "adults_signature_pct": 50.0,
        "households_informed": 1,
    }


@pytest.mark.parametrize("role", ROLES)
async def test_progress_is_read_by_whoever_sees_the_campaign(client, world, drive, role):
    assert (await client.get(url(drive), headers=world.auth(role))).status_code == 200


async def test_progress_out_of_the_callers_area_is_404(client, world, session):
    elsewhere = await make_campaign(session, world.c2, goals={"people_supported": 10})
    other_province = await make_campaign(session, world.c3, goals={"people_supported": 10})
    await session.commit()
    for role in (Role.commune_officer, Role.team_leader, Role.team_member, Role.viewer):
        response = await client.get(url(elsewhere), headers=world.auth(role))
        assert response.status_code == 404, (role, response.text)
    assert (
        await client.get(url(other_province), headers=world.auth(Role.province_officer))
    ).status_code == 404
    missing = f"/api/v1/campaigns/{uuid.uuid4()}/progress"
    assert (await client.get(missing, headers=world.auth(Role.admin))).status_code == 404


async def test_a_campaign_without_goals_has_no_progress_to_show(client, world, session):
    campaign = await make_campaign(session, world.c1)
    await session.commit()
    response = await client.get(url(campaign), headers=world.auth(Role.commune_officer))
    assert response.status_code == 200 and response.json()["goals"] == []


async def test_stocks_are_read_at_the_windows_end(client, world, session):
    """A campaign that ended counts the households as they stood on its last day: a household
    informed after it does not count."""
    today = local_today()
    ends = today - timedelta(days=30)
    campaign = await make_campaign(
        session,
        world.c1,
        starts_on=ends - timedelta(days=20),
        ends_on=ends,
        goals={"households_informed_pct": 100},
    )
    await session.commit()
    headers = world.auth(Role.commune_officer)
    during = datetime.combine(ends - timedelta(days=5), time(10), VIETNAM).isoformat()
    after = datetime.combine(ends + timedelta(days=5), time(10), VIETNAM).isoformat()
    ids = []
    for informed in (True, False):
        household = {
            "unit_id": str(world.v11.id),
            "head_name": "Hộ thử",
            "members_count": 1,
            "adults_count": 1,
        }
        household |= {"informed": informed, "observed_at": during}
        created = await client.post("/api/v1/households", json=household, headers=headers)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    patched = await client.patch(
        f"/api/v1/households/{ids[1]}", json={"informed": True, "observed_at": after}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    progress = (await client.get(url(campaign), headers=headers)).json()
    assert achieved(progress) == {"households_informed_pct": 50.0}
    assert progress["as_of"] == ends.isoformat()


# --- setting goals --------------------------------------------------------------------------------


def body(world, goals) -> dict:
    return {
        "unit_id": str(world.c1.id),
        "kind": "digital_signature",
        "name": "Chữ ký số trên VNeID",
        "starts_on": "2026-06-01",
        "ends_on": "2026-08-31",
        "goals": goals,
    }


async def test_goals_may_name_any_indicator_and_the_activities(client, world):
    goals = {
        "adults_signature_pct": 60,
        "households_digital_pct": 100,
        "activities": 500,
        "signatures_created": 1500,
    }
    response = await client.post(
        "/api/v1/campaigns", json=body(world, goals), headers=world.auth(Role.commune_officer)
    )
    assert response.status_code == 201, response.text
    assert response.json()["goals"] == goals


@pytest.mark.parametrize(
    "goals,code",
    [
        ({"likes": 5}, "literal_error"),
        ({"adults_signature_pct": 101}, "less_than_equal"),  # a percentage
        ({"people_supported": -1}, "greater_than_equal"),
        ({"people_supported": 1.5}, "int_from_float"),
    ],
)
async def test_a_bad_goal_is_a_clear_422(client, world, goals, code):
    response = await client.post(
        "/api/v1/campaigns", json=body(world, goals), headers=world.auth(Role.commune_officer)
    )
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["loc"][:2] == ["body", "goals"] and error["code"] == code, error
    if code == "literal_error":
        assert "likes" in error["msg"] and "people_supported" in error["msg"]
