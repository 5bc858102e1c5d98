"""The demo's teams as the plans found them (issue 20, items 1 and 2): every village team has its
founding decision with the roster it set, its Zalo group and its operating rules; Xã Cẩm Giang has its
commune team, founded by Quyết định số 1067/QĐ-UBND ngày 09/10/2025 and re-organised by Quyết định số
529/QĐ-UBND ngày 30/03/2026 (plan 000); each member covers the team's village with duties in words.
"""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.members.schemas import Position
from app.models import Member, Team, TeamDecision, Unit

CHARTER = (
    "Quy chế hoạt động của Tổ Công nghệ số cộng đồng\n"
    "1. Tổ họp định kỳ mỗi tháng một lần; báo cáo kết quả trước ngày 30 hằng tháng.\n"
    "2. Mỗi thành viên phụ trách một nhóm hộ, hướng dẫn người dân sử dụng VNeID, dịch vụ công trực tuyến, "
    "thanh toán không dùng tiền mặt.\n"
    "3. Tổ trưởng phân công nhiệm vụ, tổng hợp kết quả; trao đổi công việc qua nhóm Zalo của Tổ."
)
DUTIES = {
    Position.leader.value: "Phân công, tổng hợp kết quả; hỗ trợ chữ ký số trên VNeID",
    Position.deputy.value: "Tuyên truyền qua loa truyền thanh, nhóm Zalo thôn; hỗ trợ dịch vụ công",
    Position.member.value: "Đến từng hộ được giao: kích hoạt VNeID mức 2, cài ứng dụng ngân hàng",
}
# Plan 000's commune team of Xã Cẩm Giang: the founding roster, then one more at the re-organisation.
CAM_GIANG = "10888"
CAM_GIANG_TEAM = [
    ("Đặng Văn Quân", "leader", "youth_union", 1991),
    ("Nguyễn Thị Thu", "deputy", "official", 1988),
    ("Phạm Văn Long", "member", "police", 1993),
    ("Trần Thị Mai", "member", "teacher", 1996),
    ("Lê Văn Tâm", "member", "post_telecom_it", 1999),
]
CAM_GIANG_LATER = ("Vũ Thị Hằng", "member", "fatherland_front", 1985)
FOUNDED, REORGANISED = date(2025, 10, 9), date(2026, 3, 30)


def _roster(members: list[Member]) -> list[dict]:
    order = {p.value: i for i, p in enumerate(Position)}
    return [
        {"member_id": str(m.id), "full_name": m.full_name, "position": m.position}
        for m in sorted(members, key=lambda m: (order.get(m.position, 9), m.full_name))
    ]


async def load_teams_demo(session: AsyncSession, units: dict, today: date) -> None:
    teams = list(await session.scalars(select(Team).order_by(Team.name)))
    for team in teams:
        members = list(await session.scalars(select(Member).where(Member.team_id == team.id)))
        team.zalo_url = f"https://zalo.me/g/demo{team.id.hex[-10:]}"
        team.charter = CHARTER
        for member in members:
            member.duty_unit_id = team.unit_id
            member.duties = DUTIES.get(member.position)
        if team.decision_date is not None:
            founding = [
                m for m in members if m.joined_on is None or m.joined_on <= team.decision_date + timedelta(7)
            ]
            session.add(
                TeamDecision(
                    team_id=team.id,
                    unit_id=team.unit_id,
                    kind="founding",
                    number=team.decision_no or "",
                    decided_on=team.decision_date,
                    signer="Chủ tịch UBND xã",
                    roster=_roster(founding or members),
                    created_by="demo",
                )
            )
    commune: Unit = units[CAM_GIANG]
    team = Team(
        unit_id=commune.id,
        name="Tổ Công nghệ số cộng đồng xã Cẩm Giang",
        decision_no="1067/QĐ-UBND",
        decision_date=FOUNDED,
        zalo_url="https://zalo.me/g/tocnsdcamgiang",
        charter=CHARTER,
    )
    session.add(team)
    await session.flush()
    founders = []
    for name, position, affiliation, born in CAM_GIANG_TEAM:
        member = Member(
            team_id=team.id, unit_id=commune.id, full_name=name, position=position, affiliation=affiliation,
            birth_year=born, joined_on=FOUNDED, duties=DUTIES.get(position),
        )  # fmt: skip
        session.add(member)
        founders.append(member)
    name, position, affiliation, born = CAM_GIANG_LATER
    later = Member(
        team_id=team.id, unit_id=commune.id, full_name=name, position=position, affiliation=affiliation,
        birth_year=born, joined_on=REORGANISED, duties="Vận động hội viên, người cao tuổi học kỹ năng số",
    )  # fmt: skip
    session.add(later)
    await session.flush()
    for kind, number, day, roster in (
        ("founding", "1067/QĐ-UBND", FOUNDED, founders),
        ("reorganisation", "529/QĐ-UBND", REORGANISED, [*founders, later]),
    ):
        if day <= today:
            session.add(
                TeamDecision(
                    team_id=team.id,
                    unit_id=commune.id,
                    kind=kind,
                    number=number,
                    decided_on=day,
                    signer="Chủ tịch UBND xã Cẩm Giang",
                    roster=_roster(roster),
                    created_by="demo",
                )  # fmt: skip
            )
    await session.flush()
