"""The country above the provinces (issue 20, item 7; plan 004 asks for national rankings): the KPIs,
the ranking of the provinces and the national trend for a caller whose grant covers the country (an
admin, a ministry viewer: a viewer at no unit), through the well-known id `COUNTRY_ID`; below the
country it does not exist (404)."""

import pytest

from app.authz.permissions import Role
from app.authz.scope import COUNTRY_ID
from app.core.security import hash_password
from app.kpi import aggregates
from app.kpi.periods import local_today
from tests.world import make_household, make_user

COUNTRY = str(COUNTRY_ID)


@pytest.fixture
async def ministry(world, session):
    """A ministry viewer: the viewer role held at no unit."""
    from app.auth.service import access_token

    user = await make_user(session, "bo.khcn", Role.viewer, None, await hash_password("x" * 12))
    await session.commit()
    return {"Authorization": f"Bearer {access_token(user.id)[0]}"}


@pytest.fixture
async def households(world, session):
    """Tỉnh Thử: 3 households, 2 informed (67 %); Tỉnh Khác: 2 households, both informed (100 %)."""
    for unit, informed in ((world.v11, True), (world.v12, True), (world.v21, False)):
        await make_household(session, unit, members_count=2, adults_count=2, informed=informed)
    for _ in range(2):
        await make_household(session, world.v31, members_count=3, adults_count=2, informed=True)
    await aggregates.rebuild(session)
    await session.commit()


def period() -> str:
    return f"{local_today():%Y-%m}"


async def test_the_country_sums_every_province(client, world, households, ministry):
    for headers in (world.auth(Role.admin), ministry):
        response = await client.get(
            "/api/v1/kpi", params={"unit_id": COUNTRY, "period": period()}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["unit_id"], body["unit_name"]) == (COUNTRY, "Cả nước")
        informed = {i["code"]: i for i in body["indicators"]}["households_informed_pct"]
        assert (informed["numerator"], informed["denominator"], informed["value"]) == (4, 5, 80.0)


async def test_the_ministry_ranks_the_provinces(client, world, households, ministry):
    params = {"unit_id": COUNTRY, "period": period(), "indicator": "households_informed_pct"}
    response = await client.get("/api/v1/kpi/breakdown", params=params, headers=ministry)
    assert response.status_code == 200, response.text
    rows = [(r["rank"], r["name"], r["value"]) for r in response.json()["rows"]]
    assert rows == [(1, "Tỉnh Khác", 100.0), (2, "Tỉnh Thử", 66.67)]
    # A province's row leads on to its own communes, as any unit's.
    province = response.json()["rows"][1]["unit_id"]
    below = await client.get("/api/v1/kpi/breakdown", params=params | {"unit_id": province}, headers=ministry)
    assert [r["name"] for r in below.json()["rows"]] == ["Xã Đông Hòa", "Xã Tây Sơn"]


async def test_the_national_trend_month_by_month(client, world, households, ministry):
    """The trend reads the country month by month as any unit: this month counts the households,
    a month of last year none (they were recorded today)."""
    today = local_today()
    last_year = f"{today.year - 1}-{today.month:02d}"
    values = {}
    for code in (last_year, period()):
        response = await client.get(
            "/api/v1/kpi", params={"unit_id": COUNTRY, "period": code}, headers=ministry
        )
        assert response.status_code == 200
        values[code] = {i["code"]: i for i in response.json()["indicators"]}["households_informed_pct"]
    assert (values[last_year]["denominator"], values[last_year]["value"]) == (0, None)
    assert values[period()]["numerator"] == 4


@pytest.mark.parametrize(
    "role", [Role.province_officer, Role.commune_officer, Role.team_leader, Role.team_member, Role.viewer]
)
async def test_below_the_country_it_does_not_exist(client, world, households, role):
    for path, extra in (("/api/v1/kpi", {}), ("/api/v1/kpi/breakdown", {"indicator": "people_supported"})):
        params = {"unit_id": COUNTRY, "period": period()} | extra
        response = await client.get(path, params=params, headers=world.auth(role))
        assert response.status_code == 404, (role, path, response.text)


async def test_the_ministry_viewer_sees_no_personal_data(client, world, households, ministry):
    assert (await client.get("/api/v1/households", headers=ministry)).status_code == 403
    assert (await client.get("/api/v1/members", headers=ministry)).status_code == 403


async def test_the_national_trend_in_one_request(client, world, households, ministry):
    today = local_today()
    response = await client.get(
        "/api/v1/kpi/trend", params={"unit_id": COUNTRY, "year": today.year}, headers=ministry
    )
    assert response.status_code == 200, response.text
    months = response.json()["months"]
    assert [m["period"] for m in months] == [f"{today.year}-{m:02d}" for m in range(1, today.month + 1)]
    informed = {i["code"]: i for i in months[-1]["indicators"]}["households_informed_pct"]
    assert (informed["numerator"], informed["denominator"]) == (4, 5)
    below = await client.get(
        "/api/v1/kpi/trend", params={"unit_id": COUNTRY, "year": today.year}, headers=world.auth(Role.viewer)
    )
    assert below.status_code == 404


async def test_an_admin_creates_the_ministry_viewer(client, world, households):
    """The viewer role held at no unit: the whole country. Only an admin grants it there."""
    body = {
        "username": "bo.khcn.lanhdao",
        "full_name": "Lãnh đạo Bộ",
        "password": "mat-khau-dai-1",
        "roles": [{"role": "viewer", "unit_id": None}],
    }
    refused = await client.post("/api/v1/users", json=body, headers=world.auth(Role.province_officer))
    assert refused.status_code == 403
    created = await client.post("/api/v1/users", json=body, headers=world.auth(Role.admin))
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == [{"role": "viewer", "unit_id": None}]
    token = await client.post(
        "/api/v1/auth/token", data={"username": body["username"], "password": body["password"]}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    kpi = await client.get("/api/v1/kpi", params={"unit_id": COUNTRY, "period": period()}, headers=headers)
    assert kpi.status_code == 200 and kpi.json()["unit_name"] == "Cả nước"
    # A team role still needs its unit.
    member = body | {"username": "x.member", "roles": [{"role": "team_member", "unit_id": None}]}
    assert (
        await client.post("/api/v1/users", json=member, headers=world.auth(Role.admin))
    ).status_code == 422
