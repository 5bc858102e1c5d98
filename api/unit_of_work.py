"""The request's session, the one commit point: opened when the route first asks for it (`session`,
the `SessionDep` dependency), settled when the route has answered and before the answer is sent.

The route commits when it returns and rolls back when it raises (unless the error keeps its changes),
so a failing commit becomes an error response, not a lost write. GET and HEAD only read: their
session takes no write lock on SQLite (`reading`). A POST with an Idempotency-Key writes in the
session its key was claimed in (`api.idempotency`), which is only flushed here (a write the database
refuses is the route's error): the middleware commits it with the stored answer.

This is the routes' own handler around FastAPI's (`Route`, every router made by `Router`), not a
dependency with `yield`: FastAPI runs each of those in an exit stack under a shielded cancel scope,
~5 % of a recorded activity's CPU (issue 22).
"""

import functools
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from api.idempotency import request_session
from app.core.db import db, reading
from app.core.errors import AppError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WORK = "unit_of_work"  # in the request's state: the route's `_Work`


class _Work:
    """The session a route opened, if it asked for one, and how it ends."""

    __slots__ = ("opened", "session", "claimed")

    def __init__(self) -> None:
        self.opened: AbstractAsyncContextManager | None = None
        self.session: AsyncSession | None = None
        self.claimed = False

    async def settle(self, error: BaseException | None) -> None:
        """Commit (a claimed session: flush) after an answer, or after an error that keeps its
        changes; otherwise roll back. The session is closed either way (a claimed one stays open for
        the middleware)."""
        session, keep = self.session, error is None or (isinstance(error, AppError) and error.keep_changes)
        try:
            if not keep:
                await session.rollback()
                return
            try:
                await (session.flush() if self.claimed else session.commit())
            except BaseException:
                await session.rollback()
                raise
        finally:
            if self.opened is not None:
                await self.opened.__aexit__(None, None, None)


async def session(request: Request) -> AsyncSession:
    """The request's session: the key's claimed one, else one opened now for this route."""
    work: _Work | None = request.scope.get("state", {}).get(_WORK)
    if work is None:
        raise RuntimeError("a session is only for the routes of a `Router`")
    if work.session is None:
        if (claimed := request_session(request)) is not None:
            work.session, work.claimed = claimed, True
        else:
            work.opened = reading() if request.method in SAFE_METHODS else db.sessions()
            work.session = await work.opened.__aenter__()
    return work.session


class Route(APIRoute):
    """An API route whose handler settles the session the route opened (`_Work.settle`) once FastAPI's
    handler has the answer (its dependencies solved, the route run, the answer serialized)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def settled(request: Request) -> Response:
            work = request.scope.setdefault("state", {})[_WORK] = _Work()
            try:
                response = await handler(request)
            except BaseException as exc:
                if work.session is not None:
                    await work.settle(exc)
                raise
            if work.session is not None:
                await work.settle(None)
            return response

        return settled


Router = functools.partial(APIRouter, route_class=Route)
