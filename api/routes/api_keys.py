import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from api.deps import IfMatchDep, LimitQuery, OffsetQuery, PrincipalDep, SessionDep, set_etag
from api.idempotency import replay_without_secret
from api.unit_of_work import Router
from app.api_keys import service
from app.api_keys.schemas import ApiKeyCreate, ApiKeyList, ApiKeyRead, ApiKeySecret

router = Router(prefix="/api-keys", tags=["api-keys"])


def _secret_response(request: Request, response: Response, key: ApiKeySecret) -> ApiKeySecret:
    """A response carrying a secret is stored nowhere: not by caches; for an Idempotency-Key replay,
    the same answer with `key: null`."""
    response.headers["Cache-Control"] = "no-store"
    set_etag(response, key.version)
    replay_without_secret(request, key.model_copy(update={"key": None}).model_dump_json().encode())
    return key


@router.get("")
async def list_api_keys(
    session: SessionDep,
    principal: PrincipalDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="Keys of this unit's subtree")] = None,
    revoked: Annotated[
        bool | None, Query(description="Only revoked keys (true) or live ones (false)")
    ] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> ApiKeyList:
    """Keys in the caller's area, newest first. Officers and admins only."""
    return await service.list_keys(
        session, principal, unit_id=unit_id, revoked=revoked, limit=limit, offset=offset
    )


@router.post("", status_code=201)
async def create_api_key(
    session: SessionDep, principal: PrincipalDep, body: ApiKeyCreate, request: Request, response: Response
) -> ApiKeySecret:
    """A key for a third-party system at a unit of the caller's area. The key is in this response
    only: send it as `X-API-Key`. With an `Idempotency-Key`, a retry makes no second key: it answers
    the same record with `key: null`."""
    return _secret_response(request, response, await service.create_key(session, principal, body))


@router.get("/{key_id}")
async def get_api_key(
    session: SessionDep, principal: PrincipalDep, key_id: uuid.UUID, response: Response
) -> ApiKeyRead:
    key = await service.get_key(session, principal, key_id)
    set_etag(response, key.version)
    return ApiKeyRead.model_validate(key)


@router.post("/{key_id}/rotate")
async def rotate_api_key(
    session: SessionDep,
    principal: PrincipalDep,
    key_id: uuid.UUID,
    expected: IfMatchDep,
    request: Request,
    response: Response,
) -> ApiKeySecret:
    """A new key in place of the old one, which stops working now. Shown in this response only (an
    `Idempotency-Key` replay answers `key: null`)."""
    return _secret_response(request, response, await service.rotate_key(session, principal, key_id, expected))


@router.delete("/{key_id}", status_code=204)
async def revoke_api_key(
    session: SessionDep, principal: PrincipalDep, key_id: uuid.UUID, expected: IfMatchDep
) -> None:
    """Revoke the key: it stops working; it stays listed (with `revoked_at`) for the audit trail."""
    await service.revoke_key(session, principal, key_id, expected)
