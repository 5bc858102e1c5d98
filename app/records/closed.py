"""A closed unit (merged into another) keeps its history and takes nothing dated after its close.

A merger closes a unit the day before it takes effect and hands its households, teams, members, users'
roles and keys to the survivor; activities, trainings, campaigns, reports and targets stay where they
happened. So a write into a closed unit is refused when what it records is dated after the close (a
household seen today, an activity of today, next month's report), with 409 `unit.closed` naming the
unit that took it over (`successor`: its id, code and name, so a phone can offer it); a late record of
what happened before the close (a visit saved offline on the last day) is still taken. Every write goes
through `ensure_open`: the records layer for synced records (`Resource.dated_by` names the field that
dates one), and the few writes outside it (a report's freeze, an import, an API key, a role).
"""

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict
from app.core.fields import VIETNAM
from app.models import Unit

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")


class UnitClosed(Conflict):
    code = "unit.closed"

    def __init__(self, unit: Unit, successor: Unit | None, loc: list[str | int]):
        closed = f"{unit.name} closed on {unit.valid_to:%d/%m/%Y}"
        detail = f"{closed}: it is part of {successor.name} now" if successor else closed
        super().__init__(detail, errors=[{"loc": loc, "msg": detail, "code": self.code}])
        self.extensions = {
            "successor": {"id": str(successor.id), "code": successor.code, "name": successor.name}
            if successor
            else None
        }


def day_of(value: Any) -> date | None:
    """The day a record is dated by: a moment's day in Vietnam, a date, a year's or a period's first
    day (`2026`, `2026-06`, `2026-Q2`); None when it has none (it is then dated today)."""
    if isinstance(value, datetime):
        return value.astimezone(VIETNAM).date()
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        return date(value, 1, 1)
    if isinstance(value, str) and (match := _PERIOD.match(value)):
        year, month, quarter = match.groups()
        return date(int(year), int(month) if month else 3 * int(quarter) - 2 if quarter else 1, 1)
    return None


def today() -> date:
    return datetime.now(VIETNAM).date()


async def successor(session: AsyncSession, unit: Unit) -> Unit | None:
    """The open unit a closed one lives on in, following mergers (None if a chain ends closed)."""
    seen = {unit.id}
    while unit.valid_to is not None:
        if unit.merged_into_id is None or unit.merged_into_id in seen:
            return None
        seen.add(unit.merged_into_id)
        unit = await session.get(Unit, unit.merged_into_id)
        if unit is None:
            return None
    return unit


async def ensure_open(
    session: AsyncSession, unit: Unit, day: date | None = None, loc: list[str | int] | None = None
) -> None:
    """409 `unit.closed` when `unit` closed before `day` (today when None)."""
    if unit.valid_to is None or (day or today()) <= unit.valid_to:
        return
    raise UnitClosed(unit, await successor(session, unit), loc or ["body", "unit_id"])
