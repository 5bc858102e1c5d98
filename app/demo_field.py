"""Field demo data: households, teams and members, trainings, campaigns with events, and activities
over the past months, so every screen and chart of the demo looks alive. Deterministic (seeded)."""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.households.rules import search_text, sort_key
from app.kpi import aggregates, observations
from app.kpi.periods import VIETNAM
from app.kpi.targets import load_plan_targets
from app.models import (
    Activity,
    Campaign,
    CampaignEvent,
    EventDuty,
    Household,
    Member,
    Team,
    Training,
    TrainingAttendance,
    Unit,
)

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Phan"]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công"]
MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tuấn",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Phương",
    "Trang",
    "Yến",
]
AFFILIATIONS = [
    "youth_union",
    "teacher",
    "police",
    "health_worker",
    "womens_union",
    "farmers_union",
    "post_telecom_it",
    "student",
    "resident",
    "official",
]
KINDS = [
    "vneid_activation",
    "dvc_account",
    "online_dossier",
    "epay_account",
    "digital_signature",
    "skills_guidance",
    "ecommerce",
    "cyber_safety",
    "communication",
]
TOPICS = [
    "VNeID mức 2",
    "Dịch vụ công trực tuyến",
    "Thanh toán không dùng tiền mặt",
    "Chữ ký số công cộng",
    "An toàn thông tin",
    "Kỹ năng số cơ bản",
]


def person(rng: random.Random) -> tuple[str, str]:
    female = rng.random() < 0.5
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    return f"{rng.choice(FAMILY)} {middle} {given}", "female" if female else "male"


def phone(rng: random.Random) -> str:
    return rng.choice(["09", "03", "08", "07"]) + "".join(rng.choice("0123456789") for _ in range(8))


def household_facts(rng: random.Random) -> dict:
    members = rng.randint(1, 7)
    adults = rng.randint(1, min(members, 4))
    progress = rng.random()  # how far along this household is
    counts = {
        "adults_smartphone": min(adults, round(adults * min(1, progress + 0.35))),
        "adults_digital_skills": round(adults * progress * 0.9),
        "adults_vneid": round(adults * min(1, progress + 0.2)),
        "adults_dvc": round(adults * progress * 0.7),
        "adults_epay": round(adults * progress * 0.8),
        "adults_signature": round(adults * max(0, progress - 0.5)),
    }
    business = rng.random() < 0.12
    needs = rng.random() < 0.15
    return {
        "members_count": members,
        "adults_count": adults,
        **counts,
        "informed": rng.random() < 0.55 + progress * 0.4,
        "has_digital_member": counts["adults_digital_skills"] > 0
        and counts["adults_vneid"] > 0
        and counts["adults_dvc"] > 0,
        "is_business": business,
        "business_cashless": business and rng.random() < 0.6,
        "needs_assistance": needs,
    }


async def load_field_demo(
    session: AsyncSession, provinces: list[tuple[Unit, list[Unit]]], today: date
) -> None:
    """Field data for the villages of each (province, villages); the provinces run the campaigns."""
    rng = random.Random(20261010)
    villages = [village for _, province_villages in provinces for village in province_villages]
    for province, _ in provinces:
        await load_plan_targets(session, province, today.year)
    communes = {v.parent_id for v in villages}
    members_by_village: dict = {}
    for village in villages:
        team = Team(
            unit_id=village.id,
            name=f"Tổ CNSCĐ {village.name}",
            decision_no=f"{rng.randint(100, 999)}/QĐ-UBND",
            decision_date=date(2025, 10, rng.randint(1, 28)),
        )
        session.add(team)
        await session.flush()
        roster = []
        for i in range(rng.randint(5, 10)):
            name, gender = person(rng)
            position = "leader" if i == 0 else "deputy" if i == 1 else "member"
            member = Member(
                team_id=team.id,
                unit_id=village.id,
                full_name=name,
                gender=gender,
                phone=phone(rng),
                birth_year=rng.randint(1975, 2004),
                position=position,
                affiliation=rng.choice(AFFILIATIONS),
                joined_on=date(2025, 10, 15),
            )
            session.add(member)
            roster.append(member)
        await session.flush()
        members_by_village[village.id] = roster
        for n in range(rng.randint(40, 70)):
            head, _ = person(rng)
            facts = household_facts(rng)
            code = f"{village.code}-{n + 1:03d}"
            number = phone(rng) if rng.random() < 0.8 else None
            address = f"Số {rng.randint(1, 200)}, {village.name}"
            assigned = rng.choice(roster).id if facts["needs_assistance"] and rng.random() < 0.6 else None
            session.add(
                Household(
                    unit_id=village.id,
                    code=code,
                    head_name=head,
                    phone=number,
                    address=address,
                    assigned_member_id=assigned,
                    search_text=search_text(head, code, number, address),
                    sort_key=sort_key(head),
                    **facts,
                )
            )
    await session.flush()

    for commune_id in communes:
        for held_on in (date(today.year, 3, 12), date(today.year, 8, 20)):
            training = Training(
                unit_id=commune_id,
                title=f"Tập huấn kỹ năng số {held_on:%m/%Y}",
                held_on=held_on,
                mode=rng.choice(["in_person", "online"]),
                topics=rng.sample(TOPICS, 3),
            )
            session.add(training)
            await session.flush()
            attendees = [m for v in villages if v.parent_id == commune_id for m in members_by_village[v.id]]
            for member in rng.sample(attendees, int(len(attendees) * 0.6)):
                session.add(TrainingAttendance(training_id=training.id, member_id=member.id))
    await session.flush()

    start = today - timedelta(days=180)
    campaigns_of = {}  # village id → (mobile support, digital signature) of its province
    for province, province_villages in provinces:
        campaigns = [
            Campaign(
                unit_id=province.id,
                kind="mobile_support",
                name="Bình dân học vụ số lưu động",
                starts_on=start,
                ends_on=today + timedelta(days=60),
                status="active",
                goals={"people_supported": 5000},
            ),
            Campaign(
                unit_id=province.id,
                kind="digital_signature",
                name="Chữ ký số công cộng trên VNeID",
                starts_on=today - timedelta(days=90),
                ends_on=today + timedelta(days=30),
                status="active",
                goals={"signatures_created": 2000},
            ),
        ]
        session.add_all(campaigns)
        for village in province_villages:
            campaigns_of[village.id] = campaigns
    await session.flush()
    events = []
    for village in villages:
        for offset in (-30, -7, 0, 7):
            day = today + timedelta(days=offset)
            begins = datetime.combine(day, time(8), VIETNAM)
            event = CampaignEvent(
                campaign_id=campaigns_of[village.id][0].id,
                unit_id=village.id,
                title=f"Điểm hỗ trợ {village.name}",
                location=f"Nhà văn hóa {village.name}",
                starts_at=begins,
                ends_at=begins + timedelta(hours=3),
            )
            session.add(event)
            events.append((event, village))
    await session.flush()
    for event, village in events:
        for member in rng.sample(members_by_village[village.id], 2):
            session.add(EventDuty(event_id=event.id, member_id=member.id))

    now = datetime.now(UTC)
    for village in villages:
        roster = members_by_village[village.id]
        past_events = [e for e, v in events if v is village and e.starts_at <= now]
        for _ in range(rng.randint(60, 120)):
            moment = now - timedelta(days=rng.uniform(0, 180), hours=rng.uniform(0, 10))
            kind = rng.choice(KINDS)
            event = rng.choice(past_events) if past_events and rng.random() < 0.3 else None
            campaign_id = (
                event.campaign_id
                if event
                else (campaigns_of[village.id][1].id if kind == "digital_signature" else None)
            )
            session.add(
                Activity(
                    unit_id=village.id,
                    member_id=rng.choice(roster).id,
                    occurred_at=moment,
                    kind=kind,
                    people_count=rng.randint(1, 4),
                    dossier_count=rng.randint(1, 3) if kind == "online_dossier" else 0,
                    campaign_id=campaign_id,
                    event_id=event.id if event else None,
                )
            )
    await session.flush()
    await observations.backfill(session)
    await aggregates.rebuild(session)
