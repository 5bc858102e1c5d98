"""The demo shows a team founded by its decision and members with duties and results on the seeds'
communes (issue 20, items 1 and 2)."""

from sqlalchemy import select

from app.demo import DEMO_PASSWORD, load_demo
from app.kpi.periods import local_today
from app.models import Unit


async def _sign_in(client, username: str) -> dict[str, str]:
    token = await client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def test_the_demo_founds_teams_by_decision_with_duties_and_results(client, session):
    assert await load_demo(session) is True
    await session.commit()
    admin = await _sign_in(client, "admin")
    cam_giang = await session.scalar(select(Unit).where(Unit.code == "10888", Unit.level == "commune"))
    teams = (await client.get("/api/v1/teams", params={"unit_id": str(cam_giang.id)}, headers=admin)).json()
    commune_team = next(t for t in teams["items"] if t["unit_id"] == str(cam_giang.id))
    assert (commune_team["decision_no"], commune_team["decision_date"]) == ("1067/QĐ-UBND", "2025-10-09")
    assert commune_team["zalo_url"].startswith("https://zalo.me/g/") and "Quy chế" in commune_team["charter"]
    decisions = (await client.get(f"/api/v1/teams/{commune_team['id']}/decisions", headers=admin)).json()[
        "items"
    ]
    assert [(d["number"], len(d["roster"])) for d in decisions] == [("1067/QĐ-UBND", 5), ("529/QĐ-UBND", 6)]

    commune = await _sign_in(client, "commune")
    period = local_today().strftime("%Y-%m")
    results = (await client.get("/api/v1/members/results", params={"period": period}, headers=commune)).json()
    assert sum(r["activities"] for r in results["items"]) > 0
    assert sum(r["households_assigned"] for r in results["items"]) > 0
    mine = (await client.get("/api/v1/members/me", headers=await _sign_in(client, "member"))).json()["items"]
    assert len(mine) == 1 and mine[0]["member"]["duties"] and mine[0]["duty_unit_name"] == "Thôn Ngọc Hồi"
    village_team = mine[0]["member"]["team_id"]
    founding = (await client.get(f"/api/v1/teams/{village_team}/decisions", headers=commune)).json()["items"]
    assert founding[0]["kind"] == "founding" and founding[0]["roster"]
