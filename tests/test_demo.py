from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.authz.permissions import Role
from app.core.config import ConfigError
from app.demo import COMMUNES, DEMO_PASSWORD, USERS, load_demo
from app.models import Unit

# Where each demo user works: (level, code) of the unit of their role.
HOMES = {
    "province": ("province", "01"),
    "commune": ("commune", "00679"),
    "leader": ("village", "00679-01"),
    "member": ("village", "00679-01"),
    "viewer": ("province", "01"),
}


async def _sign_in(client, username: str) -> dict[str, str]:
    token = await client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert token.status_code == 200, username
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def test_demo_is_the_official_map_with_the_plans_communes(client, session):
    assert await load_demo(session) is True
    await session.commit()
    admin = await _sign_in(client, "admin")

    provinces = await client.get("/api/v1/units", params={"level": "province"}, headers=admin)
    communes = await client.get("/api/v1/units", params={"level": "commune"}, headers=admin)
    assert (provinces.json()["total"], communes.json()["total"]) == (34, 3321)
    assert all(u["official"] for u in provinces.json()["items"] + communes.json()["items"])

    found = (await client.get("/api/v1/units", params={"q": "00679"}, headers=admin)).json()["items"]
    ngoc_hoi = next(u for u in found if u["level"] == "commune")
    assert (ngoc_hoi["code"], ngoc_hoi["name"]) == ("00679", "Xã Ngọc Hồi")
    ha_noi = (await client.get(f"/api/v1/units/{ngoc_hoi['parent_id']}", headers=admin)).json()
    assert (ha_noi["code"], ha_noi["name"], ha_noi["level"]) == ("01", "Thành phố Hà Nội", "province")

    # The plans' communes, in their real provinces, with the demo villages as named before.
    for code, villages in COMMUNES.items():
        commune = await session.scalar(select(Unit).where(Unit.level == "commune", Unit.code == code))
        names = set(await session.scalars(select(Unit.name).where(Unit.parent_id == commune.id)))
        assert names == set(villages), code
    parents = {
        code: await session.scalar(
            select(Unit.code).where(
                Unit.id
                == select(Unit.parent_id).where(Unit.code == code, Unit.level == "commune").scalar_subquery()
            )
        )
        for code in COMMUNES
    }
    assert parents == {"00679": "01", "10888": "31", "17152": "40"}
    assert await session.scalar(select(Unit.name).where(Unit.name == "Tỉnh Mẫu")) is None

    # The demo users keep their names and passwords, at real units.
    for username, _, role, _ in USERS:
        headers = await _sign_in(client, username)
        me = (await client.get("/api/v1/auth/me", headers=headers)).json()
        assert me["roles"][0]["role"] == role.value
        if username in HOMES:
            unit = (await client.get(f"/api/v1/units/{me['roles'][0]['unit_id']}", headers=headers)).json()
            assert (unit["level"], unit["code"]) == HOMES[username], username
        if role in (Role.team_leader, Role.team_member):
            assert unit["name"] == "Thôn Ngọc Hồi"
    assert await load_demo(session) is False  # never twice


async def test_demo_is_refused_in_production(session, monkeypatch):
    from app.core.config import get_settings

    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError):
            await load_demo(session)
    finally:
        get_settings.cache_clear()


async def test_the_demo_support_point_is_open_today_in_vietnam(client, session):
    """The member's support point of the day is on Vietnam's today, whatever the machine's clock
    zone (between 17:00 and 24:00 UTC the demo put it on Vietnam's yesterday: an empty screen)."""
    from app.kpi.periods import VIETNAM, local_today

    assert await load_demo(session) is True
    await session.commit()
    member = await _sign_in(client, "member")
    campaigns = await client.get("/api/v1/campaigns", params={"limit": 100}, headers=member)
    days = set()
    for campaign in campaigns.json()["items"]:
        events = await client.get(
            f"/api/v1/campaigns/{campaign['id']}/events", params={"limit": 200}, headers=member
        )
        assert events.status_code == 200, events.text
        days |= {
            datetime.fromisoformat(e["starts_at"]).astimezone(VIETNAM).date() for e in events.json()["items"]
        }
    assert local_today() in days


async def test_the_demo_has_a_past(client, session):
    """Issue 19, point 9: a new user's Dashboard shows a real trend. The commune Ngọc Hồi's indicators
    for last month differ from this month's, and January's from both (fewer households recorded, fewer
    counts raised); members trained by the end of January are not the year's share (no training is
    held in January)."""
    from app.kpi.periods import local_today

    assert await load_demo(session) is True
    await session.commit()
    headers = await _sign_in(client, "commune")
    commune = (await client.get("/api/v1/auth/me", headers=headers)).json()["roles"][0]["unit_id"]
    today = local_today()
    last = today.replace(day=1) - timedelta(days=1)
    # January 2026 today; in January and February (when this January is this month or the last one)
    # the month two before the last, and last year's January for the trainings.
    year = today.year if today.month >= 3 else today.year - 1
    early = f"{year}-01" if today.month >= 3 else f"{(last.replace(day=1) - timedelta(days=40)):%Y-%m}"
    periods = (f"{today:%Y-%m}", f"{last:%Y-%m}", early, f"{year}-01", f"{year}")

    async def kpi(period: str) -> dict:
        response = await client.get(
            "/api/v1/kpi", params={"unit_id": commune, "period": period}, headers=headers
        )
        assert response.status_code == 200, response.text
        return {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()["indicators"]}

    now, before, earlier, january, whole_year = [await kpi(p) for p in periods]
    households = lambda k: k["households_informed_pct"][1]  # noqa: E731
    assert 0 < households(earlier) < households(before) <= households(now)  # recorded over the year
    stock = ("households_informed_pct", "adults_vneid_pct", "adults_digital_skills_pct", "adults_epay_pct")
    assert [now[c] for c in stock] != [before[c] for c in stock]  # visits this month raised counts
    assert now["people_supported"] != before["people_supported"]  # help is counted in its month
    assert earlier != now and earlier != before
    assert earlier["adults_vneid_pct"][0] < before["adults_vneid_pct"][0]
    trained_january, trained_year = january["members_trained_pct"][0], whole_year["members_trained_pct"][0]
    assert trained_january < trained_year
