import uuid
from typing import Annotated

from fastapi import Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, answer
from api.unit_of_work import Router
from app import records
from app.activities.schemas import ActivityKind
from app.core.fields import Moment
from app.learning.schemas import (
    MaterialCreate,
    MaterialFeed,
    MaterialKind,
    MaterialList,
    MaterialRead,
    MaterialUpdate,
)
from app.learning.service import MATERIALS, ORDER, list_filters

router = Router(prefix="/learning-materials", tags=["learning"])
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page of changes")
]


@router.get("")
async def list_materials(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[
        uuid.UUID | None, Query(description="A unit: the guides published in its subtree")
    ] = None,
    kind: MaterialKind | None = None,
    topic: Annotated[ActivityKind | None, Query(description="Guides teaching this kind of help")] = None,
    updated_since: Annotated[
        Moment | None, Query(description="Changes after this moment (change feed)")
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> MaterialList | MaterialFeed:
    """The guides the caller may read, the latest first: those of its area and those published above it
    (a village's member reads its commune's and its province's). With `updated_since` or `cursor`, the
    change feed."""
    if updated_since is not None or cursor is not None:
        page = await records.changes(
            session, principal, MATERIALS, unit_id=unit_id, since=updated_since, cursor=cursor, limit=limit
        )
        return MaterialFeed(**page)
    page = await records.page(
        session,
        principal,
        MATERIALS,
        unit_id=unit_id,
        filters=list_filters({"kind": kind, "topic": topic}),
        order=ORDER,
        limit=limit,
        offset=offset,
    )
    return MaterialList(**page)


@router.post(
    "", status_code=201, responses={200: {"model": MaterialRead, "description": "A repeated create"}}
)
async def create_material(
    session: SessionDep, principal: PrincipalDep, body: MaterialCreate, response: Response
) -> MaterialRead:
    """Publish a guide at a commune or a province (its officers)."""
    return answer(response, *await records.create(session, principal, MATERIALS, body))


@router.get("/{material_id}")
async def get_material(
    session: SessionDep, principal: PrincipalDep, material_id: uuid.UUID, response: Response
) -> MaterialRead:
    return answer(response, await records.get(session, principal, MATERIALS, material_id))


@router.patch("/{material_id}")
async def update_material(
    session: SessionDep,
    principal: PrincipalDep,
    material_id: uuid.UUID,
    body: MaterialUpdate,
    expected: IfMatchDep,
    response: Response,
) -> MaterialRead:
    return answer(response, await records.update(session, principal, MATERIALS, material_id, body, expected))


@router.delete("/{material_id}", status_code=204)
async def delete_material(
    session: SessionDep, principal: PrincipalDep, material_id: uuid.UUID, expected: IfMatchDep
) -> None:
    """Withdraw a guide: phones that kept it learn it from the change feed (a tombstone)."""
    await records.delete(session, principal, MATERIALS, material_id, expected)
