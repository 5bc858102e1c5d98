"""Factories and a small world of units and users, one per role (Polar's random_objects, in small)."""

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.service import access_token
from app.authz.permissions import Role
from app.core import batch
from app.core.ids import uuid7
from app.core.text import fold
from app.models import ApiKey, Household, RoleAssignment, Unit, User

# A fixed argon2 hash of "password123" at the test cost (64 KiB, t=1), so factories need no hashing.
PASSWORD = "password123"

ROLES = [
    Role.admin,
    Role.province_officer,
    Role.commune_officer,
    Role.team_leader,
    Role.team_member,
    Role.viewer,
]


async def make_unit(session: AsyncSession, name: str, level: str, parent: Unit | None = None) -> Unit:
    unit_id = uuid7()
    unit = Unit(
        id=unit_id,
        code=f"T-{unit_id.hex[-12:]}",
        name=name,
        name_folded=fold(name),
        level=level,
        parent_id=parent.id if parent else None,
        path=f"{parent.path if parent else ''}{unit_id.hex}/",
    )
    session.add(unit)
    await session.flush()
    return unit


async def make_user(
    session: AsyncSession,
    username: str,
    role: Role,
    unit: Unit | None,
    password_hash: str,
    full_name: str | None = None,
) -> User:
    user = User(username=username, full_name=full_name or username.title(), password_hash=password_hash)
    session.add(user)
    await session.flush()
    session.add(RoleAssignment(user_id=user.id, role=role.value, unit_id=unit.id if unit else None))
    await session.flush()
    return user


@dataclass
class World:
    """province p > communes c1, c2 > villages v11, v12 (c1), v21 (c2); another province p2 > c3 > v31.

    One user per role: admin; province_officer at p; commune_officer at c1; team_leader and team_member
    at v11; viewer at c1. p2, c3 and v31 are out of everyone's scope but the admin's.
    """

    units: dict[str, Unit]
    users: dict[Role, User]
    homes: dict[Role, Unit | None]
    tokens: dict[Role, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Unit:
        try:
            return self.__dict__["units"][name]
        except KeyError:
            raise AttributeError(name) from None

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


async def build_world(session: AsyncSession) -> World:
    from app.core.security import hash_password

    units: dict[str, Unit] = {}
    units["p"] = await make_unit(session, "Tỉnh Thử", "province")
    units["c1"] = await make_unit(session, "Xã Đông Hòa", "commune", units["p"])
    units["c2"] = await make_unit(session, "Xã Tây Sơn", "commune", units["p"])
    units["v11"] = await make_unit(session, "Thôn Đình", "village", units["c1"])
    units["v12"] = await make_unit(session, "Thôn Chùa", "village", units["c1"])
    units["v21"] = await make_unit(session, "Thôn Bến", "village", units["c2"])
    units["p2"] = await make_unit(session, "Tỉnh Khác", "province")
    units["c3"] = await make_unit(session, "Xã Bắc Bình", "commune", units["p2"])
    units["v31"] = await make_unit(session, "Thôn Núi", "village", units["c3"])
    homes = {
        Role.admin: None,
        Role.province_officer: units["p"],
        Role.commune_officer: units["c1"],
        Role.team_leader: units["v11"],
        Role.team_member: units["v11"],
        Role.viewer: units["c1"],
    }
    password_hash = await hash_password(PASSWORD)
    world = World(units=units, users={}, homes=homes)
    for role, unit in homes.items():
        user = await make_user(session, role.value.replace("_", "."), role, unit, password_hash)
        world.users[role] = user
        world.tokens[role] = access_token(user.id)[0]
    return world


async def committed_world(engine: AsyncEngine) -> World:
    """The world, built and committed in a database of its own (`tests.real_database`)."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        world = await build_world(session)
        await session.commit()
    return world


async def make_household(
    session: AsyncSession, unit: Unit, head_name: str = "Nguyễn Văn An", **values
) -> Household:
    from app.households.rules import search_text, sort_key
    from app.kpi import aggregates

    household = Household(
        unit_id=unit.id,
        head_name=head_name,
        search_text=search_text(head_name, values.get("code"), values.get("phone"), values.get("address")),
        sort_key=sort_key(head_name),
        **values,
    )
    session.add(household)
    await session.flush()
    # As a write through the API does: observed when recorded.
    await batch.send(
        session, await aggregates.household_observed(session, household.id, household, household.created_at)
    )
    return household


async def make_api_key(
    session: AsyncSession, unit: Unit, name: str = "sync", *, read_only: bool = False, **values
) -> tuple[ApiKey, str]:
    """An integration's API key at `unit` and the key to send as X-API-Key."""
    import secrets

    from app.core.security import digest, new_secret

    prefix = secrets.token_hex(6)
    raw = f"cnscd_{prefix}_{new_secret()}"
    key = ApiKey(
        name=name,
        unit_id=unit.id,
        read_only=read_only,
        prefix=prefix,
        key_hash=digest(raw),
        created_by="admin",
        **values,
    )
    session.add(key)
    await session.flush()
    return key, raw


async def make_award(session: AsyncSession, unit: Unit, cutoff_on=None):
    """An open 10/10 award of a commune or province, its cut-off over (so it may be frozen)."""
    from datetime import date

    from app.kpi.indicators import DEFAULT_WEIGHTS
    from app.models import Award

    award = Award(
        unit_id=unit.id,
        title="Khen thưởng 10/10",
        period="2026",
        cutoff_on=cutoff_on or date(2026, 1, 31),
        weights=dict(DEFAULT_WEIGHTS),
    )
    session.add(award)
    await session.flush()
    return award
