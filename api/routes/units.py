import uuid
from typing import Annotated

from fastapi import File, Query, Response, UploadFile

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, set_etag
from api.unit_of_work import Router
from app.core.errors import Invalid
from app.core.fields import Moment, PlausibleDate
from app.core.fields import Query as SearchText
from app.models.unit import UnitLevel
from app.units import service, villages
from app.units.schemas import (
    ResolutionList,
    UnitCreate,
    UnitFeed,
    UnitHistory,
    UnitList,
    UnitMerge,
    UnitMove,
    UnitRead,
    UnitUpdate,
    VillageImport,
)

router = Router(prefix="/units", tags=["units"])
MAX_LIST = 1024 * 1024
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page of changes")
]


@router.get("", response_model=UnitList | UnitFeed)
async def list_units(
    session: SessionDep,
    principal: PrincipalDep,
    parent_id: uuid.UUID | None = None,
    level: UnitLevel | None = None,
    q: Annotated[SearchText | None, Query(description="Name or code, accent-insensitive")] = None,
    as_of: Annotated[
        PlausibleDate | None, Query(description="The tree as it stood that day (default: today)")
    ] = None,
    updated_since: Annotated[
        Moment | None, Query(description="Changes after this moment (change feed)")
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> UnitList | UnitFeed:
    """Units in the caller's area valid on `as_of`, in tree order, with that day's names and parents;
    with `updated_since` or `cursor`, the change feed (closed units included)."""
    if updated_since is not None or cursor is not None:
        return await service.unit_changes(session, principal, since=updated_since, cursor=cursor, limit=limit)
    return await service.list_units(
        session, principal, parent_id=parent_id, level=level, q=q, as_of=as_of, limit=limit, offset=offset
    )


@router.post("", status_code=201, responses={200: {"model": UnitRead, "description": "A repeated create"}})
async def create_unit(
    session: SessionDep, principal: PrincipalDep, body: UnitCreate, response: Response
) -> UnitRead:
    unit, created = await service.create_unit(session, principal, body)
    response.status_code = 201 if created else 200
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.post("/import", status_code=201)
async def import_villages(
    session: SessionDep,
    principal: PrincipalDep,
    parent_id: Annotated[uuid.UUID, Query(description="The commune whose villages the list holds")],
    file: Annotated[
        UploadFile, File(description="A UTF-8 .csv: `Tên thôn` and optionally `Mã`, 1 MB at most")
    ],
) -> VillageImport:
    """A commune's villages from a list, all or nothing (every bad line reported, 422); villages the
    commune already has (same name) are left as they are, so a second import adds nothing."""
    if file.file.seek(0, 2) > MAX_LIST:
        raise Invalid("The list is larger than 1 MB", loc=["body", "file"])
    file.file.seek(0)
    return await villages.import_villages(session, principal, parent_id, file.file)


@router.get("/resolve")
async def resolve_old_unit(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[
        SearchText,
        Query(
            min_length=1,
            description="A pre-2025 commune by name or code, then optionally its district and province, "
            "comma-separated: `Xã Đại Áng, Huyện Thanh Trì, Hà Nội`",
        ),
    ],
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> ResolutionList:
    """The current commune(s) a pre-2025 commune became part of (several when it was split)."""
    return await service.resolve(session, principal, q, limit=limit, offset=offset)


@router.get("/{unit_id}")
async def get_unit(
    session: SessionDep, principal: PrincipalDep, unit_id: uuid.UUID, response: Response
) -> UnitRead:
    unit = await service.get_unit(session, principal, unit_id)
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.get("/{unit_id}/history")
async def unit_history(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: uuid.UUID,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> UnitHistory:
    """Renames, moves and the merger of the unit, and the units merged into it, by effective date."""
    return await service.unit_history(session, principal, unit_id, limit=limit, offset=offset)


@router.patch("/{unit_id}")
async def update_unit(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: uuid.UUID,
    body: UnitUpdate,
    expected: IfMatchDep,
    response: Response,
) -> UnitRead:
    """Rename (name and/or code) from `effective_on`; the previous ones stay in the history."""
    unit = await service.update_unit(session, principal, unit_id, body, expected)
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.post("/{unit_id}/move")
async def move_unit(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: uuid.UUID,
    body: UnitMove,
    expected: IfMatchDep,
    response: Response,
) -> UnitRead:
    """Move the unit, with its whole subtree, under another parent from `effective_on`."""
    unit = await service.move_unit(session, principal, unit_id, body, expected)
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.post("/{unit_id}/merge")
async def merge_unit(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: uuid.UUID,
    body: UnitMerge,
    expected: IfMatchDep,
    response: Response,
) -> UnitRead:
    """Merge the unit into `into_id`: it closes the day before `effective_on`; its child units,
    households, teams, members, users' roles and API keys move to the surviving unit; activities
    and reports stay where they happened. Returns the closed unit."""
    unit = await service.merge_unit(session, principal, unit_id, body, expected)
    set_etag(response, unit.version)
    return UnitRead.model_validate(unit)


@router.delete("/{unit_id}", status_code=204)
async def delete_unit(
    session: SessionDep, principal: PrincipalDep, unit_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await service.delete_unit(session, principal, unit_id, expected)
