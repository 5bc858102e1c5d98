"""When reports are due, per province (issue 19 item 5): plan 002's words unless the province sets
its own ("trước ngày 30 hằng tháng", "trước ngày 15 của tháng cuối quý"). Read for any unit (its
province's rule); set by whoever approves the province's commune reports (a province officer, an
admin)."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, lineage, require
from app.core.errors import Invalid
from app.core.versioning import check_version
from app.kpi.periods import PLAN_002, Deadlines, Period
from app.kpi.schemas import ReportDeadlinesRead, ReportDeadlinesUpdate
from app.models import Unit
from app.models.kpi import ReportDeadline

FIELDS = tuple(ReportDeadlinesUpdate.model_fields)


def province_id(unit: Unit) -> uuid.UUID | None:
    """The province a unit lies in, read off its path (None for the country)."""
    ids = lineage(unit.path)
    return ids[0] if ids else None


async def rule_for(session: AsyncSession, unit: Unit) -> Deadlines:
    """The deadlines that apply to the unit's reports: its province's, or plan 002's."""
    province = province_id(unit)
    row = await session.get(ReportDeadline, province) if province is not None else None
    return Deadlines(**{name: getattr(row, name) for name in FIELDS}) if row is not None else PLAN_002


async def due_on(session: AsyncSession, unit: Unit, period: Period):
    return (await rule_for(session, unit)).due_on(period)


def _read(province: uuid.UUID, row: ReportDeadline | None) -> ReportDeadlinesRead:
    values = {name: getattr(row if row is not None else PLAN_002, name) for name in FIELDS}
    version = row.version if row is not None else None
    return ReportDeadlinesRead(province_id=province, is_default=row is None, version=version, **values)


async def read(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> ReportDeadlinesRead:
    """The deadlines of the unit's province (the unit itself, when it is one)."""
    unit = await get_unit_in_scope(session, principal, unit_id, needs=Permission.kpi_read)
    province = province_id(unit)
    return _read(province, await session.get(ReportDeadline, province))


async def write(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID,
    data: ReportDeadlinesUpdate,
    if_match: int | None,
) -> ReportDeadlinesRead:
    """Set a province's deadlines: reports frozen or refreshed from then on are due by them."""
    unit = await get_unit_in_scope(session, principal, unit_id)
    require(principal, Permission.reports_approve, await session.get(Unit, province_id(unit)))
    if unit.level != "province":
        raise Invalid("deadlines are set for a province", loc=["path", "unit_id"], code="unit.wrong_level")
    row = await session.get(ReportDeadline, unit.id, with_for_update=True)
    before = _read(unit.id, row).model_dump(mode="json", include=set(FIELDS))
    values = data.model_dump()
    if row is None:
        row = ReportDeadline(unit_id=unit.id, **values)
        session.add(row)
    else:
        check_version(row, if_match)
        if values == before:
            return _read(unit.id, row)
        for name, value in values.items():
            setattr(row, name, value)
        row.touch()
    await session.flush()
    await record(
        session,
        principal,
        "update",
        "report_deadlines",
        unit.id,
        unit_id=unit.id,
        before=before,
        after=values,
    )
    return _read(unit.id, row)
