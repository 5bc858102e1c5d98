"""Demo data: a province with the communes of the plans, villages, one user per role, and the
field data of `app.demo_field`.

Demo users exist only through this loader, and it refuses to run in production.
"""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Role
from app.core.config import ConfigError, get_settings
from app.core.ids import uuid7
from app.core.security import hash_password
from app.core.text import fold
from app.demo_field import load_field_demo
from app.models import Member, RoleAssignment, Unit, User

DEMO_PASSWORD = "demo1234"

PROVINCE = ("DEMO", "Tỉnh Mẫu")
COMMUNES = {
    ("DEMO-CG", "Xã Cẩm Giang"): ["Thôn Hoàng Xá", "Thôn Tràng Kỹ", "Thôn Phú Lộc", "Thôn Quý Dương"],
    ("DEMO-QS", "Xã Quỳnh Sơn"): ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4", "Thôn 5"],
    ("DEMO-NH", "Xã Ngọc Hồi"): ["Thôn Ngọc Hồi", "Thôn Vĩnh Ninh", "Thôn Yên Kiện", "Thôn Đại Áng"],
}
# (username, full name, role, where: None = no unit, "province", a commune code, or (commune, village index))
USERS = [
    ("admin", "Quản trị hệ thống", Role.admin, None),
    ("province", "Trần Thị Lan (Sở KH&CN)", Role.province_officer, "province"),
    ("commune", "Nguyễn Văn Hùng (Phòng VH-XH)", Role.commune_officer, "DEMO-NH"),
    ("leader", "Lê Thị Hoa (Tổ trưởng)", Role.team_leader, ("DEMO-NH", 0)),
    ("member", "Phạm Văn Nam (Thành viên)", Role.team_member, ("DEMO-NH", 0)),
    ("viewer", "Đỗ Minh Tuấn (Lãnh đạo)", Role.viewer, "province"),
]


def _unit(code: str, name: str, level: str, parent: Unit | None) -> Unit:
    unit_id = uuid7()
    return Unit(
        id=unit_id,
        code=code,
        name=name,
        name_folded=fold(name),
        level=level,
        parent_id=parent.id if parent else None,
        path=f"{parent.path if parent else ''}{unit_id.hex}/",
    )


async def load_demo(session: AsyncSession) -> bool:
    """Load the demo on an empty database; False (and nothing written) when units already exist."""
    if get_settings().environment == "production":
        raise ConfigError("Demo data and demo users are never loaded in production")
    if await session.scalar(select(func.count()).select_from(Unit)):
        return False
    province = _unit(*PROVINCE, "province", None)
    units: dict[object, Unit] = {"province": province}
    session.add(province)
    for (code, name), villages in COMMUNES.items():
        commune = units[code] = _unit(code, name, "commune", province)
        session.add(commune)
        for i, village in enumerate(villages):
            units[(code, i)] = _unit(f"{code}-{i + 1:02d}", village, "village", commune)
            session.add(units[(code, i)])
    await session.flush()

    villages = [u for key, u in units.items() if isinstance(key, tuple)]
    await load_field_demo(session, province, villages, date.today())

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
    return True
