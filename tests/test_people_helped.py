"""Who was helped and with what (issue 20, items 3 and 4; plans 000, 001, 002, 004).

An activity counts, of the people helped, the elderly, people with disabilities, ethnic minorities,
students and workers; the everyday services the plans name are kinds of help of their own; a
communication records its channel and reach; a village is urban or rural; a business household counts
its OCOP products and its products on e-commerce platforms; and an area's activities add up by kind,
group, channel and kind of village (`GET /activities/summary`)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.activities.summary import summarize
from app.authz.permissions import Role
from app.kpi.periods import VIETNAM, local_today, parse_period, window
from app.models import Unit
from tests.test_campaigns import audit_rows, make_activity
from tests.world import ROLES, make_household

NEW_KINDS = ("ehealth", "education", "vssid", "transport", "public_feedback")


def activity(world, **overrides):
    return {
        "unit_id": str(world.v11.id),
        "occurred_at": "2026-05-10T09:15:00+07:00",
        "kind": "vneid_activation",
        "people_count": 3,
    } | overrides


# --- who was helped -----------------------------------------------------------------------------------


async def test_an_activity_counts_who_was_helped(client, world):
    headers = world.auth(Role.team_member)
    groups = {
        "elderly_count": 2,
        "disabled_count": 1,
        "minority_count": 3,
        "student_count": 0,
        "worker_count": 1,
    }
    response = await client.post("/api/v1/activities", json=activity(world, **groups), headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert {k: created[k] for k in groups} == groups
    read = await client.get(f"/api/v1/activities/{created['id']}", headers=headers)
    assert {k: read.json()[k] for k in groups} == groups
    # Without them, none were counted.
    plain = await client.post("/api/v1/activities", json=activity(world), headers=headers)
    assert [plain.json()[k] for k in groups] == [0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    "group", ["elderly_count", "disabled_count", "minority_count", "student_count", "worker_count"]
)
async def test_a_group_is_counted_among_the_people_helped(client, world, group):
    response = await client.post(
        "/api/v1/activities", json=activity(world, **{group: 4}), headers=world.auth(Role.team_member)
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", group] and error["code"] == "activity.group_exceeds_people"
    negative = await client.post(
        "/api/v1/activities", json=activity(world, **{group: -1}), headers=world.auth(Role.team_member)
    )
    assert negative.status_code == 422


async def test_an_update_keeps_the_groups_within_the_people_helped(client, world, session):
    record = await make_activity(session, world.v11, people_count=3, elderly_count=3)
    await session.commit()
    url = f"/api/v1/activities/{record.id}"
    headers = world.auth(Role.team_leader)
    fewer = await client.patch(url, json={"people_count": 2}, headers=headers)
    assert fewer.status_code == 422 and fewer.json()["errors"][0]["loc"] == ["body", "elderly_count"]
    both = await client.patch(url, json={"people_count": 2, "elderly_count": 2}, headers=headers)
    assert both.status_code == 200, both.text
    assert (both.json()["people_count"], both.json()["elderly_count"]) == (2, 2)
    assert (await client.patch(url, json={"worker_count": None}, headers=headers)).status_code == 422


# --- with what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", NEW_KINDS)
async def test_the_everyday_services_are_kinds_of_help(client, world, kind):
    response = await client.post(
        "/api/v1/activities", json=activity(world, kind=kind), headers=world.auth(Role.team_member)
    )
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == kind
    listed = await client.get(
        "/api/v1/activities", params={"kind": kind}, headers=world.auth(Role.team_member)
    )
    assert [a["kind"] for a in listed.json()["items"]] == [kind]


async def test_a_communication_records_its_channel_and_reach(client, world):
    headers = world.auth(Role.team_leader)
    body = activity(world, kind="communication", channel="zalo_group", reach_count=250, people_count=1)
    response = await client.post("/api/v1/activities", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert (response.json()["channel"], response.json()["reach_count"]) == ("zalo_group", 250)
    loud = activity(world, kind="communication", channel="loudspeaker", reach_count=900, people_count=1)
    assert (await client.post("/api/v1/activities", json=loud, headers=headers)).status_code == 201
    listed = await client.get("/api/v1/activities", params={"channel": "zalo_group"}, headers=headers)
    assert [a["reach_count"] for a in listed.json()["items"]] == [250]
    unknown = await client.post("/api/v1/activities", json=body | {"channel": "pigeon"}, headers=headers)
    assert unknown.status_code == 422
    huge = await client.post("/api/v1/activities", json=body | {"reach_count": 10_000_000}, headers=headers)
    assert huge.status_code == 422


@pytest.mark.parametrize("field,value", [("channel", "leaflet"), ("reach_count", 30)])
async def test_only_a_communication_has_a_channel_and_a_reach(client, world, session, field, value):
    headers = world.auth(Role.team_leader)
    response = await client.post(
        "/api/v1/activities", json=activity(world, **{field: value}), headers=headers
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", field] and error["code"] == "activity.not_communication"
    # Nor can a communication with a channel become another kind and keep it.
    record = await make_activity(session, world.v11, kind="communication", **{field: value})
    await session.commit()
    changed = await client.patch(f"/api/v1/activities/{record.id}", json={"kind": "other"}, headers=headers)
    assert changed.status_code == 422
    cleared = await client.patch(
        f"/api/v1/activities/{record.id}",
        json={"kind": "other", field: None if field == "channel" else 0},
        headers=headers,
    )
    assert cleared.status_code == 200, cleared.text


# --- urban or rural villages ----------------------------------------------------------------------


async def test_a_village_is_marked_urban_or_rural(client, world, session):
    headers = world.auth(Role.commune_officer)
    created = await client.post(
        "/api/v1/units",
        json={"code": "TDP-01", "name": "Tổ dân phố 1", "level": "village", "parent_id": str(world.c1.id),
              "settlement": "urban"},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json()["settlement"] == "urban"
    url = f"/api/v1/units/{world.v11.id}"
    assert (await client.get(url, headers=headers)).json()["settlement"] is None
    rural = await client.patch(url, json={"settlement": "rural"}, headers=headers)
    assert rural.status_code == 200, rural.text
    assert (rural.json()["settlement"], rural.json()["name"], rural.json()["version"]) == (
        "rural",
        "Thôn Đình",
        2,
    )
    # Marking it is no rename: no history entry.
    history = await client.get(f"{url}/history", headers=headers)
    assert history.json()["items"] == []
    rows = await audit_rows(session, "unit", world.v11.id)
    assert [(r.before["settlement"], r.after["settlement"]) for r in rows] == [(None, "rural")]
    # Null clears it; a rename alongside keeps working.
    both = await client.patch(url, json={"settlement": None, "name": "Thôn Đình Mới"}, headers=headers)
    assert both.status_code == 200, both.text
    assert (both.json()["settlement"], both.json()["name"]) == (None, "Thôn Đình Mới")
    unchanged = await client.patch(url, json={"name": "Thôn Đình Mới"}, headers=headers)
    assert unchanged.json()["settlement"] is None


async def test_only_a_village_is_urban_or_rural(client, world):
    admin = world.auth(Role.admin)
    patched = await client.patch(f"/api/v1/units/{world.c1.id}", json={"settlement": "urban"}, headers=admin)
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["loc"] == ["body", "settlement"]
    created = await client.post(
        "/api/v1/units",
        json={"code": "X-1", "name": "Phường Mới", "level": "commune", "parent_id": str(world.p.id),
              "settlement": "urban"},
        headers=admin,
    )  # fmt: skip
    assert created.status_code == 422
    wrong = await client.patch(f"/api/v1/units/{world.v11.id}", json={"settlement": "town"}, headers=admin)
    assert wrong.status_code == 422
    # Marking a village is managing it: a team leader may not.
    leader = await client.patch(
        f"/api/v1/units/{world.v11.id}", json={"settlement": "urban"}, headers=world.auth(Role.team_leader)
    )
    assert leader.status_code == 403


# --- business households: OCOP products and e-commerce ----------------------------------------------


def household(world, **overrides):
    return {"unit_id": str(world.v11.id), "head_name": "Nguyễn Văn Chè", "is_business": True} | overrides


async def test_a_business_household_counts_its_ocop_products_and_listings(client, world):
    headers = world.auth(Role.team_leader)
    response = await client.post(
        "/api/v1/households", json=household(world, ocop_products=2, ecommerce_listings=5), headers=headers
    )
    assert response.status_code == 201, response.text
    saved = response.json()
    assert (saved["ocop_products"], saved["ecommerce_listings"]) == (2, 5)
    # A member records more on a visit.
    visit = await client.patch(
        f"/api/v1/households/{saved['id']}",
        json={"ecommerce_listings": 7},
        headers=world.auth(Role.team_member),
    )
    assert visit.status_code == 200, visit.text
    assert visit.json()["ecommerce_listings"] == 7
    # No longer a business: the products go too, or the household is refused.
    stop = await client.patch(
        f"/api/v1/households/{saved['id']}", json={"is_business": False}, headers=headers
    )
    assert stop.status_code == 422
    assert {e["code"] for e in stop.json()["errors"]} == {"household.products_not_business"}


@pytest.mark.parametrize("field,value", [("ocop_products", 1), ("ecommerce_listings", 3)])
async def test_only_a_business_household_has_products(client, world, field, value):
    response = await client.post(
        "/api/v1/households",
        json=household(world, is_business=False, **{field: value}),
        headers=world.auth(Role.team_leader),
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", field] and error["code"] == "household.products_not_business"


async def test_the_household_list_exports_and_imports_the_products(client, world, session):
    from io import BytesIO

    from openpyxl import load_workbook

    headers = world.auth(Role.commune_officer)
    await make_household(
        session, world.v11, "Hộ Chè", is_business=True, ocop_products=3, ecommerce_listings=4
    )
    await session.commit()
    exported = await client.get(
        "/api/v1/households/export.xlsx", params={"unit_id": str(world.v11.id)}, headers=headers
    )
    assert exported.status_code == 200, exported.text
    rows = list(load_workbook(BytesIO(exported.content)).active.iter_rows(values_only=True))
    header = list(rows[0])
    line = dict(zip(header, rows[1], strict=True))
    assert (line["Sản phẩm OCOP"], line["Sản phẩm trên sàn TMĐT"]) == (3, 4)
    csv = (
        f"Thôn,Họ tên chủ hộ,Hộ kinh doanh,Số sản phẩm OCOP,Sản phẩm trên sàn thương mại điện tử\n"
        f"{world.v12.code},Trần Thị Mận,x,2,6\n"
    ).encode()
    imported = await client.post(
        "/api/v1/households/import",
        params={"unit_id": str(world.c1.id)},
        files={"file": ("ho.csv", csv, "text/csv")},
        headers=headers,
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 1, imported.json()
    found = await client.get("/api/v1/households", params={"q": "Trần Thị Mận"}, headers=headers)
    (mận,) = found.json()["items"]
    assert (mận["ocop_products"], mận["ecommerce_listings"]) == (2, 6)


# --- what an area's activities add up to -----------------------------------------------------------


def this_month() -> tuple[str, datetime]:
    """The current month's code and a moment early in it (Vietnam time), not in the future."""
    now = datetime.now(VIETNAM)
    start = now.replace(day=1, hour=0, minute=1, second=0, microsecond=0)
    return f"{now:%Y-%m}", start.astimezone(UTC)


@pytest.fixture
async def helped(world, session):
    """Activities of commune c1 this month: in v11 (urban) and v12 (rural); one deleted, one dated the
    month before, one in c2 (another commune): those three do not count."""
    period, early = this_month()
    world.v11.settlement, world.v12.settlement = "urban", "rural"
    at = {"occurred_at": early + timedelta(hours=2)}
    await make_activity(session, world.v11, "vssid", people_count=4, elderly_count=3, worker_count=1, **at)
    await make_activity(
        session, world.v11, "ehealth", people_count=2, elderly_count=2, disabled_count=1, **at
    )
    await make_activity(session, world.v12, "vssid", people_count=5, minority_count=5, student_count=2, **at)
    await make_activity(session, world.v12, "digital_signature", people_count=3, worker_count=3, **at)
    await make_activity(session, world.v12, "online_dossier", people_count=1, dossier_count=2, **at)
    await make_activity(session, world.v11, "communication", channel="zalo_group", reach_count=300, **at)
    await make_activity(session, world.v12, "communication", channel="loudspeaker", reach_count=700, **at)
    await make_activity(session, world.c1, "communication", reach_count=50, **at)  # a commune's, no channel
    await make_activity(session, world.v11, "vssid", people_count=9, deleted_at=datetime.now(UTC), **at)
    await make_activity(session, world.v11, "vssid", people_count=9, occurred_at=early - timedelta(hours=8))
    await make_activity(session, world.v21, "vssid", people_count=9, **at)
    # Households: in the urban village 2 adults of 4 pay electronically, in the rural one 1 of 5.
    await make_household(session, world.v11, "Hộ A", members_count=4, adults_count=2, adults_epay=2)
    await make_household(session, world.v11, "Hộ B", members_count=2, adults_count=2, adults_epay=0)
    await make_household(session, world.v12, "Hộ C", members_count=6, adults_count=5, adults_epay=1)
    await session.commit()
    return period


async def test_an_area_sums_its_activities_by_kind_group_channel_and_village(client, world, helped):
    response = await client.get(
        "/api/v1/activities/summary",
        params={"unit_id": str(world.c1.id), "period": helped},
        headers=world.auth(Role.commune_officer),
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["unit_name"], summary["period"]) == ("Xã Đông Hòa", helped)
    total = summary["total"]
    assert (total["activities"], total["people_count"], total["dossier_count"], total["reach_count"]) == (
        8,
        18,
        2,
        1050,
    )
    kinds = {k["kind"]: k for k in summary["by_kind"]}
    assert list(kinds)[:3] == ["vneid_activation", "dvc_account", "online_dossier"]
    assert len(kinds) == 15 and kinds["vneid_activation"]["activities"] == 0
    assert (
        kinds["vssid"]["activities"],
        kinds["vssid"]["people_count"],
        kinds["vssid"]["elderly_count"],
    ) == (2, 9, 3)
    assert kinds["vssid"]["label"] == "Bảo hiểm xã hội số (VssID)"
    assert (kinds["ehealth"]["people_count"], kinds["ehealth"]["disabled_count"]) == (2, 1)
    assert kinds["communication"]["reach_count"] == 1050
    groups = {g["group"]: (g["people_count"], g["share"]) for g in summary["by_group"]}
    assert groups == {
        "elderly_count": (5, 27.78),
        "disabled_count": (1, 5.56),
        "minority_count": (5, 27.78),
        "student_count": (2, 11.11),
        "worker_count": (4, 22.22),
    }
    channels = [(c["channel"], c["activities"], c["reach_count"]) for c in summary["by_channel"]]
    assert channels == [("loudspeaker", 1, 700), ("zalo_group", 1, 300), (None, 1, 50)]
    places = {s["settlement"]: s for s in summary["by_settlement"]}
    assert list(places) == ["urban", "rural", None]
    assert [places[s]["people_count"] for s in ("urban", "rural", None)] == [7, 10, 1]
    assert (places["rural"]["minority_count"], places["urban"]["elderly_count"]) == (5, 5)
    epay = {s: next(i for i in p["indicators"] if i["code"] == "adults_epay_pct") for s, p in places.items()}
    assert (epay["urban"]["numerator"], epay["urban"]["denominator"], epay["urban"]["value"]) == (2, 4, 50.0)
    assert (epay["rural"]["numerator"], epay["rural"]["denominator"], epay["rural"]["value"]) == (1, 5, 20.0)
    assert epay[None]["value"] is None  # no households: no data, never 0 %
    supported = {
        s: next(i["value"] for i in p["indicators"] if i["code"] == "people_supported")
        for s, p in places.items()
    }
    assert supported == {"urban": 7.0, "rural": 10.0, None: 1.0}
    signatures = next(i["value"] for i in places["rural"]["indicators"] if i["code"] == "signatures_created")
    assert signatures == 3.0
    codes = {i["code"] for i in places["urban"]["indicators"]}
    assert "members_trained_pct" not in codes and "villages_with_team_pct" not in codes


async def test_the_summary_of_a_village_and_of_the_province(client, world, helped):
    province = await client.get(
        "/api/v1/activities/summary",
        params={"unit_id": str(world.p.id), "period": helped},
        headers=world.auth(Role.province_officer),
    )
    assert province.json()["total"]["people_count"] == 27  # c2's village too
    village = await client.get(
        "/api/v1/activities/summary",
        params={"unit_id": str(world.v12.id), "period": helped},
        headers=world.auth(Role.commune_officer),
    )
    assert village.json()["total"]["people_count"] == 10
    assert [s["people_count"] for s in village.json()["by_settlement"]] == [0, 10, 0]


@pytest.mark.parametrize("role", ROLES)
async def test_the_summary_is_for_those_who_read_the_area_indicators(client, world, helped, role):
    """Counts only: viewers read it too; out of the caller's area it does not exist."""
    for unit, period in (("c1", helped), ("v11", helped), ("c3", helped)):
        response = await client.get(
            "/api/v1/activities/summary",
            params={"unit_id": str(world.units[unit].id), "period": period},
            headers=world.auth(role),
        )
        sees = role in (Role.admin, Role.province_officer, Role.commune_officer, Role.viewer) or unit == "v11"
        if unit == "c3":
            sees = role == Role.admin
        assert response.status_code == (200 if sees else 404), (role, unit, response.text)


async def test_the_summary_needs_a_period(client, world):
    headers = world.auth(Role.commune_officer)
    for period in ("2026-13", "last month", "1999"):
        response = await client.get(
            "/api/v1/activities/summary",
            params={"unit_id": str(world.c1.id), "period": period},
            headers=headers,
        )
        assert response.status_code == 422, period


async def test_the_report_calls_the_function_with_any_period(session, world, helped):
    """`summarize` takes a report's period, or a span of days (an award's cut-off)."""
    c1 = await session.get(Unit, world.c1.id)
    by_month = await summarize(session, c1, parse_period(helped))
    first = by_month.starts_on
    # Up to tomorrow (inside the month but on its last day): the households recorded today count.
    by_days = await summarize(session, c1, window(first, local_today() + timedelta(days=1)))
    assert by_month.total.people_count == by_days.total.people_count == 18
    households = next(i for i in by_days.by_settlement[0].indicators if i.code == "adults_epay_pct")
    assert (households.numerator, households.denominator) == (2, 4)
    # Up to the end of its first day, before they were recorded (unless that is today), they do not.
    if first < local_today():
        early = await summarize(session, c1, window(first, first + timedelta(days=1)))
        households = next(i for i in early.by_settlement[0].indicators if i.code == "adults_epay_pct")
        assert (households.numerator, households.denominator, households.value) == (0, 0, None)
    before = await summarize(session, c1, window(first - timedelta(days=3), first))
    assert (before.total.people_count, before.total.activities) == (9, 1)
