"""Demo data for issue 20, items 5 and 7, on the three communes of the plans (Ngọc Hồi, Cẩm Giang,
Quỳnh Sơn): each commune's 10/10 award with its members and teams ranked, the proposals its team
leaders made (members, a team, a good model) and the commune's review; Ngọc Hồi's award decided by
the Chairman (number, date), so its Excel file is the decision's list; good models kept and shared;
and a ministry viewer (the viewer role at no unit) who ranks the provinces. Run after the field demo
and the users (it proposes as the demo leader, reviews as the commune)."""

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Role
from app.authz.principal import SYSTEM
from app.awards import people
from app.awards.service import freeze, span
from app.core.security import hash_password
from app.kpi.indicators import DEFAULT_WEIGHTS
from app.models import Award, RoleAssignment, Team, Unit, User
from app.models.award import AwardNomination, Initiative

# (commune code, village index or None for the commune, title, description, results, shared)
INITIATIVES = [
    ("00679", 0, "Điểm “Bình dân học vụ số lưu động” tại nhà văn hóa thôn",
     "Mỗi tối thứ Bảy, Tổ mang máy tính bảng đến nhà văn hóa, hướng dẫn người cao tuổi kích hoạt "
     "VNeID mức 2 và tạo chữ ký số trên VNeID; đoàn viên thanh niên cầm tay chỉ việc.",
     "Hơn 300 lượt người được hỗ trợ trong quý III.", True),
    ("00679", None, "Mạng lưới “Đại sứ số” học sinh",
     "Học sinh THCS hướng dẫn ông bà, cha mẹ cài đặt VNeID, VssID và thanh toán không dùng tiền mặt.",
     None, False),
    ("10888", 1, "Mô hình “Gia đình số”",
     "Mỗi hộ có ít nhất một người biết dùng dịch vụ công trực tuyến; Tổ phân công thành viên kèm cặp "
     "hộ chưa có.",
     "85 % hộ của thôn có thành viên đủ kỹ năng số.", True),
    ("17152", 2, "“Chợ số - Nông thôn số” ở chợ xã",
     "Tiểu thương dán mã QR thanh toán; Tổ hướng dẫn mở tài khoản và đưa sản phẩm OCOP lên sàn.", None, True),
]  # fmt: skip

REASONS = {
    "member": "Hướng dẫn {n} lượt người dân kích hoạt VNeID, tạo chữ ký số, nộp hồ sơ trực tuyến trong năm.",
    "team": "Tổ dẫn đầu xã về số người được hỗ trợ ({n} lượt), đi từng ngõ, gõ từng nhà.",
    "initiative": "Mô hình hay, được các thôn khác học tập và nhân rộng.",
}


async def load_awards_demo(session: AsyncSession, units: dict, today: date) -> None:
    password_hash = await hash_password("demo1234")  # the demo's one password (app.demo.DEMO_PASSWORD)
    ministry = User(
        username="ministry", full_name="Bộ Khoa học và Công nghệ (Lãnh đạo)", password_hash=password_hash
    )
    session.add(ministry)
    await session.flush()
    session.add(RoleAssignment(user_id=ministry.id, role=Role.viewer.value, unit_id=None))  # the country

    initiatives: dict[str, list[Initiative]] = {}
    for code, village, title, description, results, shared in INITIATIVES:
        unit = units[(code, village)] if village is not None else units[code]
        initiative = Initiative(
            unit_id=unit.id, title=title, description=description, results=results, shared=shared
        )
        session.add(initiative)
        initiatives.setdefault(code, []).append(initiative)
    await session.flush()

    year = today.year if today > date(today.year, 10, 10) else today.year - 1
    for code, decided in (("00679", True), ("10888", False), ("17152", False)):
        commune: Unit = units[code]
        award = Award(
            unit_id=commune.id,
            title=f"Khen thưởng Ngày Chuyển đổi số 10/10/{year}",
            period=str(year),
            cutoff_on=date(year, 10, 10),
            weights=dict(DEFAULT_WEIGHTS),
        )
        session.add(award)
        await session.flush()
        ranked = await people.rank(session, commune, span(award))
        proposals = [
            ("member", row, REASONS["member"].format(n=row["people_supported"]))
            for row in ranked["members"][:3]
        ]
        proposals += [
            ("team", row, REASONS["team"].format(n=row["people_supported"])) for row in ranked["teams"][:1]
        ]
        for initiative in initiatives.get(code, [])[:1]:
            proposals.append(
                ("initiative", {"id": initiative.id, "name": initiative.title}, REASONS["initiative"])
            )
        for i, (kind, row, reason) in enumerate(proposals):
            row = row | {"id": uuid.UUID(str(row["id"]))}
            unit_id = await _unit_of(session, kind, row, initiatives.get(code, []))
            # Ngọc Hồi reviewed every proposal (one rejected) and decided; Quỳnh Sơn reviewed some.
            status = (
                ("rejected" if i == 2 else "accepted")
                if decided
                else ("accepted" if code == "17152" and i < 2 else "proposed")
            )
            reviewed = status != "proposed"
            session.add(
                AwardNomination(
                    award_id=award.id, unit_id=unit_id, kind=kind, name=row["name"], reason=reason,
                    member_id=row["id"] if kind == "member" else None,
                    team_id=row["id"] if kind == "team" else None,
                    initiative_id=row["id"] if kind == "initiative" else None,
                    status=status, proposed_by="leader",
                    review_note="Chưa đủ tiêu chuẩn năm nay, xét đợt sau." if status == "rejected" else None,
                    reviewed_by="commune" if reviewed else None,
                    reviewed_at=datetime.now(UTC) - timedelta(days=30) if reviewed else None,
                )
            )  # fmt: skip
        await session.flush()
        if decided:
            await freeze(session, SYSTEM, award.id, None, today)
            award.decision_no, award.decision_date = f"{125 + year % 100}/QĐ-UBND", date(year, 10, 10)
            award.decided_at, award.decided_by = datetime.now(UTC), "commune"
            award.touch()
    await session.flush()


async def _unit_of(session: AsyncSession, kind: str, row: dict, initiatives: list[Initiative]):
    if kind == "initiative":
        return next(i.unit_id for i in initiatives if i.id == row["id"])
    if kind == "team":
        return (await session.get(Team, row["id"])).unit_id
    return uuid.UUID(str(row["unit_id"]))
