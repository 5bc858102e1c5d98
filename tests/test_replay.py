"""A repeated create (a client id already taken) answers a caller who may not read the record exactly
what GET answers it: 404 out of its area, 403 inside it, with no field and no field name in the body.

Before the records layer, a viewer who knew a household's id and head name got 200 with its phone and
address by replaying its create, and a wrong name was confirmed by a 409 naming `head_name`.
"""

import uuid

import pytest

from app.auth.service import access_token
from app.authz.permissions import Role
from tests.world import PASSWORD, make_api_key, make_user

NAME, PHONE, ADDRESS = "Vũ Thị Bí Mật", "0987 654 321", "Số 7, ngõ Kín"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}


async def outsiders(session, world) -> dict[str, dict[str, str]]:
    """Callers who may not read a record of v11: a viewer of its commune, the leader of another
    commune's village, a read-only key of its commune."""
    from app.core.security import hash_password

    leader = await make_user(
        session, "leader.v21", Role.team_leader, world.v21, await hash_password(PASSWORD)
    )
    _, raw = await make_api_key(session, world.c1, "read-only", read_only=True)
    await session.commit()
    return {
        "viewer": world.auth(Role.viewer),
        "other village's leader": {"Authorization": f"Bearer {access_token(leader.id)[0]}"},
        "read-only key": {"X-API-Key": raw},
    }


async def created(client, world, url: str, body: dict) -> dict:
    response = await client.post(url, json=body, headers=world.auth(Role.admin))
    assert response.status_code == 201, response.text
    return body


async def bodies(client, world) -> dict[str, tuple[str, dict]]:
    """One record of every kind that takes a client id, in v11, with the body that created it."""
    v11 = str(world.v11.id)
    team = await created(
        client, world, "/api/v1/teams", {"id": str(uuid.uuid4()), "unit_id": v11, "name": "Tổ Kín"}
    )
    member = await created(
        client,
        world,
        "/api/v1/members",
        {"id": str(uuid.uuid4()), "team_id": team["id"], "full_name": NAME, "phone": PHONE},
    )
    household = await created(
        client,
        world,
        "/api/v1/households",
        {"id": str(uuid.uuid4()), "unit_id": v11, "head_name": NAME, "phone": PHONE, "address": ADDRESS},
    )
    campaign = await created(
        client,
        world,
        "/api/v1/campaigns",
        {
            "id": str(uuid.uuid4()),
            "unit_id": v11,
            "kind": "digital_signature",
            "name": NAME,
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-31",
        },
    )
    event = {
        "id": str(uuid.uuid4()),
        "unit_id": v11,
        "title": NAME,
        "location": ADDRESS,
        "starts_at": "2026-03-10T08:00:00+07:00",
        "ends_at": "2026-03-10T11:00:00+07:00",
        "member_ids": [member["id"]],
    }
    events_url = f"/api/v1/campaigns/{campaign['id']}/events"
    activity = {
        "id": str(uuid.uuid4()),
        "unit_id": v11,
        "household_id": household["id"],
        "occurred_at": "2026-03-10T09:00:00+07:00",
        "kind": "digital_signature",
        "note": PHONE,
    }
    training = {
        "id": str(uuid.uuid4()),
        "unit_id": v11,
        "title": NAME,
        "held_on": "2026-03-12",
        "member_ids": [member["id"]],
    }
    target = {
        "id": str(uuid.uuid4()),
        "unit_id": v11,
        "year": 2026,
        "indicator": "people_supported",
        "value": 9,
    }
    user = {
        "id": str(uuid.uuid4()),
        "username": "bi.mat",
        "full_name": NAME,
        "phone": PHONE,
        "password": "mat-khau-123",
        "roles": [{"role": "team_member", "unit_id": v11}],
    }
    found = {
        "team": ("/api/v1/teams", team),
        "member": ("/api/v1/members", member),
        "household": ("/api/v1/households", household),
        "campaign": ("/api/v1/campaigns", campaign),
        "event": (events_url, await created(client, world, events_url, event)),
        "activity": ("/api/v1/activities", await created(client, world, "/api/v1/activities", activity)),
        "training": ("/api/v1/trainings", await created(client, world, "/api/v1/trainings", training)),
        "target": ("/api/v1/targets", await created(client, world, "/api/v1/targets", target)),
        "user": ("/api/v1/users", await created(client, world, "/api/v1/users", user)),
    }
    return found


@pytest.fixture
async def records(client, world, session):
    found = await bodies(client, world)
    return found, await outsiders(session, world)


@pytest.mark.parametrize(
    "kind", ["team", "member", "household", "campaign", "event", "activity", "training", "target", "user"]
)
async def test_a_replayed_create_answers_what_get_answers(client, world, records, kind):
    found, callers = records
    url, body = found[kind]
    refused = 0
    for who, headers in callers.items():
        read = await client.get(f"{url}/{body['id']}", headers=headers)
        if read.status_code == 200:
            continue  # this caller may read the record: a replay may show it
        refused += 1
        for sent in (
            body,
            body | {"id": body["id"]} | {k: "x" for k in ("head_name", "full_name") if k in body},
        ):
            replay = await client.post(url, json=sent, headers=headers)
            assert replay.status_code == read.status_code, (who, replay.text)
            assert replay.json()["code"] == read.json()["code"], who
            text = replay.text
            for secret in (NAME, PHONE, ADDRESS, "Bí Mật", "0987"):
                assert secret not in text, (who, text)
            for field in sent.keys() - PROBLEM_KEYS:
                assert f'"{field}"' not in text and f"({field}" not in text, (who, field, text)
    assert refused >= 1
