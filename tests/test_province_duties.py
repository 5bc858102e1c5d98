"""The province's review of its communes' quarterly reports (issue 20, item 7; plan 002: the commune
reports each quarter to the province before the 15th of the quarter's last month)."""

from app.authz.permissions import Role

BASE = "/api/v1/kpi/snapshots"


async def sent(client, world, unit, role, period="2026-Q3") -> dict:
    created = await client.post(
        BASE, json={"unit_id": str(unit.id), "period": period}, headers=world.auth(role)
    )
    assert created.status_code == 201, created.text
    submitted = await client.post(f"{BASE}/{created.json()['id']}/submit", headers=world.auth(role))
    assert submitted.status_code == 200
    return submitted.json()


async def test_the_province_approves_and_returns_its_communes_quarterly_reports(client, world):
    officer = world.auth(Role.province_officer)
    first = await sent(client, world, world.c1, Role.commune_officer)
    assert first["due_on"] == "2026-09-15"
    # Nobody approves their own: the commune officer cannot, the province can.
    own = await client.post(f"{BASE}/{first['id']}/approve", headers=world.auth(Role.commune_officer))
    assert own.status_code == 403
    approved = await client.post(f"{BASE}/{first['id']}/approve", headers=officer)
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", "province.officer")

    second = await sent(client, world, world.c2, Role.admin)
    returned = await client.post(
        f"{BASE}/{second['id']}/return", json={"reason": "Thiếu số liệu quý"}, headers=officer
    )
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["return_reason"]) == ("returned", "Thiếu số liệu quý")

    # Another province's commune does not exist for this officer.
    elsewhere = await sent(client, world, world.c3, Role.admin)
    assert (await client.post(f"{BASE}/{elsewhere['id']}/approve", headers=officer)).status_code == 404


async def test_the_province_pages_through_every_report_of_a_period(client, world):
    """The list the Reports screen pages through: every report of the province's subtree, page by page."""
    for unit in (world.c1, world.c2, world.v11, world.v12, world.v21):
        await sent(client, world, unit, Role.admin)
    officer = world.auth(Role.province_officer)
    seen = []
    for offset in (0, 2, 4):
        page = await client.get(
            BASE,
            params={"unit_id": str(world.p.id), "period": "2026-Q3", "limit": 2, "offset": offset},
            headers=officer,
        )
        assert page.json()["total"] == 5
        seen += [s["unit_id"] for s in page.json()["items"]]
    assert sorted(seen) == sorted(str(u.id) for u in (world.c1, world.c2, world.v11, world.v12, world.v21))
