"""The phone's visit says when it was made (issue 19, point 1): `observed_at` is part of a visit, so a
team member may send it, and a visit saved offline on the 28th of last month and synced today counts in
last month."""

from datetime import datetime, timedelta

from app.authz.permissions import Role
from app.kpi.periods import VIETNAM


async def _vneid(client, world, period: str) -> int:
    response = await client.get(
        "/api/v1/kpi", params={"unit_id": str(world.v11.id), "period": period}, headers=world.auth(Role.admin)
    )
    assert response.status_code == 200, response.text
    return next(i["numerator"] for i in response.json()["indicators"] if i["code"] == "adults_vneid_pct")


async def test_a_team_members_visit_dated_by_the_phone_counts_in_the_month_it_was_made(client, world):
    this_month = datetime.now(VIETNAM).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    made = (this_month - timedelta(days=1)).replace(day=28, hour=10)
    created = await client.post(
        "/api/v1/households",
        json={
            "unit_id": str(world.v11.id),
            "head_name": "Hộ Thăm Muộn",
            "members_count": 3,
            "adults_count": 2,
            "observed_at": (made - timedelta(days=40)).isoformat(),
        },
        headers=world.auth(Role.team_leader),
    )
    assert created.status_code == 201, created.text
    visit = await client.patch(
        f"/api/v1/households/{created.json()['id']}",
        json={"adults_vneid": 2, "last_visit_at": made.isoformat(), "observed_at": made.isoformat()},
        headers=world.auth(Role.team_member),
    )
    assert visit.status_code == 200, visit.text  # a visit, not a change that needs households:manage
    assert visit.json()["adults_vneid"] == 2
    assert await _vneid(client, world, f"{made:%Y-%m}") == 2
    assert await _vneid(client, world, f"{made - timedelta(days=40):%Y-%m}") == 0
