import uuid
from typing import Annotated, Literal

from fastapi import Path, Query, Response
from fastapi.responses import PlainTextResponse

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, set_etag
from api.downloads import XLSX, attachment
from api.unit_of_work import Router
from app.core.replica import replica
from app.kpi import deadlines, service, snapshots
from app.kpi.schemas import (
    BreakdownRead,
    KpiRead,
    KpiTrend,
    PendingReports,
    PeriodCode,
    ReportDeadlinesRead,
    ReportDeadlinesUpdate,
    ReportPeriodCode,
    SnapshotCreate,
    SnapshotList,
    SnapshotRead,
    SnapshotReturn,
    SnapshotUpdate,
    Year,
)

router = Router(prefix="/kpi", tags=["kpi"])
PeriodQuery = Annotated[PeriodCode, Query(description="`2026-06`, `2026-Q2` or `2026`")]


# KPI reads, breakdowns and report exports go to the read replica when one is configured and fresh
# (app/core/replica.py); the reports' workflow (list, freeze, submit, approve) stays on the primary.


@router.get("")
async def read_kpi(principal: PrincipalDep, unit_id: uuid.UUID, period: PeriodQuery) -> KpiRead:
    """Every indicator for the unit's whole subtree: stock ones now, flow ones summed over the period."""
    return await replica.read(service.read_kpi, principal, unit_id, period)


@router.get("/trend")
async def read_trend(
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID, Query(description="A unit, or the country's well-known id (all zeros)")],
    year: Annotated[Year, Query()],
) -> KpiTrend:
    """Each month of the year up to the current one, with the indicators `GET /kpi` gives for it: a
    year's trend in one request."""
    return await replica.read(service.trend, principal, unit_id, year)


@router.get("/breakdown")
async def read_breakdown(
    principal: PrincipalDep,
    unit_id: uuid.UUID,
    period: PeriodQuery,
    indicator: Annotated[str, Query(max_length=40, description="An indicator code, or `composite_score`")],
) -> BreakdownRead:
    """The indicator for each child unit, ranked. `composite_score` ranks for the 10/10 awards: the mean
    attainment of every percentage target (each capped at 100 %)."""
    return await replica.read(service.breakdown, principal, unit_id, period, indicator)


@router.get("/snapshots")
async def list_snapshots(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="Reports of this unit's subtree")] = None,
    period: Annotated[
        ReportPeriodCode | None,
        Query(description="`2026-06`, `2026-Q2`, `2026` or an ad-hoc report's `2026-06-05..2026-06-20`"),
    ] = None,
    status: Literal["draft", "submitted", "approved", "returned"] | None = None,
    kind: Annotated[
        Literal["periodic", "adhoc"] | None, Query(description="Periodic reports only, or ad-hoc ones only")
    ] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> SnapshotList:
    return await snapshots.list_snapshots(
        session,
        principal,
        unit_id=unit_id,
        period=period,
        status=status,
        limit=limit,
        offset=offset,
        kind=kind,
    )


@router.post(
    "/snapshots", status_code=201, responses={200: {"model": SnapshotRead, "description": "Refreshed"}}
)
async def freeze_snapshot(
    session: SessionDep, principal: PrincipalDep, body: SnapshotCreate, response: Response
) -> SnapshotRead:
    """Freeze the unit's indicators for the period (a draft report); again, to refresh a draft. An
    ad-hoc report (báo cáo đột xuất) gives its days, the request it answers and its due day instead
    of a period."""
    snapshot, created = await snapshots.freeze(session, principal, body)
    response.status_code = 201 if created else 200
    set_etag(response, snapshot.version)
    return snapshots.to_read(snapshot)


@router.get("/snapshots/pending")
async def list_pending_reports(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: uuid.UUID,
    period: PeriodQuery,
    level: Annotated[
        Literal["commune", "village"] | None,
        Query(description="Every unit of this level below (a province's villages); default: the children"),
    ] = None,
) -> PendingReports:
    """Units below whose report for the period has not been submitted."""
    return await snapshots.pending(session, principal, unit_id, period, level)


@router.get("/report-deadlines/{unit_id}")
async def read_report_deadlines(
    session: SessionDep, principal: PrincipalDep, unit_id: uuid.UUID
) -> ReportDeadlinesRead:
    """When the reports of the unit's province are due (plan 002's words unless the province set its own)."""
    return await deadlines.read(session, principal, unit_id)


@router.put("/report-deadlines/{unit_id}")
async def write_report_deadlines(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID, Path(description="A province")],
    body: ReportDeadlinesUpdate,
    expected: IfMatchDep,
    response: Response,
) -> ReportDeadlinesRead:
    """Set when a province's monthly and quarterly reports are due: those who approve its communes'
    reports (province officers, admins). Reports frozen or refreshed afterwards follow it."""
    rule = await deadlines.write(session, principal, unit_id, body, expected)
    set_etag(response, rule.version)
    return rule


@router.get("/snapshots/{snapshot_id}")
async def get_snapshot(
    session: SessionDep, principal: PrincipalDep, snapshot_id: uuid.UUID, response: Response
) -> SnapshotRead:
    snapshot = await snapshots.get_snapshot(session, principal, snapshot_id)
    set_etag(response, snapshot.version)
    return snapshots.to_read(snapshot)


@router.patch("/snapshots/{snapshot_id}", responses={409: {"description": "The report is sent already"}})
async def write_snapshot_sections(
    session: SessionDep,
    principal: PrincipalDep,
    snapshot_id: uuid.UUID,
    body: SnapshotUpdate,
    expected: IfMatchDep,
    response: Response,
) -> SnapshotRead:
    """Write the report's sections (results, difficulties, proposals) while it is a draft or returned."""
    snapshot = await snapshots.write_sections(session, principal, snapshot_id, body, expected)
    set_etag(response, snapshot.version)
    return snapshots.to_read(snapshot)


@router.post("/snapshots/{snapshot_id}/submit")
async def submit_snapshot(
    session: SessionDep,
    principal: PrincipalDep,
    snapshot_id: uuid.UUID,
    expected: IfMatchDep,
    response: Response,
) -> SnapshotRead:
    snapshot = await snapshots.submit(session, principal, snapshot_id, expected)
    set_etag(response, snapshot.version)
    return snapshots.to_read(snapshot)


@router.post("/snapshots/{snapshot_id}/approve")
async def approve_snapshot(
    session: SessionDep,
    principal: PrincipalDep,
    snapshot_id: uuid.UUID,
    expected: IfMatchDep,
    response: Response,
) -> SnapshotRead:
    snapshot = await snapshots.approve(session, principal, snapshot_id, expected)
    set_etag(response, snapshot.version)
    return snapshots.to_read(snapshot)


@router.post("/snapshots/{snapshot_id}/return")
async def return_snapshot(
    session: SessionDep,
    principal: PrincipalDep,
    snapshot_id: uuid.UUID,
    body: SnapshotReturn,
    expected: IfMatchDep,
    response: Response,
) -> SnapshotRead:
    """Send a submitted report back for fixes, with the reason."""
    snapshot = await snapshots.return_for_fixes(session, principal, snapshot_id, body.reason, expected)
    set_etag(response, snapshot.version)
    return snapshots.to_read(snapshot)


@router.delete("/snapshots/{snapshot_id}", status_code=204)
async def delete_snapshot(
    session: SessionDep, principal: PrincipalDep, snapshot_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await snapshots.delete_snapshot(session, principal, snapshot_id, expected)


@router.get(
    "/snapshots/{snapshot_id}/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}}
)
async def export_snapshot(principal: PrincipalDep, snapshot_id: uuid.UUID) -> Response:
    """The report as a spreadsheet laid out like an administrative report."""
    content, filename = await replica.read(snapshots.report_file, principal, snapshot_id)
    return Response(content, media_type=XLSX, headers=attachment(filename))


@router.get("/snapshots/{snapshot_id}/summary", response_class=PlainTextResponse)
async def summarize_snapshot(principal: PrincipalDep, snapshot_id: uuid.UUID) -> str:
    """A short plain-text summary to paste into a Zalo group."""
    return await replica.read(snapshots.report_text, principal, snapshot_id)
