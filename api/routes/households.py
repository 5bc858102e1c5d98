import uuid
from typing import Annotated

from fastapi import File, Query, Response, UploadFile
from pydantic_core import to_json

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.downloads import XLSX, attachment
from api.unit_of_work import Router
from app import records
from app.core import metrics
from app.core.db import reading
from app.core.fields import Moment, ObservedMoment
from app.core.fields import Query as SearchText
from app.households import notes, service
from app.households.export import households_xlsx
from app.households.imports.errors import TooLarge
from app.households.imports.run import import_households as run_import
from app.households.schemas import (
    HouseholdCreate,
    HouseholdFeed,
    HouseholdList,
    HouseholdRead,
    HouseholdUpdate,
    ImportReport,
    VisitNotes,
)
from app.households.service import HOUSEHOLDS

router = Router(prefix="/households", tags=["households"])
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page of changes")
]
MAX_UPLOAD = 20 * 1024 * 1024


@router.get("", response_model=HouseholdList | HouseholdFeed)
async def list_households(
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
    q: Annotated[SearchText | None, Query(description="Head name, code or phone, accent-insensitive")] = None,
    informed: bool | None = None,
    has_digital_member: bool | None = None,
    is_business: bool | None = None,
    needs_assistance: bool | None = None,
    assigned_member_id: uuid.UUID | None = None,
    updated_since: Annotated[
        Moment | None, Query(description="Changes after this moment (change feed)")
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> HouseholdFeed | Response:
    """Households in the caller's area by head name; with `updated_since` or `cursor`, the change feed."""
    # The hottest read (bench/README.md). It writes nothing, so a plain session instead of SessionDep:
    # that dependency's commit point is not needed here and its machinery costs ~0.1 ms a request.
    filters = {
        "informed": informed,
        "has_digital_member": has_digital_member,
        "is_business": is_business,
        "needs_assistance": needs_assistance,
        "assigned_member_id": assigned_member_id,
    }
    feed = updated_since is not None or cursor is not None
    async with reading(keep_plans=not feed and service.unnarrowed(q, filters)) as session:
        if feed:
            changes = await records.changes(
                session,
                principal,
                HOUSEHOLDS,
                unit_id=unit_id,
                since=updated_since,
                cursor=cursor,
                limit=limit,
            )
            return HouseholdFeed(**changes)
        page = await service.list_households(
            session, principal, unit_id=unit_id, q=q, filters=filters, limit=limit, offset=offset
        )
    # Serialized once, straight from the rows; `response_model` documents the shape in OpenAPI.
    return Response(to_json(page), media_type="application/json")


@router.post(
    "", status_code=201, responses={200: {"model": HouseholdRead, "description": "A repeated create"}}
)
async def create_household(
    session: SessionDep, principal: PrincipalDep, body: HouseholdCreate, response: Response
) -> HouseholdRead:
    return answer(response, *await records.create(session, principal, HOUSEHOLDS, body))


@router.post(
    "/import",
    status_code=201,
    responses={200: {"model": ImportReport, "description": "A dry run: the report, nothing written"}},
)
async def import_households(
    session: SessionDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="A .csv (UTF-8, `,` or `;`) or .xlsx file, 20 MB at most")],
    unit_id: Annotated[uuid.UUID, Query(description="The commune or village to import into")],
    response: Response,
    dry_run: Annotated[bool, Query(description="Check the file and report; write nothing")] = False,
    observed_at: Annotated[
        ObservedMoment | None,
        Query(description="When the file's facts were seen (RFC 3339 with offset; default: now)"),
    ] = None,
) -> ImportReport:
    """Import households from a commune's spreadsheet, all or nothing.

    Into a village, every row lands there; into a commune, every row names one of its villages (a
    `Thôn/Tổ dân phố` column: code or name). Columns are matched by their Vietnamese or English names,
    accent-insensitively. A dry run (200) reports every bad row and writes nothing; a real import
    (201) writes every row, or none when any is bad (422, `errors` with `loc` = ["file", line, field]).
    A file over 20 MB or over a budget of the import (rows, or a workbook's size, cells and texts once
    uncompressed) is refused whole (413).
    """
    size = file.file.seek(0, 2)
    file.file.seek(0)
    if size > MAX_UPLOAD:
        raise TooLarge("The file is larger than 20 MB: split it into several files")
    report = await run_import(
        session,
        principal,
        unit_id,
        file.file,
        filename=file.filename,
        dry_run=dry_run,
        observed_at=observed_at,
    )
    response.status_code = 200 if dry_run else 201
    metrics.IMPORTS.labels("dry_run" if dry_run else "import").inc()
    metrics.HOUSEHOLDS_IMPORTED.inc(report.imported)
    return report


@router.get(
    "/export.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "A workbook"}},
)
async def export_households(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="A unit: its whole subtree")] = None,
) -> Response:
    """The households of the caller's area (a unit's subtree), 50,000 at most, in the importer's
    columns. Every household in the file is in the access log, with the file's name."""
    content, filename = await households_xlsx(session, principal, unit_id)
    return Response(content, media_type=XLSX, headers=attachment(filename))


@router.get("/{household_id}")
async def get_household(
    session: SessionDep, principal: PrincipalDep, household_id: uuid.UUID, response: Response
) -> HouseholdRead:
    return answer(response, await records.get(session, principal, HOUSEHOLDS, household_id))


@router.get("/{household_id}/notes")
async def visit_notes(
    session: SessionDep,
    principal: PrincipalDep,
    household_id: uuid.UUID,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> VisitNotes:
    """The notes left on the household's visits, newest first (a visit's note replaces the
    household's `note`; the earlier ones stay here)."""
    return await notes.visit_notes(session, principal, household_id, limit, offset)


@router.patch("/{household_id}")
async def update_household(
    session: SessionDep,
    principal: PrincipalDep,
    household_id: uuid.UUID,
    body: HouseholdUpdate,
    expected: IfMatchDep,
    response: Response,
) -> HouseholdRead:
    household = await records.update(session, principal, HOUSEHOLDS, household_id, body, expected)
    return answer(response, household)


@router.delete("/{household_id}", status_code=204)
async def delete_household(
    session: SessionDep, principal: PrincipalDep, household_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await records.delete(session, principal, HOUSEHOLDS, household_id, expected)
