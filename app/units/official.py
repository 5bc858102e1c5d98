"""The official provinces and communes in force since 1 July 2025 (34 and 3,321), read from the
data the maintained `vietnam-provinces` package ships, not from a list typed here.

Loading is idempotent: a unit is matched by its level and official code, so a second run changes
nothing, and a newer dataset renames (recorded in the unit's history), moves and adds units. A unit
the dataset no longer lists is deleted only when it holds nothing; otherwise it is kept and
reported. Villages are local and never touched.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record
from app.core.ids import uuid7
from app.core.text import fold
from app.models import Unit
from app.models.base import utcnow
from app.units import history, legacy, repository

# Nghị quyết 202/2025/QH15 and the communes' resolutions took effect on this day.
OFFICIAL_SINCE = date(2025, 7, 1)
BY = "load-units"


@dataclass(frozen=True)
class OfficialUnit:
    code: str
    name: str
    level: str
    parent_code: str | None = None


@dataclass
class LoadReport:
    added: int = 0
    renamed: int = 0
    moved: int = 0
    unchanged: int = 0
    deleted: int = 0
    kept: list[str] = field(default_factory=list)  # gone from the list but holding data
    legacy_rows: int = 0


def dataset_version() -> str:
    import vietnam_provinces

    return f"vietnam-provinces {vietnam_provinces.__version__} (data {vietnam_provinces.__data_version__})"


def read_dataset(path: Path | None = None) -> list[OfficialUnit]:
    """Provinces then communes, codes zero-padded as the official list writes them (`01`, `00679`),
    names with their type (`Thành phố Hà Nội`, `Tỉnh Nghệ An`, `Xã Ngọc Hồi`, `Đặc khu Côn Đảo`)."""
    if path is None:
        import vietnam_provinces

        path = vietnam_provinces.NESTED_DIVISIONS_JSON_PATH
    provinces = json.loads(Path(path).read_text(encoding="utf-8"))
    units = []
    for province in provinces:
        code = f"{province['code']:02d}"
        units.append(OfficialUnit(code, _with_type(province["name"], province["division_type"]), "province"))
        units.extend(
            OfficialUnit(f"{ward['code']:05d}", ward["name"], "commune", code) for ward in province["wards"]
        )
    return units


def _with_type(name: str, division_type: str) -> str:
    """The dataset writes cities with their type (`Thành phố Hà Nội`) but provinces without it."""
    prefix = "Tỉnh " if division_type == "tỉnh" else ""
    return name if name.startswith(prefix) else prefix + name


async def load_official(
    session: AsyncSession, units: list[OfficialUnit] | None = None, *, legacy_path: Path | None = None
) -> LoadReport:
    units = read_dataset() if units is None else units
    report = LoadReport()
    existing = {
        (u.level, u.code): u
        for u in await session.scalars(select(Unit).where(Unit.level.in_(["province", "commune"])))
    }
    now, today = utcnow(), history.today()
    new_rows: list[dict] = []
    placed: dict[str, tuple[uuid.UUID, str]] = {}  # province code → (id, path)
    listed = set()
    for item in sorted(units, key=lambda u: u.level != "province"):  # parents first
        listed.add((item.level, item.code))
        unit = existing.get((item.level, item.code))
        parent_id, parent_path = placed.get(item.parent_code, (None, "")) if item.parent_code else (None, "")
        if unit is None:
            unit_id = uuid7()
            path = f"{parent_path}{unit_id.hex}/"
            new_rows.append(
                {
                    "id": unit_id,
                    "code": item.code,
                    "name": item.name,
                    "name_folded": fold(item.name),
                    "level": item.level,
                    "parent_id": parent_id,
                    "path": path,
                    "valid_from": OFFICIAL_SINCE,
                    "valid_to": None,
                    "merged_into_id": None,
                    "official": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            report.added += 1
        else:
            unit_id = unit.id
            changed = await _update(session, unit, item, parent_id, today)
            if changed == "unchanged":
                report.unchanged += 1
            else:
                setattr(report, changed, getattr(report, changed) + 1)
            path = unit.path
        if item.level == "province":
            placed[item.code] = (unit_id, path)
    await session.flush()
    if new_rows:  # one multi-row INSERT per batch: 3,355 units in well under a second
        await session.execute(insert(Unit.__table__), new_rows)

    for (level, code), unit in existing.items():
        if unit.official and (level, code) not in listed:
            if await repository.holds_data(session, unit.id):
                report.kept.append(f"{code} {unit.name}")
            else:
                await session.execute(delete(Unit).where(Unit.id == unit.id))
                report.deleted += 1
    report.legacy_rows = await legacy.load(session, legacy_path)
    await record(
        session, None, "load", "units", "official", after={"dataset": dataset_version(), **vars(report)}
    )
    return report


async def _update(session: AsyncSession, unit: Unit, item: OfficialUnit, parent_id, today: date) -> str:
    """Bring a unit in line with the list: adopt it, rename it or move it (recorded as changes)."""
    outcome = "unchanged"
    unit.official = True
    if unit.name != item.name and unit.valid_to is None:
        previous = {"name": unit.name}
        unit.name, unit.name_folded = item.name, fold(item.name)
        unit.touch()
        await history.rename(session, unit, previous, today, BY)
        outcome = "renamed"
    if parent_id is not None and unit.parent_id != parent_id and unit.valid_to is None:
        await history.move(session, unit, await session.get(Unit, parent_id), today, BY)
        outcome = "moved"
    return outcome
