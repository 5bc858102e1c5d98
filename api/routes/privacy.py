"""Personal data (Law 91/2025/QH15): the access log, and a data subject's requests about a household."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Query, Response

from api.deps import LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.downloads import XLSX, attachment
from api.unit_of_work import Router
from app.core.fields import Moment
from app.households.schemas import HouseholdRead
from app.privacy import service
from app.privacy.schemas import AccessList, PersonalData

router = Router(tags=["personal data"])


@router.get("/access-log")
async def list_access_log(
    session: SessionDep,
    principal: PrincipalDep,
    record_id: Annotated[
        uuid.UUID | None, Query(description="Reads of this record, by id, export or page")
    ] = None,
    user_id: Annotated[uuid.UUID | None, Query(description="Reads by this user (or API key)")] = None,
    unit_id: Annotated[uuid.UUID | None, Query(description="Entries filed under this unit's subtree")] = None,
    since: Annotated[Moment | None, Query(description="Entries read last at or after this moment")] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> AccessList:
    """Who read whose personal data (head name, phone, address; members' and users' phones), newest
    first: admins, and officers within their area. Repeated reads of one thing by one caller on one
    day are one entry with a `count`."""
    return await service.list_access(
        session,
        principal,
        record_id=record_id,
        user_id=user_id,
        unit_id=unit_id,
        since=since,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/households/{household_id}/personal-data",
    responses={
        200: {"content": {XLSX: {}}, "description": "JSON, or with `format=xlsx` a workbook to print"}
    },
)
async def household_personal_data(
    session: SessionDep,
    principal: PrincipalDep,
    household_id: uuid.UUID,
    format: Annotated[Literal["json", "xlsx"], Query(description="`xlsx`: a workbook to print")] = "json",
) -> PersonalData:
    """A data subject's request: everything the system holds about the household (the record, the
    history of its personal fields, the support recorded for it, who read its personal data).
    Officers and admins; audited and noted in the access log."""
    if format == "xlsx":
        day = datetime.now(UTC).date()
        filename = f"du-lieu-ca-nhan-{household_id}.xlsx"
        data = await service.personal_data(session, principal, household_id, file=filename)
        content = service.personal_data_xlsx(data, day)
        return Response(content, media_type=XLSX, headers=attachment(filename))  # type: ignore[return-value]
    return await service.personal_data(session, principal, household_id)


@router.post("/households/{household_id}/erase")
async def erase_household(
    session: SessionDep, principal: PrincipalDep, household_id: uuid.UUID, response: Response
) -> HouseholdRead:
    """Erase the household's personal data everywhere it lives (the record, the audit snapshots, stored
    responses): the head name becomes "(đã xoá)", phone and address are removed, the counts stay (no
    indicator changes) and the version moves (phones take it on their next sync). Officers and
    admins; audited; idempotent."""
    return answer(response, await service.erase(session, principal, household_id))
