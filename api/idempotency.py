"""Idempotency-Key on POST, as pure ASGI middleware: a phone replaying its outbox gets the first
response back instead of a second record.

The key is claimed, the route's write made and the response stored in one transaction, the request's
own: the middleware opens the session, claims the key in it and hands it to the route
(`request_session`, which `api.unit_of_work.session` gives the route instead of one of its own);
once the route has answered, the middleware stores the answer and commits, and only then sends it.
So a crash or an outage at any point leaves the write with its stored answer, or neither: a retry
replays the one, or runs again. While the database is unreachable the answer is 503 and nothing is kept. The
route's writes are held to go with the stored answer, in one statement (`app.core.batch.hold`); one
the database refuses then is answered as the route's own error would have been (`_handled`).

A response carrying a secret (a new API key) is never stored: the route gives a twin without the
secret (`replay_without_secret`), which is what a replay answers, so a retried create still makes
one key and the secret is still shown once.
"""

import hashlib
import inspect

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.credentials import authenticate
from api.errors import problem, unavailable
from app.authz.principal import Principal
from app.core import batch, metrics
from app.core.db import db, is_outage
from app.core.errors import AppError, Conflict, Invalid
from app.idempotency import store

HEADER = b"idempotency-key"
KEPT_HEADERS = {"content-type", "etag", "location"}
# In the request's state: what a replay answers instead; the session the route writes in; the caller.
REPLAY_STATE, SESSION_STATE, PRINCIPAL_STATE = "idempotent_replay_body", "request_session", "principal"


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        key = headers.get(HEADER)
        try:
            caller = await _caller(headers) if key is not None else None
        except Exception as exc:
            if not is_outage(exc):
                raise
            return await unavailable(exc)(scope, receive, send)
        if key is None or caller is None:  # no key, or no caller: the route answers (401 if unauthenticated)
            return await self.app(scope, receive, send)
        key_text = key.decode("latin-1")
        try:
            if not 1 <= len(key_text) <= 255 or not key_text.isprintable():
                raise Invalid(
                    "Idempotency-Key must be 1 to 255 printable characters", loc=["header", "Idempotency-Key"]
                )
            body = await _read_body(receive)
        except AppError as exc:
            return await _problem(exc)(scope, receive, send)
        fingerprint = _fingerprint(scope, headers, body)
        async with db.sessions() as session:
            answer = await _answer(self.app, scope, body, session, caller, key_text, fingerprint)
        await answer(scope, receive, send)


async def _answer(app: ASGIApp, scope: Scope, body: bytes, session: AsyncSession, caller: Principal,
                  key: str, fingerprint: str):  # fmt: skip
    """The route's answer once it is committed with its stored copy; or the stored answer to replay,
    a problem with the key, or 503."""
    try:
        stored = await store.claim(session, caller.id, key, fingerprint)
    except IntegrityError:  # two first requests raced to claim the key
        return _problem(Conflict(store.BUSY))
    except AppError as exc:
        return _problem(exc)
    except Exception as exc:
        if not is_outage(exc):
            raise
        return unavailable(exc)
    if stored is not None:
        metrics.IDEMPOTENT_REPLAYS.inc()
        return _Replay(stored)

    # The route's writes wait for its answer, to go to the database in one statement with it.
    await batch.hold(session)
    state = scope.setdefault("state", {})
    state[SESSION_STATE], state[PRINCIPAL_STATE] = session, caller
    response = _Captured()
    try:
        await app(scope, _replaying(body), response.send)
    except BaseException:
        await session.rollback()
        raise
    finally:
        del state[SESSION_STATE]
    try:
        return await _kept(session, caller, key, fingerprint, response, state)
    except Exception as exc:
        # A write the route held back, which the database refused as it went with the answer: answered
        # as the route's own error would have been (a conflict is a 409), and kept.
        return await _kept(session, caller, key, fingerprint, await _handled(scope, exc), state)


async def _kept(session: AsyncSession, caller: Principal, key: str, fingerprint: str,
                response: "_Captured", state: dict):  # fmt: skip
    """`response` once committed with its stored copy (and the writes the transaction held), or 503
    when the database is unreachable (neither the write nor its answer: a retry runs again). 5xx and
    429 are not kept: a retry must run again, not replay "try later" for 7 days; whatever the route
    wrote before failing goes too."""
    if response.status >= 500 or response.status == 429:
        await session.rollback()
        return response
    twin = state.get(REPLAY_STATE)
    if not response.no_store():
        kept = response.stored()
    elif twin is not None:  # a secret: keep its twin without it, or nothing
        kept = response.stored(twin)
    else:
        kept = None
    try:
        if kept is not None:
            await store.answer(session, caller.id, key, fingerprint, kept)
        await session.commit()
    except Exception as exc:
        await session.rollback()
        if not is_outage(exc):
            raise
        return unavailable(exc)
    return response


async def _handled(scope: Scope, exc: Exception) -> "_Captured":
    """The answer the app's exception handlers give `exc` (api.errors), as a route raising it gets."""
    app = scope["app"]
    handler = next(
        app.exception_handlers[kind] for kind in type(exc).__mro__ if kind in app.exception_handlers
    )
    answer = handler(Request(scope), exc)
    if inspect.isawaitable(answer):
        answer = await answer
    captured = _Captured()
    await answer(scope, _replaying(b""), captured.send)
    return captured


def request_session(request: Request) -> AsyncSession | None:
    """The session the idempotency middleware opened for this request, with the key claimed in it:
    the route writes in it and leaves the commit to the middleware."""
    return request.scope.get("state", {}).get(SESSION_STATE)


def request_principal(request: Request) -> Principal | None:
    """The caller the middleware already authenticated for this request (None when it did not)."""
    return request.scope.get("state", {}).get(PRINCIPAL_STATE)


def replay_without_secret(request: Request, body: bytes) -> None:
    """This response carries a secret (`Cache-Control: no-store`): a replay of the request answers
    `body` instead, the same answer without the secret."""
    setattr(request.state, REPLAY_STATE, body)


async def _caller(headers: dict[bytes, bytes]) -> Principal | None:
    """The caller, as `api.deps.get_principal` finds the caller; None when there is none."""
    try:
        return await authenticate(headers)
    except AppError:
        return None


def _fingerprint(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (
        scope["path"].encode(),
        scope.get("query_string", b""),
        headers.get(b"content-type", b""),
        body,
    ):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


async def _read_body(receive: Receive) -> bytes:
    """The whole body (bounded by `api.body_limit`, which is outside this middleware)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class _Captured:
    """Holds the route's response so it can be stored before it is sent."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    def no_store(self) -> bool:
        """A response carrying a secret (a new API key) is never kept for replay as it is."""
        return any(k.lower() == b"cache-control" and b"no-store" in v.lower() for k, v in self.headers)

    def stored(self, body: bytes | None = None) -> store.StoredResponse:
        kept = {
            k.decode(): v.decode("latin-1") for k, v in self.headers if k.decode().lower() in KEPT_HEADERS
        }
        return store.StoredResponse(self.status, kept, b"".join(self.chunks) if body is None else body)

    async def __call__(self, _scope: Scope, _receive: Receive, send: Send) -> None:
        """Send it (an ASGI app, as the other answers are)."""
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": b"".join(self.chunks)})


class _Replay:
    """The stored answer of the first request, sent again."""

    def __init__(self, stored: store.StoredResponse) -> None:
        self.stored = stored

    async def __call__(self, _scope: Scope, _receive: Receive, send: Send) -> None:
        stored = self.stored
        headers = [(k.encode(), v.encode("latin-1")) for k, v in stored.headers.items()]
        headers += [(b"idempotent-replayed", b"true"), (b"content-length", str(len(stored.body)).encode())]
        await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": stored.body})


def _problem(exc: AppError):
    return problem(exc.status, exc.title, exc.detail, errors=exc.errors, type_=exc.type)
