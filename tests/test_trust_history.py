"""Issue 21, item 3: history that cannot be rewritten. A change of a unit takes effect no earlier than
the records dated in it (422 `unit.effective_before_data`), a merger only after the last of those that
stay in the closed unit; a closed unit takes nothing dated after its close: 409 `unit.closed`, naming
the unit that took it over (`successor`), on every kind of write."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest

from app.authz.permissions import Role
from app.kpi.periods import VIETNAM
from tests.test_campaigns import make_activity
from tests.world import make_household

URL = "/api/v1/units"
TODAY = datetime.now(VIETNAM).date()
# A merger taking effect at the start of last month: the village closes the month before's last day.
EFFECTIVE = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
CLOSED_ON = EFFECTIVE - timedelta(days=1)


def vn(day: date, hour: int = 10) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM).isoformat()


@pytest.mark.parametrize("kind", ["merge", "rename", "move"])
async def test_a_change_cannot_take_effect_before_the_units_records(client, world, session, kind):
    await make_activity(session, world.v12, occurred_at=datetime.now(UTC) - timedelta(days=3))
    await make_household(session, world.v12, "Hộ Chùa")
    await session.commit()
    headers = world.auth(Role.admin)
    calls = {
        "merge": (f"{URL}/{world.v12.id}/merge", {"into_id": str(world.v11.id)}),
        "rename": (f"{URL}/{world.v12.id}", {"name": "Thôn Chùa Mới"}),
        "move": (f"{URL}/{world.v12.id}/move", {"parent_id": str(world.c2.id)}),
    }
    url, body = calls[kind]
    send = client.patch if kind == "rename" else client.post
    for day in ("1900-01-01", (TODAY - timedelta(days=30)).isoformat()):
        response = await send(url, json=body | {"effective_on": day}, headers=headers)
        assert response.status_code == 422, (kind, day, response.text)
        assert response.json()["code"] == "unit.effective_before_data"
        assert response.json()["errors"][0]["loc"] == ["body", "effective_on"]
    as_of = await client.get(URL, params={"as_of": TODAY.isoformat(), "limit": 500}, headers=headers)
    assert str(world.v12.id) in {u["id"] for u in as_of.json()["items"]}  # it did not vanish
    # After its last record (the households are carried: they never hold a merger back), it is taken.
    taken = await send(url, json=body | {"effective_on": TODAY.isoformat()}, headers=headers)
    assert taken.status_code == 200, taken.text


async def test_a_merger_waits_for_the_records_that_stay_in_the_unit(client, world, session):
    """A training or a report dated after the merger would sit in a unit closed before it."""
    from tests.roster import make_training

    await make_training(session, world.v12, held_on=TODAY)
    await session.commit()
    body = {"into_id": str(world.v11.id), "effective_on": (TODAY - timedelta(days=1)).isoformat()}
    response = await client.post(f"{URL}/{world.v12.id}/merge", json=body, headers=world.auth(Role.admin))
    assert (response.status_code, response.json()["code"]) == (422, "unit.effective_before_data")
    assert TODAY.strftime("%d/%m/%Y") in response.json()["detail"]


@pytest.fixture
async def closed(client, world):
    """v12 merged into v11 from the start of last month (closed the day before)."""
    body = {"into_id": str(world.v11.id), "effective_on": EFFECTIVE.isoformat()}
    merged = await client.post(f"{URL}/{world.v12.id}/merge", json=body, headers=world.auth(Role.admin))
    assert merged.status_code == 200, merged.text
    assert merged.json()["valid_to"] == CLOSED_ON.isoformat()
    return world.v12


def assert_closed(response, world, loc=("body", "unit_id")) -> None:
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "unit.closed"
    assert problem["successor"] == {"id": str(world.v11.id), "code": world.v11.code, "name": world.v11.name}
    assert world.v11.name in problem["detail"] and CLOSED_ON.strftime("%d/%m/%Y") in problem["detail"]
    assert problem["errors"][0]["loc"] == list(loc)


async def test_a_closed_unit_takes_nothing_dated_after_its_close(client, world, session, closed):
    headers = world.auth(Role.admin)
    unit = {"unit_id": str(closed.id)}
    now = datetime.now(UTC).isoformat()
    writes = {
        "/api/v1/households": unit | {"head_name": "Hộ Mới"},
        "/api/v1/activities": unit | {"occurred_at": now, "kind": "vneid_activation"},
        "/api/v1/trainings": unit | {"title": "Tập huấn", "held_on": TODAY.isoformat()},
        "/api/v1/teams": unit | {"name": "Tổ Mới"},
        "/api/v1/targets": unit
        | {"year": TODAY.year + 1, "indicator": "households_informed_pct", "value": 100},
        "/api/v1/kpi/snapshots": unit | {"period": f"{TODAY:%Y-%m}"},
        "/api/v1/api-keys": unit | {"name": "Hệ thống"},
        "/api/v1/campaigns": unit
        | {
            "kind": "other",
            "name": "Chiến dịch",
            "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.isoformat(),
        },
    }
    for url, body in writes.items():
        assert_closed(await client.post(url, json=body, headers=headers), world)
    role = {"role": "team_member", "unit_id": str(closed.id)}
    user = {"username": "moi.vao", "full_name": "Người Mới", "password": "a-long-password", "roles": [role]}
    assert_closed(
        await client.post("/api/v1/users", json=user, headers=headers), world, ("body", "roles", 0, "unit_id")
    )
    village = {"code": "V-NEW", "name": "Xóm Mới", "level": "village", "parent_id": str(closed.id)}
    response = await client.post(URL, json=village, headers=headers)
    assert response.status_code in (409, 422)  # a village holds no villages: refused either way
    imported = await client.post(
        "/api/v1/households/import",
        params={"unit_id": str(closed.id)},
        files={"file": ("ds.csv", io.BytesIO("Họ tên chủ hộ\nLê Văn Tám\n".encode()), "text/csv")},
        headers=headers,
    )
    assert_closed(imported, world, ("query", "unit_id"))


async def test_what_happened_before_the_close_is_still_recorded(client, world, closed):
    """A visit saved offline on the village's last day, its report for that month: taken."""
    headers = world.auth(Role.admin)
    before = {"unit_id": str(closed.id), "occurred_at": vn(CLOSED_ON), "kind": "vneid_activation"}
    recorded = await client.post("/api/v1/activities", json=before, headers=headers)
    assert recorded.status_code == 201, recorded.text
    # ...but not moved past the close.
    moved = await client.patch(
        f"/api/v1/activities/{recorded.json()['id']}", json={"occurred_at": vn(EFFECTIVE)}, headers=headers
    )
    assert_closed(moved, world)
    report = {"unit_id": str(closed.id), "period": f"{CLOSED_ON:%Y-%m}"}
    assert (await client.post("/api/v1/kpi/snapshots", json=report, headers=headers)).status_code == 201


async def test_a_closed_commune_takes_no_villages_and_a_closed_parent_no_move(client, world, session):
    headers = world.auth(Role.admin)
    merged = await client.post(
        f"{URL}/{world.c2.id}/merge",
        json={"into_id": str(world.c1.id), "effective_on": TODAY.isoformat()},
        headers=headers,
    )
    assert merged.status_code == 200, merged.text
    village = {"code": "V-NEW", "name": "Xóm Mới", "level": "village", "parent_id": str(world.c2.id)}
    response = await client.post(URL, json=village, headers=headers)
    assert response.status_code == 409 and response.json()["successor"]["id"] == str(world.c1.id)
    moved = await client.post(
        f"{URL}/{world.v31.id}/move",
        json={"parent_id": str(world.c2.id), "effective_on": TODAY.isoformat()},
        headers=headers,
    )
    assert moved.status_code == 409 and moved.json()["code"] == "unit.closed"
    villages = await client.post(
        f"{URL}/import",
        params={"parent_id": str(world.c2.id)},
        files={"file": ("thon.csv", "Tên thôn\nThôn Mới\n".encode(), "text/csv")},
        headers=headers,
    )
    assert villages.status_code == 409 and villages.json()["code"] == "unit.closed"
