"""Typed dependencies: the session (the one commit point), the caller, paging and If-Match."""

from collections.abc import AsyncIterator
from contextlib import nullcontext
from functools import partial
from typing import Annotated

from fastapi import Depends, Header, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.credentials import authenticate
from api.idempotency import request_principal, request_session
from api.observability import route_template
from api.ratelimit import limit_caller
from app.authz.principal import Principal
from app.core.db import db, reading
from app.core.errors import AppError, Forbidden, PreconditionFailed
from app.core.pagination import Limit, Offset
from app.privacy.access import route as access_route


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Commit when the route returns, roll back when it raises (unless the error keeps its changes).

    Scoped to the route function, so the commit happens before the response is sent and a failing
    commit becomes an error response, not a lost write. GET and HEAD only read: their session takes
    no write lock on SQLite (`reading`). A POST with an Idempotency-Key writes in the session its key
    was claimed in, which the middleware commits with the stored answer (`api.idempotency`).
    """
    claimed = request_session(request)
    if claimed is not None:
        opened = nullcontext(claimed)
    else:
        opened = reading() if request.method in SAFE_METHODS else db.sessions()
    async with opened as session:
        # A claimed session is only flushed (a write the database refuses is the route's error); the
        # middleware commits it.
        settle = session.flush if claimed is not None else session.commit
        try:
            yield session
            await settle()
        except AppError as exc:
            await (settle() if exc.keep_changes else session.rollback())
            raise
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_principal(request: Request) -> Principal:
    """The caller, from a bearer token (~40 µs of JWT checking, and the user's state and grants from
    the database at most every `auth_cache_seconds`) or an API key (one indexed lookup, in its own
    short transaction so `last_used_at` does not ride on the request's): `api.credentials`.

    The one place where a read-only API key is refused every write (403), and where the caller's rate
    limit is taken (429; inline, as a dependency of its own it would cost ~30 µs a request)."""
    access_route.set(partial(route_template, request.scope))  # for the access log of personal data
    if (principal := request_principal(request)) is None:
        principal = await authenticate(dict(request.scope["headers"]))
    if principal.read_only and request.method not in SAFE_METHODS:
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
