"""The demo shows issue 20's items 3, 4 and 8 on the plans' communes (Ngọc Hồi, Cẩm Giang, Quỳnh Sơn):
guides published to their teams, help given with the everyday services and with who was helped,
communications by channel, villages urban or rural, business households' OCOP products."""

from datetime import timedelta

from sqlalchemy import func, select

from app.activities.summary import summarize
from app.demo import DEMO_PASSWORD, load_demo
from app.kpi.periods import local_today, window
from app.models import Household, LearningMaterial, Unit

COMMUNES = {"00679": "Xã Ngọc Hồi", "10888": "Xã Cẩm Giang", "17152": "Xã Quỳnh Sơn"}


async def _sign_in(client, username: str) -> dict[str, str]:
    token = await client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def test_the_demo_shows_guides_groups_kinds_and_ocop_in_the_three_communes(client, session):
    assert await load_demo(session) is True
    await session.commit()
    communes = {
        u.code: u
        for u in await session.scalars(select(Unit).where(Unit.level == "commune", Unit.code.in_(COMMUNES)))
    }
    # Guides: each commune publishes some; the Ngọc Hồi member reads Hà Nội's and Ngọc Hồi's, offline too.
    for code in COMMUNES:
        published = await session.scalar(
            select(func.count())
            .select_from(LearningMaterial)
            .where(LearningMaterial.unit_id == communes[code].id)
        )
        assert published >= 2, code
    member = await _sign_in(client, "member")
    guides = (await client.get("/api/v1/learning-materials", headers=member)).json()["items"]
    assert {g["unit_name"] for g in guides} == {"Xã Ngọc Hồi", "Thành phố Hà Nội"}
    assert all(g["url"].startswith("https://") and g["summary"] for g in guides)

    admin = await _sign_in(client, "admin")
    today = local_today()
    half_year = window(today - timedelta(days=180), today + timedelta(days=1))
    for code, name in COMMUNES.items():
        response = await client.get(
            "/api/v1/activities/summary",
            params={"unit_id": str(communes[code].id), "period": str(today.year)},
            headers=admin,
        )
        assert response.status_code == 200 and response.json()["unit_name"] == name, response.text
        s = (await summarize(session, communes[code], half_year)).model_dump(mode="json")
        kinds = {k["kind"]: k["activities"] for k in s["by_kind"]}
        assert all(kinds[k] > 0 for k in ("ehealth", "education", "vssid", "transport", "public_feedback")), (
            code,
            kinds,
        )
        groups = {g["group"]: g["people_count"] for g in s["by_group"]}
        assert groups["elderly_count"] > 0 and groups["worker_count"] > 0, (code, groups)
        assert any(c["channel"] and c["reach_count"] > 0 for c in s["by_channel"]), code
        places = {p["settlement"]: p["people_count"] for p in s["by_settlement"]}
        assert places["rural"] > 0, code
    # Quỳnh Sơn helps ethnic minority people; Ngọc Hồi and Cẩm Giang have urban villages.
    quynh_son = await summarize(session, communes["17152"], half_year)
    assert next(g for g in quynh_son.by_group if g.group == "minority_count").people_count > 0
    for code in ("00679", "10888"):
        urban = await session.scalar(
            select(func.count())
            .select_from(Unit)
            .where(Unit.parent_id == communes[code].id, Unit.settlement == "urban")
        )
        assert urban >= 1, code
    # Business households with OCOP products and products on e-commerce platforms.
    ocop = await session.scalar(
        select(func.count()).select_from(Household).where(Household.ocop_products > 0)
    )
    listed = await session.scalar(
        select(func.count()).select_from(Household).where(Household.ecommerce_listings > 0)
    )
    assert ocop > 0 and listed > 0
    assert (
        await session.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.ocop_products > 0, Household.is_business.is_(False))
        )
        == 0
    )
