"""Idempotency-Key on POST, as pure ASGI middleware: a phone replaying its outbox gets the first
response back instead of a second record. Responses are stored before they are sent, so a retry
after any received response replays it. While the database is unreachable the answer is 503 and
nothing is kept; a key claimed just before an outage is settled in the background once it is back.

A response carrying a secret (a new API key) is never stored: the route gives a twin without the
secret (`replay_without_secret`), which is what a replay answers, so a retried create still makes
one key and the secret is still shown once.
"""

import asyncio
import hashlib
import logging

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem, unavailable
from app.api_keys.service import authenticate as principal_from_api_key
from app.auth.principals import principal_from_token
from app.core import metrics
from app.core.db import db, is_outage, session_scope
from app.core.errors import AppError, Conflict, Invalid
from app.idempotency import store

HEADER = b"idempotency-key"
KEPT_HEADERS = {"content-type", "etag", "location"}
REPLAY_STATE = "idempotent_replay_body"  # in the request's state: what a replay answers instead
SETTLE_ATTEMPTS, SETTLE_DELAY = 60, 1.0  # keep trying to store or release a key for a minute
log = logging.getLogger("api.idempotency")
pending: set[asyncio.Task] = set()  # keys being settled in the background


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
            fingerprint = _fingerprint(scope, headers, body)
            async with session_scope() as session:
                stored = await store.claim(session, caller, key_text, fingerprint)
        except IntegrityError:  # two first requests raced to claim the key
            return await _problem(Conflict(store.BUSY))(scope, receive, send)
        except AppError as exc:
            return await _problem(exc)(scope, receive, send)
        except Exception as exc:
            if not is_outage(exc):
                raise
            return await unavailable(exc)(scope, receive, send)
        if stored is not None:
            metrics.IDEMPOTENT_REPLAYS.inc()
            return await _replay(send, stored)

        response = _Captured()
        try:
            await self.app(scope, _replaying(body), response.send)
        except BaseException:
            try:
                await _settle(caller, key_text, None)
            except Exception:  # noqa: BLE001 - the route's own error is the one to raise
                log.exception("could not release an Idempotency-Key")
            raise
        # 5xx and 429 are not kept: a retry must run again, not replay "try later" for 7 days.
        keep = response.status < 500 and response.status != 429
        if keep and response.no_store():  # a secret: keep its twin without it, or nothing
            twin = scope.get("state", {}).get(REPLAY_STATE)
            stored = response.stored(twin) if twin is not None else None
        else:
            stored = response.stored() if keep else None
        await _settle(caller, key_text, stored)
        await response.forward(send)


def replay_without_secret(request: Request, body: bytes) -> None:
    """This response carries a secret (`Cache-Control: no-store`): a replay of the request answers
    `body` instead, the same answer without the secret."""
    setattr(request.state, REPLAY_STATE, body)


async def _settle(caller, key: str, response: store.StoredResponse | None) -> None:
    """Store the response for replay, or (None) release the key so that a retry runs again.

    When the database went away meanwhile, the response still goes out (a write the route committed
    is acknowledged) and the key is settled in the background once the database is back: otherwise
    it would stay claimed, and every retry would get 409 until the claim goes stale."""
    sessions = db.sessions
    try:
        await _finish(sessions, caller, key, response)
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning("database unavailable: an Idempotency-Key is settled in the background")
        task = asyncio.create_task(_finish_later(sessions, caller, key, response))
        pending.add(task)
        task.add_done_callback(pending.discard)


async def _finish(sessions, caller, key: str, response: store.StoredResponse | None) -> None:
    async with sessions() as session:
        try:
            if response is None:
                await store.release(session, caller, key)
            else:
                await store.complete(session, caller, key, response)
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


async def _finish_later(sessions, caller, key: str, response: store.StoredResponse | None) -> None:
    for _ in range(SETTLE_ATTEMPTS):
        await asyncio.sleep(SETTLE_DELAY)
        try:
            await _finish(sessions, caller, key, response)
            return
        except Exception as exc:  # noqa: BLE001 - a background task has no one to raise to
            if not is_outage(exc):
                log.error("could not settle an Idempotency-Key: %s", type(exc).__name__)
                return
    log.warning("gave up settling an Idempotency-Key: it goes stale by itself")


async def _caller(headers: dict[bytes, bytes]):
    """The caller's id, as `api.deps.get_principal` finds the caller: a bearer token, else an API key."""
    authorization = headers.get(b"authorization")
    try:
        if authorization and authorization.lower().startswith(b"bearer "):
            return (await principal_from_token(authorization[7:].decode("latin-1").strip())).id
        if api_key := headers.get(b"x-api-key"):
            async with session_scope() as session:
                return (await principal_from_api_key(session, api_key.decode("latin-1"))).id
    except AppError:
        return None
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

    async def forward(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": b"".join(self.chunks)})


async def _replay(send: Send, stored: store.StoredResponse) -> None:
    headers = [(k.encode(), v.encode("latin-1")) for k, v in stored.headers.items()]
    headers += [(b"idempotent-replayed", b"true"), (b"content-length", str(len(stored.body)).encode())]
    await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


def _problem(exc: AppError):
    return problem(exc.status, exc.title, exc.detail, errors=exc.errors, type_=exc.type)
