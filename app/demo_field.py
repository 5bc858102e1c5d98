"""Field demo data with a past: households, teams and members, trainings, campaigns with events, and
activities over the past twelve months, so every screen and chart of the demo looks alive and a new
user's Dashboard shows a real trend. Each team was founded about a year ago and its members joined
over the year; each household was recorded some months ago with fewer skills and accounts, and later
visits raised its counts (each visit an observation of its history, `app.kpi.observations`, and the
help given then an activity); trainings were held across the year, never in January. The aggregates
are then recomputed from all of it. Deterministic (seeded), dated from the day it is loaded."""

import math
import random
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.households.rules import DIGITAL_MEMBER, search_text, sort_key
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
from app.models.household import ADULT_COUNTS

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


# The help a visit gave, by the count it raised (and the household informed: communication).
HELP = {
    "adults_digital_skills": "skills_guidance",
    "adults_vneid": "vneid_activation",
    "adults_dvc": "dvc_account",
    "adults_epay": "epay_account",
    "adults_signature": "digital_signature",
}
# Months trainings are held in (never January: at its end, no member is trained yet that year).
TRAINING_MONTHS = (3, 6, 9, 11)
YEAR = timedelta(days=365)


def earlier_facts(final: dict, share: float, informed_at: float) -> dict:
    """The household's facts when `share` (0 to 1) of its progress was made: fewer adults with skills
    and accounts, not yet informed (before `informed_at`), no cashless payments yet; `share` 1 is
    `final` itself. A digital member only where the counts allow one (seed 000)."""
    counts = {f: final[f] if share >= 1 else math.floor(final[f] * share) for f in ADULT_COUNTS}
    return (
        final
        | counts
        | {
            "informed": final["informed"] and share >= informed_at,
            "has_digital_member": all(counts[f] > 0 for f in DIGITAL_MEMBER),
            "business_cashless": final["business_cashless"] and share >= 1,
        }
    )


def household_history(
    rng: random.Random, final: dict, founded: datetime, now: datetime, month_start: datetime
) -> list[tuple[datetime, dict]]:
    """(observed_at, facts) of a household, in time order, the last one `final`: recorded some months
    ago (most in the team's first month, the others over the year), then visited up to three times,
    each visit nearer its final counts; about one in twelve was last visited this month."""
    span = (now - founded).total_seconds()
    if rng.random() < 0.6:
        created = founded + timedelta(seconds=rng.uniform(0, min(span, 30 * 86400)))
    else:
        created = founded + timedelta(seconds=span * rng.uniform(0, 0.995))
    visits = rng.choices((0, 1, 2, 3), weights=(1, 3, 3, 2))[0]
    if not visits:
        return [(created, final)]
    moments = sorted(created + (now - created) * rng.uniform(0.02, 1) for _ in range(visits))
    if rng.random() < 0.08:  # the latest visits: this month's work
        moments[-1] = max(moments[-1], month_start + (now - month_start) * rng.random())
    start, informed_at = rng.uniform(0, 0.5), rng.random()
    shares = [start + (1 - start) * k / visits for k in range(visits + 1)]
    return [(created, earlier_facts(final, shares[0], informed_at))] + [
        (moment, earlier_facts(final, share, informed_at))
        for moment, share in zip(moments, shares[1:], strict=True)
    ]


def visit_help(before: dict, after: dict) -> list[tuple[str, int]]:
    """The help a visit gave: (activity kind, people helped) for each count it raised."""
    given = [(kind, after[f] - before[f]) for f, kind in HELP.items() if after[f] > before[f]]
    if after["informed"] and not before["informed"]:
        given.append(("communication", 1))
    return given


def training_days(rng: random.Random, today: date) -> list[date]:
    """A commune's training days over the past year, in TRAINING_MONTHS; and one a few days ago when
    none was held this year yet (a team trains every year)."""
    days = [
        date(year, month, rng.randint(5, 25))
        for year in (today.year - 1, today.year)
        for month in TRAINING_MONTHS
    ]
    days = [d for d in days if today - YEAR < d <= today]
    if not any(d.year == today.year for d in days):
        days.append(today - timedelta(days=2))
    return sorted(days)


async def load_field_demo(
    session: AsyncSession, provinces: list[tuple[Unit, list[Unit]]], today: date
) -> None:
    """Field data for the villages of each (province, villages); the provinces run the campaigns."""
    rng = random.Random(20261010)
    now = datetime.now(UTC)
    month_start = datetime.combine(today.replace(day=1), time(0), VIETNAM)
    villages = [village for _, province_villages in provinces for village in province_villages]
    for province, _ in provinces:
        await load_plan_targets(session, province, today.year)
    communes = {v.parent_id for v in villages}
    members_by_village: dict = {}
    visits_by_village: dict = {}  # village id → [(moment, household id, kind, people)]
    histories = []
    for village in villages:
        founded = today - timedelta(days=rng.randint(335, 360))
        team = Team(
            unit_id=village.id,
            name=f"Tổ CNSCĐ {village.name}",
            decision_no=f"{rng.randint(100, 999)}/QĐ-UBND",
            decision_date=founded,
        )
        session.add(team)
        await session.flush()
        roster = []
        joining = (today - timedelta(days=30) - founded).days
        for i in range(rng.randint(5, 10)):
            name, gender = person(rng)
            position = "leader" if i == 0 else "deputy" if i == 1 else "member"
            # The leader and deputy found the team; the others joined over the year.
            joined_on = founded + timedelta(days=rng.randint(0, 7) if i < 2 else rng.randint(0, joining))
            member = Member(
                team_id=team.id,
                unit_id=village.id,
                full_name=name,
                gender=gender,
                phone=phone(rng),
                birth_year=rng.randint(1975, 2004),
                position=position,
                affiliation=rng.choice(AFFILIATIONS),
                joined_on=joined_on,
            )
            session.add(member)
            roster.append(member)
        await session.flush()
        members_by_village[village.id] = roster
        visits = visits_by_village[village.id] = []
        start = datetime.combine(founded, time(8), VIETNAM)
        for n in range(rng.randint(40, 70)):
            head, _ = person(rng)
            facts = household_facts(rng)
            code = f"{village.code}-{n + 1:03d}"
            number = phone(rng) if rng.random() < 0.8 else None
            address = f"Số {rng.randint(1, 200)}, {village.name}"
            assigned = rng.choice(roster).id if facts["needs_assistance"] and rng.random() < 0.6 else None
            states = household_history(rng, facts, start, now, month_start)
            household = Household(
                unit_id=village.id,
                code=code,
                head_name=head,
                phone=number,
                address=address,
                assigned_member_id=assigned,
                search_text=search_text(head, code, number, address),
                sort_key=sort_key(head),
                version=len(states),
                created_at=states[0][0],
                updated_at=states[-1][0],
                last_visit_at=states[-1][0] if len(states) > 1 else None,
                **facts,
            )
            session.add(household)
            histories.append((household, states))
            for (_, before), (moment, after) in zip(states, states[1:], strict=False):
                visits.extend((moment, household, kind, people) for kind, people in visit_help(before, after))
    await session.flush()
    # Each household's history, its latest state standing (the household's row holds the same facts).
    rows = [
        row
        for household, states in histories
        for row in observations.history(
            household.id,
            household.unit_id,
            [
                (
                    moment,
                    SimpleNamespace(
                        **facts,
                        assigned_member_id=household.assigned_member_id if i == len(states) - 1 else None,
                    ),
                )
                for i, (moment, facts) in enumerate(states)
            ],
        )
    ]
    await session.execute(insert(observations.TABLE), rows)

    for commune_id in communes:
        roster = [m for v in villages if v.parent_id == commune_id for m in members_by_village[v.id]]
        for held_on in training_days(rng, today):
            training = Training(
                unit_id=commune_id,
                title=f"Tập huấn kỹ năng số {held_on:%m/%Y}",
                held_on=held_on,
                mode=rng.choice(["in_person", "online"]),
                topics=rng.sample(TOPICS, 3),
            )
            session.add(training)
            await session.flush()
            joined = [m for m in roster if m.joined_on <= held_on]  # who was a member by then
            for member in rng.sample(joined, int(len(joined) * rng.uniform(0.4, 0.7))):
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

    def campaign_of(village: Unit, kind: str, moment: datetime):
        """The signature campaign for a signature created while it runs; no campaign otherwise."""
        signatures = campaigns_of[village.id][1]
        day = moment.astimezone(VIETNAM).date()
        return signatures.id if kind == "digital_signature" and signatures.starts_on <= day else None

    def visitor(roster: list[Member], moment: datetime) -> Member:
        day = moment.astimezone(VIETNAM).date()
        return rng.choice([m for m in roster if m.joined_on <= day] or roster)

    for village in villages:
        roster = members_by_village[village.id]
        # The help given on the households' visits, on the day of each visit.
        for moment, household, kind, people in visits_by_village[village.id]:
            session.add(
                Activity(
                    unit_id=village.id,
                    household_id=household.id,
                    member_id=visitor(roster, moment).id,
                    occurred_at=moment,
                    kind=kind,
                    people_count=people,
                    dossier_count=0,
                    campaign_id=campaign_of(village, kind, moment),
                )
            )
        # Help at the support points and elsewhere, more of it in the recent months.
        past_events = [e for e, v in events if v is village and e.ends_at <= now]  # nothing dated ahead
        for _ in range(rng.randint(60, 120)):
            moment = now - YEAR * rng.random() ** 1.2 - timedelta(hours=rng.uniform(0, 10))
            kind = rng.choice(KINDS)
            event = rng.choice(past_events) if past_events and rng.random() < 0.15 else None
            if event is not None:
                moment = event.starts_at + timedelta(minutes=rng.uniform(0, 170))
            session.add(
                Activity(
                    unit_id=village.id,
                    member_id=visitor(roster, moment).id,
                    occurred_at=moment,
                    kind=kind,
                    people_count=rng.randint(1, 4),
                    dossier_count=rng.randint(1, 3) if kind == "online_dossier" else 0,
                    campaign_id=event.campaign_id if event else campaign_of(village, kind, moment),
                    event_id=event.id if event else None,
                )
            )
    await session.flush()
    await aggregates.rebuild(session)
