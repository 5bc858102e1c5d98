"""Idempotency-Key on POST, as pure ASGI middleware: a phone replaying its outbox gets the first
response back instead of a second record. Responses are stored before they are sent, so a retry
after any received response replays it."""

import hashlib

from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from app.auth.service import principal_from_token
from app.core.db import session_scope
from app.core.errors import AppError, Conflict, Invalid
from app.idempotency import store

HEADER = b"idempotency-key"
KEPT_HEADERS = {"content-type", "etag", "location"}
MAX_BODY = 25 * 1024 * 1024


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        key = headers.get(HEADER)
        caller = _caller(headers.get(b"authorization"))
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
        if stored is not None:
            return await _replay(send, stored)

        response = _Captured()
        try:
            await self.app(scope, _replaying(body), response.send)
        except BaseException:
            async with session_scope() as session:
                await store.release(session, caller, key_text)
            raise
        async with session_scope() as session:
            if response.status < 500:
                await store.complete(session, caller, key_text, response.stored())
            else:
                await store.release(session, caller, key_text)
        await response.forward(send)


def _caller(authorization: bytes | None):
    if not authorization or not authorization.lower().startswith(b"bearer "):
        return None
    try:
        return principal_from_token(authorization[7:].decode("latin-1").strip()).id
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
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise Invalid("The request body is too large to be made idempotent (25 MB at most)")
        chunks.append(chunk)
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

    def stored(self) -> store.StoredResponse:
        kept = {
            k.decode(): v.decode("latin-1") for k, v in self.headers if k.decode().lower() in KEPT_HEADERS
        }
        return store.StoredResponse(self.status, kept, b"".join(self.chunks))

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
