"""Typed dependencies: the session (settled by the route, `api.unit_of_work`), the caller, paging and
If-Match."""

from functools import partial
from typing import Annotated

from fastapi import Depends, Header, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api import unit_of_work
from api.credentials import authenticate
from api.idempotency import request_principal
from api.observability import route_template
from api.ratelimit import limit_caller
from app.authz.principal import Principal
from app.core.errors import Forbidden, PreconditionFailed
from app.core.pagination import Limit, Offset
from app.privacy.access import route as access_route

# The request's session, settled by the route once it has answered (`api.unit_of_work`).
SessionDep = Annotated[AsyncSession, Depends(unit_of_work.session)]


async def get_principal(request: Request) -> Principal:
    """The caller, from a bearer token (~40 µs of JWT checking, and the user's state and grants from
    the database at most every `auth_cache_seconds`) or an API key (one indexed lookup, in its own
    short transaction so `last_used_at` does not ride on the request's): `api.credentials`.

    The one place where a read-only API key is refused every write (403), and where the caller's rate
    limit is taken (429; inline, as a dependency of its own it would cost ~30 µs a request)."""
    access_route.set(partial(route_template, request.scope))  # for the access log of personal data
    if (principal := request_principal(request)) is None:
        principal = await authenticate(dict(request.scope["headers"]))
    if principal.read_only and request.method not in unit_of_work.SAFE_METHODS:
        raise Forbidden("This API key is read-only")
    return await limit_caller(principal)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
LimitQuery = Annotated[Limit, Query(description="Page size (max 500)")]
OffsetQuery = Annotated[Offset, Query(description="Rows to skip")]


def if_match(value: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    """`"3"` or `W/"3"` → 3; `*` or absent → None (no precondition)."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or len(tag) > 9:
        raise PreconditionFailed('If-Match must be the ETag of the record, such as "3"')
    return int(tag)


IfMatchDep = Annotated[int | None, Depends(if_match)]


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def answer(response: Response, record, created: bool | None = None):
    """A record as a write answers it: its ETag, and 201 for a new record or 200 for a repeated create."""
    if created is not None:
        response.status_code = 201 if created else 200
    set_etag(response, record.version)
    return record
