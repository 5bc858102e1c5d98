"""Demo data: the official provinces and communes, demo villages in the three communes of the plans,
one user per role, and the field data of `app.demo_field`.

Demo users exist only through this loader, and it refuses to run in production.
"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Role
from app.core.config import ConfigError, get_settings
from app.core.ids import uuid7
from app.core.security import hash_password
from app.core.text import fold
from app.demo_awards import load_awards_demo
from app.demo_field import load_field_demo
from app.demo_plans import load_plans_demo
from app.demo_teams import load_teams_demo
from app.kpi.periods import local_today
from app.models import Member, RoleAssignment, Unit, User
from app.units.official import load_official

DEMO_PASSWORD = "demo1234"

# The communes of the plans in the official list (their official codes) and their demo villages.
COMMUNES = {
    "10888": ["Thôn Hoàng Xá", "Thôn Tràng Kỹ", "Thôn Phú Lộc", "Thôn Quý Dương"],  # Xã Cẩm Giang, Hải Phòng
    "17152": ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4", "Thôn 5"],  # Xã Quỳnh Sơn, Nghệ An
    "00679": ["Thôn Ngọc Hồi", "Thôn Vĩnh Ninh", "Thôn Yên Kiện", "Thôn Đại Áng"],  # Xã Ngọc Hồi, Hà Nội
}
# (username, full name, role, where: None = no unit, an official code, or (commune code, village index))
USERS = [
    ("admin", "Quản trị hệ thống", Role.admin, None),
    ("province", "Trần Thị Lan (Sở KH&CN)", Role.province_officer, "01"),
    ("commune", "Nguyễn Văn Hùng (Phòng VH-XH)", Role.commune_officer, "00679"),
    ("leader", "Lê Thị Hoa (Tổ trưởng)", Role.team_leader, ("00679", 0)),
    ("member", "Phạm Văn Nam (Thành viên)", Role.team_member, ("00679", 0)),
    ("viewer", "Đỗ Minh Tuấn (Lãnh đạo)", Role.viewer, "01"),
]


def _village(code: str, name: str, commune: Unit) -> Unit:
    unit_id = uuid7()
    return Unit(
        id=unit_id,
        code=code,
        name=name,
        name_folded=fold(name),
        level="village",
        parent_id=commune.id,
        path=f"{commune.path}{unit_id.hex}/",
    )


async def load_demo(session: AsyncSession) -> bool:
    """Load the demo on an empty database; False (and nothing written) when units already exist."""
    if get_settings().environment == "production":
        raise ConfigError("Demo data and demo users are never loaded in production")
    if await session.scalar(select(func.count()).select_from(Unit)):
        return False
    await load_official(session)
    official = {
        u.code: u
        for u in await session.scalars(select(Unit).where(Unit.code.in_(["01", "31", "40", *COMMUNES])))
        if u.level in ("province", "commune")
    }
    units: dict[object, Unit] = dict(official)
    provinces: dict = {}
    for code, villages in COMMUNES.items():
        commune = official[code]
        for i, name in enumerate(villages):
            village = units[(code, i)] = _village(f"{code}-{i + 1:02d}", name, commune)
            session.add(village)
            provinces.setdefault(commune.parent_id, []).append(village)
    await session.flush()

    by_id = {u.id: u for u in official.values()}
    await load_field_demo(session, [(by_id[p], vs) for p, vs in provinces.items()], local_today())
    await load_plans_demo(session, units, local_today())  # issue 20: guides, groups, kinds, OCOP
    await load_teams_demo(session, units, local_today())  # issue 20: decisions, Zalo groups, duties

    password_hash = await hash_password(DEMO_PASSWORD)
    for username, full_name, role, where in USERS:
        user = User(username=username, full_name=full_name, password_hash=password_hash)
        session.add(user)
        await session.flush()
        unit_id = units[where].id if where else None
        session.add(RoleAssignment(user_id=user.id, role=role.value, unit_id=unit_id))
        if role in (Role.team_leader, Role.team_member):  # the account of a person on the village's roster
            position = "leader" if role is Role.team_leader else "member"
            member = await session.scalar(
                select(Member).where(Member.unit_id == unit_id, Member.position == position).limit(1)
            )
            member.user_id, member.full_name = user.id, full_name.split(" (")[0]
    await session.flush()
    await load_awards_demo(session, units, local_today())  # issue 20, items 5 and 7
    return True
