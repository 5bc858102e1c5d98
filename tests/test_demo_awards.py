"""The demo shows an award with proposals and a decision on the seeds' communes, good models shared,
and a ministry viewer who ranks the provinces (issue 20, items 5 and 7)."""

import io

from openpyxl import load_workbook

from app.authz.scope import COUNTRY_ID
from app.demo import DEMO_PASSWORD, load_demo
from app.kpi.periods import local_today


async def _sign_in(client, username: str) -> dict[str, str]:
    token = await client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert token.status_code == 200, username
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def test_the_demo_award_has_proposals_and_a_decision(client, session):
    assert await load_demo(session)
    await session.commit()
    commune = await _sign_in(client, "commune")
    awards = (await client.get("/api/v1/awards", headers=commune)).json()["items"]
    assert len(awards) == 1
    award = (await client.get(f"/api/v1/awards/{awards[0]['id']}", headers=commune)).json()
    assert award["decision_no"] and award["status"] == "frozen"
    assert len(award["people"]["members"]) > 0 and len(award["people"]["teams"]) > 0
    proposals = (await client.get(f"/api/v1/awards/{award['id']}/nominations", headers=commune)).json()[
        "items"
    ]
    assert {p["kind"] for p in proposals} == {"member", "team", "initiative"}
    assert {p["status"] for p in proposals} == {"accepted", "rejected"}
    sheet = load_workbook(
        io.BytesIO((await client.get(f"/api/v1/awards/{award['id']}/export.xlsx", headers=commune)).content)
    ).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any(f"Quyết định số {award['decision_no']}" in c for c in cells)
    honoured = [p["name"] for p in proposals if p["status"] == "accepted"]
    assert all(name in cells for name in honoured)
    # Every seed commune has its award with proposals; a leader sees its village's.
    admin = await _sign_in(client, "admin")
    all_awards = (await client.get("/api/v1/awards", headers=admin)).json()
    assert all_awards["total"] == 3
    leader = await _sign_in(client, "leader")
    assert (await client.get(f"/api/v1/awards/{award['id']}/nominations", headers=leader)).json()[
        "total"
    ] >= 1
    shared = (await client.get("/api/v1/initiatives", params={"shared": "true"}, headers=leader)).json()
    assert shared["total"] == 3
    # The ministry ranks the 34 provinces.
    ministry = await _sign_in(client, "ministry")
    params = {"unit_id": str(COUNTRY_ID), "period": f"{local_today():%Y-%m}", "indicator": "composite_score"}
    ranking = (await client.get("/api/v1/kpi/breakdown", params=params, headers=ministry)).json()
    assert len(ranking["rows"]) == 34
