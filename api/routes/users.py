import uuid
from typing import Annotated

from fastapi import Query, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, set_etag
from api.unit_of_work import Router
from app.authz.permissions import Role
from app.core.fields import Query as SearchText
from app.users import service
from app.users.schemas import UserCreate, UserList, UserRead, UserUpdate

router = Router(prefix="/users", tags=["users"])


@router.get("")
async def list_users(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[SearchText | None, Query(description="Username or full name")] = None,
    role: Role | None = None,
    unit_id: Annotated[
        uuid.UUID | None, Query(description="Users holding a role in this unit's subtree")
    ] = None,
    is_active: bool | None = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> UserList:
    return await service.list_users(
        session, principal, q=q, role=role, unit_id=unit_id, is_active=is_active, limit=limit, offset=offset
    )


@router.post("", status_code=201, responses={200: {"model": UserRead, "description": "A repeated create"}})
async def create_user(
    session: SessionDep, principal: PrincipalDep, body: UserCreate, response: Response
) -> UserRead:
    user, created = await service.create_user(session, principal, body)
    response.status_code = 201 if created else 200
    set_etag(response, user.version)
    return user


@router.get("/{user_id}")
async def get_user(
    session: SessionDep, principal: PrincipalDep, user_id: uuid.UUID, response: Response
) -> UserRead:
    user = await service.get_user(session, principal, user_id)
    set_etag(response, user.version)
    return user


@router.patch("/{user_id}")
async def update_user(
    session: SessionDep,
    principal: PrincipalDep,
    user_id: uuid.UUID,
    body: UserUpdate,
    expected: IfMatchDep,
    response: Response,
) -> UserRead:
    user = await service.update_user(session, principal, user_id, body, expected)
    set_etag(response, user.version)
    return user


@router.delete("/{user_id}", status_code=204)
async def delete_user(
    session: SessionDep, principal: PrincipalDep, user_id: uuid.UUID, expected: IfMatchDep
) -> None:
    await service.delete_user(session, principal, user_id, expected)
