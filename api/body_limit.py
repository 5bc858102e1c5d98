"""Request body limits per kind of route, as pure ASGI middleware outside everything that reads a body
(the Idempotency-Key store, form and JSON parsing, authentication): a 200 MB body is refused from its
`Content-Length` before a byte is read, and a chunked one as soon as it passes the limit.

Two kinds: a route that takes a file (the household import) gets `max_upload_bytes` plus room for the
multipart framing; every other route `max_body_bytes`. Past it, 413 problem+json.
"""

import re

from fastapi import FastAPI, params
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from app.core.config import get_settings

WITHOUT_BODY = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
MULTIPART_ROOM = 64 * 1024  # boundaries and part headers around the file
TOO_LARGE = "The request body is larger than this route accepts ({limit} bytes)"


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a streamed body passes the limit. An HTTPException, so FastAPI's body
    parsing lets it through (it turns any other error into a 400) to the 413 handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, TOO_LARGE.format(limit=limit))


def upload_paths(app: FastAPI) -> list[re.Pattern[str]]:
    """The paths of the routes that take a file."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and any(
            isinstance(p.field_info, params.File) for p in route.dependant.body_params
        ):
            found.append(compile_path(context.path)[0])
    return found


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, uploads: list[re.Pattern[str]]) -> None:
        self.app = app
        self.uploads = uploads

    def limit(self, path: str) -> int:
        settings = get_settings()
        if any(pattern.match(path) for pattern in self.uploads):
            return settings.max_upload_bytes + MULTIPART_ROOM
        return settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in WITHOUT_BODY:
            return await self.app(scope, receive, send)
        limit = self.limit(scope["path"])
        if _declared_length(scope) > limit:
            return await _too_large(limit, scope, receive, send)
        received, started = 0, False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(limit, scope, receive, send)


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    response = problem(
        413, "Content too large", TOO_LARGE.format(limit=limit), headers={"Connection": "close"}
    )
    await response(scope, receive, send)
