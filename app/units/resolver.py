"""Old names in old spreadsheets: a pre-2025 commune (by name or code, optionally with its district
and province: `Xã Đại Áng, Huyện Thanh Trì, Hà Nội`) → the current commune(s) it became part of."""

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Invalid
from app.models import Unit
from app.models.legacy_unit import LegacyUnit
from app.units import history
from app.units.legacy import key
from app.units.schemas import OldUnit, Resolution, Successor

# The types a name may start with, as spreadsheets write them (folded; longest first).
TYPES = ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "huyen", "quan", "tinh", "xa")
TYPES += ("tp", "tx", "tt", "p", "q", "h", "x")
MAX_MATCHES = 50


def bare(text: str) -> str:
    """The folded name without its type: `Huyện Thanh Trì` → `thanh tri`."""
    name = key(text)
    for prefix in TYPES:
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


async def resolve(session: AsyncSession, text: str) -> list[Resolution]:
    """Every old unit the text may name (at most MAX_MATCHES rows), each with the current communes
    it became part of."""
    parts = [bare(p) for p in text.split(",")]
    if not parts or not parts[0]:
        raise Invalid(
            "Name a pre-2025 commune (or its code), then its district and province", loc=["query", "q"]
        )
    first, qualifiers = parts[0], [p for p in parts[1:] if p]
    query = select(LegacyUnit).where(
        LegacyUnit.code == first.zfill(5) if first.isdigit() else LegacyUnit.name_key == first
    )
    for part in qualifiers:
        query = query.where(
            or_(
                LegacyUnit.district_key == part,
                LegacyUnit.province_key == part,
                LegacyUnit.district_code == part.zfill(3),
                LegacyUnit.province_code == part.zfill(2),
            )
        )
    rows = list(
        await session.scalars(query.order_by(LegacyUnit.province_code, LegacyUnit.code).limit(MAX_MATCHES))
    )
    grouped: dict[tuple, list[LegacyUnit]] = {}
    for row in rows:
        grouped.setdefault((row.province_code, row.district_code, row.code, row.name), []).append(row)
    return [await _resolution(session, group) for group in grouped.values()]


async def _resolution(session: AsyncSession, rows: list[LegacyUnit]) -> Resolution:
    first = rows[0]
    successors: dict = {}
    for row in sorted(rows, key=lambda r: not r.main):
        unit = await history.survivor(session, await session.get(Unit, row.unit_id))
        if unit.id not in successors:
            province = await session.get(Unit, unit.parent_id) if unit.parent_id else None
            successors[unit.id] = Successor(
                id=unit.id,
                code=unit.code,
                name=unit.name,
                province_id=province.id if province else None,
                province=province.name if province else None,
                main=row.main,
            )
    old = OldUnit(
        code=first.code,
        name=first.name,
        district_code=first.district_code,
        district=first.district_name,
        province_code=first.province_code,
        province=first.province_name,
    )
    return Resolution(old=old, split=len(rows) > 1, units=list(successors.values()))


async def current_commune(session: AsyncSession, text: str) -> Unit | None:
    """The one current commune an old name stands for; None when nothing matches. An old name that
    matches several communes (or one that was split) is a 422 naming the candidates."""
    found = await resolve(session, text)
    if not found:
        return None
    if len(found) > 1:
        places = "; ".join(
            f"{r.old.name or r.old.district}, {r.old.district}, {r.old.province}" for r in found
        )
        raise Invalid(f"{text!r} names several pre-2025 communes: {places}. Add the district.", loc=["q"])
    resolution = found[0]
    if len(resolution.units) > 1:
        parts = ", ".join(f"{u.code} {u.name}" for u in resolution.units)
        raise Invalid(
            f"{resolution.old.name} was split among {parts}: name the current commune by its code", loc=["q"]
        )
    return await session.get(Unit, resolution.units[0].id)
