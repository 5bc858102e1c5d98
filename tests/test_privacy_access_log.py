"""The access log of personal data (issue 13): reads by id, list pages and change-feed pages, exports;
folded per caller, record and day; written in batches; read by admins, and by officers over their area."""

import asyncio
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.authz.permissions import Role
from app.models import AccessLog
from app.privacy import access
from tests.roster import make_member, make_team
from tests.world import make_api_key, make_household

URL = "/api/v1/access-log"


@pytest.fixture
async def homes(world, session):
    homes = {
        name: await make_household(session, world.units[name], f"Hộ {name}", phone="0912000111")
        for name in ("v11", "v12", "v21")
    }
    await session.commit()
    return homes


async def entries(client, world, role=Role.admin, **params):
    response = await client.get(URL, params={k: str(v) for k, v in params.items()}, headers=world.auth(role))
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_read_by_id_is_one_entry_folded_with_a_count(client, world, homes):
    household = homes["v11"]
    for _ in range(3):
        response = await client.get(
            f"/api/v1/households/{household.id}", headers=world.auth(Role.team_leader)
        )
        assert response.status_code == 200
    page = await entries(client, world, record_id=household.id)
    (entry,) = page["items"]
    assert entry["actor_id"] == str(world.users[Role.team_leader].id)
    assert entry["actor_kind"] == "user"
    assert entry["route"] == "/api/v1/households/{household_id}"
    assert (entry["resource"], entry["record_id"], entry["count"]) == ("household", str(household.id), 3)
    assert entry["unit_id"] == str(world.v11.id)
    # Read again later the same day: still one entry (the table folds what the buffer folded).
    await client.get(f"/api/v1/households/{household.id}", headers=world.auth(Role.team_leader))
    (entry,) = (await entries(client, world, record_id=household.id))["items"]
    assert entry["count"] == 4


async def test_a_list_page_is_one_entry_naming_its_filter_and_ids(client, world, homes):
    response = await client.get(
        "/api/v1/households", params={"unit_id": str(world.v11.id)}, headers=world.auth(Role.team_leader)
    )
    assert response.status_code == 200
    page = await entries(client, world, user_id=world.users[Role.team_leader].id)
    (entry,) = page["items"]
    assert entry["route"] == "/api/v1/households"
    assert entry["record_ids"] == [str(homes["v11"].id)]
    assert f"unit_id={world.v11.id}" in entry["filter"]
    assert entry["record_id"] is None
    # The record's own history finds the page that showed it.
    assert [e["id"] for e in (await entries(client, world, record_id=homes["v11"].id))["items"]] == [
        entry["id"]
    ]


async def test_the_change_feed_page_is_noted(client, world, homes):
    response = await client.get(
        "/api/v1/households",
        params={"updated_since": "2000-01-01T00:00:00Z"},
        headers=world.auth(Role.commune_officer),
    )
    assert response.status_code == 200
    (entry,) = (await entries(client, world, user_id=world.users[Role.commune_officer].id))["items"]
    assert set(entry["record_ids"]) == {str(homes["v11"].id), str(homes["v12"].id)}
    assert "updated_since=2000-01-01" in entry["filter"]


async def test_member_and_user_phones_are_noted(client, world, session):
    team = await make_team(session, world.v11, "Tổ Đình")
    member = await make_member(session, team, "Lê Văn Bình")
    await session.commit()
    assert (
        await client.get(f"/api/v1/members/{member.id}", headers=world.auth(Role.team_leader))
    ).status_code == 200
    user = world.users[Role.team_member]
    assert (
        await client.get(f"/api/v1/users/{user.id}", headers=world.auth(Role.commune_officer))
    ).status_code == 200
    assert [e["resource"] for e in (await entries(client, world, record_id=member.id))["items"]] == ["member"]
    assert [e["resource"] for e in (await entries(client, world, record_id=user.id))["items"]] == ["user"]


async def test_an_api_key_is_named_as_such(client, world, session):
    team = await make_team(session, world.v11, "Tổ Đình")
    member = await make_member(session, team, "Lê Văn Bình")
    key, raw = await make_api_key(session, world.c1, "Cổng tỉnh")
    await session.commit()
    assert (await client.get(f"/api/v1/members/{member.id}", headers={"X-API-Key": raw})).status_code == 200
    (entry,) = (await entries(client, world, record_id=member.id))["items"]
    assert (entry["actor_id"], entry["actor_kind"], entry["actor_name"]) == (
        str(key.id),
        "api_key",
        "api-key:Cổng tỉnh",
    )


async def test_an_officer_sees_their_area_only(client, world, homes):
    for name in ("v11", "v21"):
        await client.get(f"/api/v1/households/{homes[name].id}", headers=world.auth(Role.admin))
    commune = await entries(client, world, Role.commune_officer)
    assert {e["record_id"] for e in commune["items"]} == {str(homes["v11"].id)}
    province = await entries(client, world, Role.province_officer)
    assert {e["record_id"] for e in province["items"]} >= {str(homes["v11"].id), str(homes["v21"].id)}
    # Another commune's unit is outside the commune officer's area: 404.
    other = await client.get(
        URL, params={"unit_id": str(world.c2.id)}, headers=world.auth(Role.commune_officer)
    )
    assert other.status_code == 404
    assert (
        await client.get(
            URL, params={"unit_id": str(world.v31.id)}, headers=world.auth(Role.province_officer)
        )
    ).status_code == 404


@pytest.mark.parametrize("role", [Role.team_leader, Role.team_member, Role.viewer])
async def test_others_may_not_read_it(client, world, role):
    assert (await client.get(URL, headers=world.auth(role))).status_code == 403


async def test_logging_off_notes_nothing(client, world, homes, monkeypatch):
    from app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "access_log_personal", False)
    await client.get(f"/api/v1/households/{homes['v11'].id}", headers=world.auth(Role.team_leader))
    assert access.pending() == 0


async def test_the_buffer_folds_before_it_writes(client, world, homes):
    for _ in range(5):
        await client.get("/api/v1/households", headers=world.auth(Role.team_leader))
    assert access.pending() == 1  # five reads of the same page: one entry waiting, count 5
    (entry,) = (await entries(client, world, user_id=world.users[Role.team_leader].id))["items"]
    assert entry["count"] == 5
    assert access.pending() == 0


async def test_a_leaders_read_page_and_export_each_appear_as_the_admin_sees_it(client, world, homes):
    leader = world.auth(Role.team_leader)
    household = homes["v11"]
    assert (await client.get(f"/api/v1/households/{household.id}", headers=leader)).status_code == 200
    assert (await client.get("/api/v1/households", headers=leader)).status_code == 200
    export = await client.get("/api/v1/households/export.xlsx", headers=leader)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("STT", "Thôn", "Mã hộ", "Họ tên chủ hộ")
    assert [row[3] for row in rows[1:]] == ["Hộ v11"]  # the leader's village only
    page = await entries(client, world, user_id=world.users[Role.team_leader].id)
    kinds = sorted((e["route"], e["record_id"] is not None, e["file"] is not None) for e in page["items"])
    assert kinds == [
        ("/api/v1/households", False, False),
        ("/api/v1/households/export.xlsx", True, True),
        ("/api/v1/households/{household_id}", True, False),
    ]
    exported = next(e for e in page["items"] if e["file"])
    assert exported["record_id"] == str(household.id)
    assert exported["file"].startswith("ho-gia-dinh-") and exported["file"].endswith(".xlsx")


async def test_a_commune_export_names_every_household_in_its_file(client, world, homes):
    export = await client.get(
        "/api/v1/households/export.xlsx",
        params={"unit_id": str(world.c1.id)},
        headers=world.auth(Role.commune_officer),
    )
    assert export.status_code == 200
    page = await entries(client, world, Role.commune_officer, user_id=world.users[Role.commune_officer].id)
    assert sorted(e["record_id"] for e in page["items"]) == sorted(str(homes[n].id) for n in ("v11", "v12"))
    assert {e["file"] for e in page["items"]} == {export.headers["content-disposition"].split('"')[1]}


async def test_a_refused_export_is_not_in_the_log(client, world, homes, monkeypatch):
    """An export over its bound is refused whole (422): no file is made, so no household is noted as
    exported in one. (The entries have a transaction of their own, which the tests' shared connection
    would roll back with the request: the noting itself is watched.)"""
    from app.households import export
    from app.privacy import access

    noted = []

    async def exported(principal, resource, records, file):
        noted.append(file)

    monkeypatch.setattr(export, "MAX_ROWS", 1)
    monkeypatch.setattr(access, "exported", exported)
    refused = await client.get(
        "/api/v1/households/export.xlsx",
        params={"unit_id": str(world.c1.id)},
        headers=world.auth(Role.commune_officer),
    )
    assert refused.status_code == 422 and refused.json()["code"] == "export.too_large"
    assert noted == []


async def test_a_full_buffer_is_written_without_waiting_for_the_timer(
    client, world, homes, session, monkeypatch
):
    monkeypatch.setattr(access, "FLUSH_ENTRIES", 3)
    for home in homes.values():
        await client.get(f"/api/v1/households/{home.id}", headers=world.auth(Role.admin))
    await asyncio.gather(*access._flushing)
    assert access.pending() == 0
    written = await session.scalars(
        select(AccessLog.record_id).where(AccessLog.actor_id == world.users[Role.admin].id)
    )
    assert sorted(written) == sorted(str(home.id) for home in homes.values())


async def test_entries_a_failed_flush_could_not_write_wait_for_the_next(client, world, homes, monkeypatch):
    await client.get(f"/api/v1/households/{homes['v11'].id}", headers=world.auth(Role.admin))

    async def down(session, entries):
        raise ConnectionError("database down")

    monkeypatch.setattr(access, "write", down)
    with pytest.raises(ConnectionError):
        await access.flush()
    await client.get(f"/api/v1/households/{homes['v11'].id}", headers=world.auth(Role.admin))
    assert access.pending() == 1
    monkeypatch.undo()
    (entry,) = (await entries(client, world, record_id=homes["v11"].id))["items"]
    assert entry["count"] == 2
