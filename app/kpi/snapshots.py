"""KPI snapshots, the periodic reports: draft → submitted → approved, or returned with a reason
and resubmitted. A village's report is approved in its commune, a commune's in its province.

A report holds its period's figures as they stood at the period's end, whenever it is made or
refreshed, with the period's help by kind and seed 004's four counts. Besides the month, quarter and
year, an ad-hoc report ("báo cáo đột xuất", seeds 000 and 004) covers any days, answers a request
(who asked, its reference) and is due when the request says; it goes through the same workflow.
Periodic reports are due by their province's rule (`app.kpi.deadlines`)."""

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record
from app.authz.permissions import PERMISSIONS, Permission, Role
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, in_scope, require, under
from app.core.errors import Conflict, Invalid, Problem
from app.core.versioning import check_version
from app.kpi import deadlines, document, engine, export, results, targets
from app.kpi.periods import (
    PLAN_002,
    Deadlines,
    Period,
    is_late,
    parse_period,
    parse_report_period,
    previous_month,
    window,
)
from app.kpi.schemas import (
    PendingReports,
    PendingUnit,
    SnapshotCreate,
    SnapshotList,
    SnapshotRead,
    SnapshotUpdate,
)
from app.kpi.service import _from_new_year, indicators_for, with_targets
from app.models import Unit, User
from app.models.kpi import KpiSnapshot, ReportDeadline
from app.models.unit import valid_between
from app.records import Permissions, Resource, ensure_open, fetch

SENT = ("submitted", "approved")


class Reports(Resource):
    """Reports have a workflow of their own; described here so that reading one goes through
    app.records."""

    name, label, model, read = "kpi_snapshot", "Report", KpiSnapshot, SnapshotRead
    permissions = Permissions(Permission.kpi_read, Permission.reports_create)
    tombstones = False


REPORTS = Reports()


DERIVED = {"late", "adhoc", "starts_on", "ends_on"}


def to_read(snapshot: KpiSnapshot) -> SnapshotRead:
    """Late: submitted on or after the day it is due before, or not (re)submitted by then."""
    submitted_at = snapshot.submitted_at if snapshot.status in SENT else None
    period = parse_report_period(snapshot.period)
    fields = {name: getattr(snapshot, name) for name in SnapshotRead.model_fields if name not in DERIVED}
    return SnapshotRead(
        **fields,
        late=is_late(snapshot.due_on, submitted_at),
        adhoc=period.kind == "range",
        starts_on=period.start,
        ends_on=period.last_day,
    )


async def _audit(session, principal, action: str, snapshot: KpiSnapshot, before: str | None = None) -> None:
    after = {"status": snapshot.status, "period": snapshot.period, "return_reason": snapshot.return_reason}
    await record(
        session,
        principal,
        action,
        "kpi_snapshot",
        snapshot.id,
        unit_id=snapshot.unit_id,
        before={"status": before} if before else None,
        after=after,
    )


AD_HOC = ("starts_on", "ends_on", "request_by", "request_ref", "due_on")


def _asked(data: SnapshotCreate) -> tuple[Period, date | None, dict]:
    """The report asked for: (its period, an ad-hoc report's due day, the request it answers)."""
    given = [name for name in AD_HOC if getattr(data, name) is not None]
    if data.period is not None:
        if given:
            raise Invalid.fields(
                [("period", f"a periodic report or an ad-hoc one, not both ({', '.join(given)})")]
            )
        return parse_report_period(data.period), None, {}
    if not given:
        raise Invalid.fields(
            [("period", "give a period (2026-06, 2026-Q2, 2026), or an ad-hoc report's days")]
        )
    problems = [
        Problem(name, f"an ad-hoc report needs {name}", "required")
        for name in ("starts_on", "ends_on", "request_by", "due_on")
        if getattr(data, name) is None
    ]
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        problems.append(Problem("ends_on", "must not come before starts_on"))
    if data.starts_on and data.due_on and data.due_on <= data.starts_on:
        problems.append(Problem("due_on", "must come after starts_on"))
    if problems:
        raise Invalid.fields(problems)
    request = {"request_by": data.request_by, "request_ref": data.request_ref}
    return window(data.starts_on, data.ends_on + timedelta(days=1)), data.due_on, request


async def _contents(session: AsyncSession, unit: Unit, period: Period) -> dict:
    """What a report freezes: the figures at the period's end, its help by kind, seed 004's counts."""
    by_kind, counts = await results.activity_results(session, unit, period)
    return {
        "indicators": _json(await indicators_for(session, unit, period)),
        "by_kind": by_kind,
        "counts": counts,
    }


async def freeze(
    session: AsyncSession, principal: Principal, data: SnapshotCreate
) -> tuple[KpiSnapshot, bool]:
    """Create the unit's report for the period, or refresh the figures of a draft or returned one."""
    period, due_on, request = _asked(data)
    unit = await get_unit_in_scope(session, principal, data.unit_id, needs=Permission.reports_create)
    await ensure_open(session, unit, period.start)  # a closed unit reports only periods it was open in
    contents = await _contents(session, unit, period)
    due_on = due_on or await deadlines.due_on(session, unit, period)
    parent = await session.get(Unit, unit.parent_id) if unit.parent_id else None
    snapshot = await session.scalar(
        select(KpiSnapshot)
        .where(KpiSnapshot.unit_id == unit.id, KpiSnapshot.period == period.code)
        .with_for_update()
    )
    now = datetime.now(UTC)
    if snapshot is None:
        snapshot = KpiSnapshot(
            unit_id=unit.id, period=period.code, frozen_at=now, due_on=due_on, **contents, **request
        )
        _stamp(snapshot, unit, parent)
        session.add(snapshot)
        await session.flush()
        await _audit(session, principal, "create", snapshot)
        return snapshot, True
    if snapshot.status in SENT:
        raise Conflict(f"The {period.code} report is already {snapshot.status}: it can no longer change")
    if snapshot.closed:
        raise Conflict(f"The {period.code} report was frozen at the monthly close: submit it as it is")
    for name, value in (contents | request | {"due_on": due_on, "frozen_at": now}).items():
        setattr(snapshot, name, value)
    _stamp(snapshot, unit, parent)
    snapshot.touch()
    await session.flush()
    await _audit(session, principal, "refresh", snapshot, snapshot.status)
    return snapshot, False


def _stamp(snapshot: KpiSnapshot, unit: Unit, parent: Unit | None) -> None:
    """The names of the day the figures are frozen: a later rename or merger leaves the report as it
    was filed."""
    snapshot.unit_name, snapshot.unit_code = unit.name, unit.code
    snapshot.parent_name = parent.name if parent is not None else None


def _json(figures: list[dict]) -> list[dict]:
    return [
        {**f, "target_unit_id": str(f["target_unit_id"]) if f["target_unit_id"] else None} for f in figures
    ]


async def _get(session, principal, snapshot_id, permission, lock=False) -> tuple[KpiSnapshot, Unit]:
    return await fetch(session, principal, REPORTS, snapshot_id, permission, lock=lock)


async def get_snapshot(session: AsyncSession, principal: Principal, snapshot_id: uuid.UUID) -> KpiSnapshot:
    return (await _get(session, principal, snapshot_id, Permission.kpi_read))[0]


async def submit(
    session: AsyncSession, principal: Principal, snapshot_id: uuid.UUID, if_match: int | None
) -> KpiSnapshot:
    snapshot, unit = await _get(session, principal, snapshot_id, Permission.reports_create, lock=True)
    check_version(snapshot, if_match)
    _open(snapshot, "submitted")
    before = snapshot.status
    snapshot.status, snapshot.submitted_at, snapshot.submitted_by = (
        "submitted",
        datetime.now(UTC),
        principal.name,
    )
    user = await session.get(User, principal.user_id) if principal.user_id else None
    snapshot.signer_name = user.full_name if user is not None else principal.name
    snapshot.signer_title = document.TITLES.get(_role_at(principal, unit.path))
    snapshot.touch()
    await session.flush()
    await _audit(session, principal, "submit", snapshot, before)
    return snapshot


def _open(snapshot: KpiSnapshot, what: str) -> None:
    if snapshot.status not in ("draft", "returned"):
        raise Conflict(
            f"Only a draft or returned report can be {what}; this one is {snapshot.status}",
            code="report.sent",
        )


def _role_at(principal: Principal, path: str) -> Role | None:
    """The role the caller reports under at the unit: its most local grant that may report there."""
    grants = [
        g for g in principal.grants if g.covers(path) and Permission.reports_create in PERMISSIONS[g.role]
    ]
    return max(grants, key=lambda g: len(g.unit_path)).role if grants else None


async def write_sections(
    session: AsyncSession,
    principal: Principal,
    snapshot_id: uuid.UUID,
    data: SnapshotUpdate,
    if_match: int | None,
) -> KpiSnapshot:
    """The written sections of a draft or returned report (the figures are refreshed by `freeze`)."""
    snapshot, _ = await _get(session, principal, snapshot_id, Permission.reports_create, lock=True)
    check_version(snapshot, if_match)
    _open(snapshot, "edited")
    changes = data.model_dump(exclude_unset=True)
    before = {name: getattr(snapshot, name) for name in changes}
    if changes != before:
        for name, value in changes.items():
            setattr(snapshot, name, value)
        snapshot.touch()
        await session.flush()
        await record(
            session,
            principal,
            "update",
            "kpi_snapshot",
            snapshot.id,
            unit_id=snapshot.unit_id,
            before=before,
            after=changes,
        )
    return snapshot


async def _review(session, principal, snapshot_id, if_match) -> KpiSnapshot:
    """Approving or returning needs reports:approve over the unit's parent: nobody approves their own."""
    snapshot, unit = await _get(session, principal, snapshot_id, Permission.kpi_read, lock=True)
    parent = await session.get(Unit, unit.parent_id) if unit.parent_id else None
    require(principal, Permission.reports_approve, parent)
    check_version(snapshot, if_match)
    if snapshot.status != "submitted":
        raise Conflict(f"Only a submitted report can be reviewed; this one is {snapshot.status}")
    return snapshot


async def approve(
    session: AsyncSession, principal: Principal, snapshot_id: uuid.UUID, if_match: int | None
) -> KpiSnapshot:
    return await _decide(session, principal, snapshot_id, if_match, "approved", "approve")


async def return_for_fixes(
    session: AsyncSession, principal: Principal, snapshot_id: uuid.UUID, reason: str, if_match: int | None
) -> KpiSnapshot:
    return await _decide(session, principal, snapshot_id, if_match, "returned", "return", reason)


async def _decide(
    session, principal, snapshot_id, if_match, status: str, action: str, reason=None
) -> KpiSnapshot:
    """A reviewer's decision on a submitted report: approved, or returned with the reason."""
    snapshot = await _review(session, principal, snapshot_id, if_match)
    snapshot.status = status
    setattr(snapshot, f"{status}_at", datetime.now(UTC))  # approved_at, returned_at
    setattr(snapshot, f"{status}_by", principal.name)
    if reason is not None:
        snapshot.return_reason = reason
    snapshot.touch()
    await session.flush()
    await _audit(session, principal, action, snapshot, "submitted")
    return snapshot


async def delete_snapshot(
    session: AsyncSession, principal: Principal, snapshot_id: uuid.UUID, if_match: int | None
) -> None:
    snapshot, _ = await _get(session, principal, snapshot_id, Permission.reports_create, lock=True)
    check_version(snapshot, if_match)
    if snapshot.status != "draft" or snapshot.closed:
        raise Conflict("Only an open draft can be deleted")
    await session.delete(snapshot)
    await session.flush()
    await _audit(session, principal, "delete", snapshot, "draft")


async def list_snapshots(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    period: str | None,
    status: str | None,
    limit: int,
    offset: int,
    kind: str | None = None,
) -> SnapshotList:
    within = await get_unit_in_scope(session, principal, unit_id) if unit_id else None
    where = [in_scope(KpiSnapshot.unit_id, principal, within, Permission.kpi_read)]
    if period is not None:
        where.append(KpiSnapshot.period == parse_report_period(period).code)
    if status is not None:
        where.append(KpiSnapshot.status == status)
    if kind is not None:  # an ad-hoc report's period is its days, `…..…`
        adhoc = KpiSnapshot.period.contains("..", autoescape=True)
        where.append(adhoc if kind == "adhoc" else ~adhoc)
    total = await session.scalar(select(func.count()).select_from(KpiSnapshot).where(*where))
    rows = await session.scalars(
        select(KpiSnapshot)
        .where(*where)
        .order_by(KpiSnapshot.period.desc(), KpiSnapshot.id)
        .limit(limit)
        .offset(offset)
    )
    return SnapshotList(items=[to_read(s) for s in rows], total=total or 0, limit=limit, offset=offset)


async def pending(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID,
    period_code: str,
    level: str | None = None,
) -> PendingReports:
    """The units below whose report for the period is not submitted yet: who is late, at a glance.
    The child units, or with `level` every unit of that level below (a province's villages)."""
    unit = await get_unit_in_scope(session, principal, unit_id, needs=Permission.kpi_read)
    period = parse_period(period_code)
    due_on = await deadlines.due_on(session, unit, period)  # the units below are in its province
    below = (
        (under(unit.path) & (Unit.level == level) & (Unit.id != unit.id))
        if level
        else Unit.parent_id == unit.id
    )
    rows = await session.execute(
        select(Unit, KpiSnapshot)
        .outerjoin(KpiSnapshot, (KpiSnapshot.unit_id == Unit.id) & (KpiSnapshot.period == period.code))
        .where(below, valid_between(period.start, period.last_day))
        .order_by(Unit.name, Unit.id)
    )
    items = [
        PendingUnit(
            unit_id=child.id,
            code=child.code,
            name=child.name,
            snapshot_id=s.id if s else None,
            status=s.status if s else None,
            due_on=s.due_on if s else due_on,
            late=is_late(s.due_on if s else due_on, None),
        )
        for child, s in rows
        if s is None or s.status not in SENT
    ]
    return PendingReports(unit_id=unit.id, period=period.code, due_on=due_on, items=items)


async def monthly_close(session: AsyncSession, today: date | None = None) -> dict[str, int]:
    """Freeze last month's report of every unit: create the missing ones, refresh and close the open
    drafts. Closed and submitted reports are left alone, so running it twice changes nothing."""
    period = previous_month(today or datetime.now(UTC).date())
    existing = {
        s.unit_id: s
        for s in await session.scalars(select(KpiSnapshot).where(KpiSnapshot.period == period.code))
    }
    counts = {"created": 0, "closed": 0, "unchanged": 0}
    now = datetime.now(UTC)
    in_period = valid_between(period.start, period.last_day)  # units closed before it report nothing
    parents = list(await session.scalars(select(Unit).where(Unit.level != "village", in_period)))
    provinces = [u for u in parents if u.parent_id is None]
    by_id = {u.id: u for u in parents}
    figures: dict[uuid.UUID, dict] = {}
    to_date: dict[uuid.UUID, dict] = {}
    ytd_period = _from_new_year(period)
    for parent in parents:  # one roll-up per parent gives every child's sums
        children = {
            u.path: u
            for u in await session.scalars(select(Unit).where(Unit.parent_id == parent.id, in_period))
        }
        ytd = await engine.sums(session, parent, ytd_period, by_child=True) if ytd_period else None
        for path, sums in (await engine.sums(session, parent, period, by_child=True)).items():
            if path in children:
                figures[children[path].id] = sums
                to_date[children[path].id] = ytd.get(path, {}) if ytd is not None else sums
        for child in children.values():
            figures.setdefault(child.id, {})
            to_date.setdefault(child.id, {})
    for province in provinces:
        figures[province.id] = (await engine.sums(session, province, period)).get(None, {})
        to_date[province.id] = (
            (await engine.sums(session, province, ytd_period)).get(None, {})
            if ytd_period
            else figures[province.id]
        )
    units = {u.id: u for u in await session.scalars(select(Unit).where(Unit.id.in_(list(figures))))}
    applicable = await targets.applicable(session, list(units.values()), period)
    activity = await results.activity_results_of(session, list(units.values()), period)
    rules = {
        row.unit_id: Deadlines(**{name: getattr(row, name) for name in deadlines.FIELDS})
        for row in await session.scalars(select(ReportDeadline))
    }
    for unit_id, sums in figures.items():
        snapshot = existing.get(unit_id)
        if snapshot is not None and (snapshot.closed or snapshot.status in SENT):
            counts["unchanged"] += 1
            continue
        unit = units[unit_id]
        by_kind, tallies = activity[unit_id]
        contents = {
            "indicators": _json(with_targets(sums, applicable[unit_id], to_date[unit_id])),
            "by_kind": by_kind,
            "counts": tallies,
            "frozen_at": now,
            "closed": True,
        }
        if snapshot is None:
            due_on = rules.get(deadlines.province_id(unit), PLAN_002).due_on(period)
            snapshot = KpiSnapshot(unit_id=unit_id, period=period.code, due_on=due_on, **contents)
            session.add(snapshot)
            counts["created"] += 1
        else:
            for name, value in contents.items():
                setattr(snapshot, name, value)
            snapshot.touch()
            counts["closed"] += 1
        _stamp(snapshot, unit, by_id.get(unit.parent_id))
    await session.flush()
    if counts["created"] or counts["closed"]:
        await record(session, None, "close", "kpi_period", period.code, after=counts)
    return counts


async def report_file(
    session: AsyncSession, principal: Principal, snapshot_id: uuid.UUID
) -> tuple[bytes, str]:
    report, unit = await _frozen_report(session, principal, snapshot_id)
    children = await session.scalars(
        select(KpiSnapshot)
        .join(Unit, Unit.id == KpiSnapshot.unit_id)
        .where(Unit.parent_id == unit.id, KpiSnapshot.period == report.period)
    )
    content = export.xlsx(report, unit.level, [to_read(child) for child in children])
    return content, f"bao-cao-{report.unit_code}-{report.period}.xlsx"


async def report_text(session: AsyncSession, principal: Principal, snapshot_id: uuid.UUID) -> str:
    return export.zalo_text((await _frozen_report(session, principal, snapshot_id))[0])


async def _frozen_report(
    session: AsyncSession, principal: Principal, snapshot_id: uuid.UUID
) -> tuple[SnapshotRead, Unit]:
    """The report with its unit's names of the day it was frozen (today's for a row that predates
    them), and its unit."""
    snapshot, unit = await _get(session, principal, snapshot_id, Permission.kpi_read)
    report = to_read(snapshot)
    names = {"unit_name": report.unit_name or unit.name, "unit_code": report.unit_code or unit.code}
    if report.parent_name is None and unit.parent_id is not None:
        names["parent_name"] = (await session.get(Unit, unit.parent_id)).name
    return report.model_copy(update=names), unit
