"""Request id, metrics and the access log in one pure ASGI middleware (no BaseHTTPMiddleware: it
costs a task and a stream per request), and `/metrics` for Prometheus.

- `X-Request-ID`: the caller's, when it is 1–64 characters of `[A-Za-z0-9._-]`, else a new one;
  returned on every response and carried by every log line of the request.
- Metrics by route template (`/api/v1/households/{household_id}`), never by raw path, so the label
  set stays small and no id or search text leaks into it; unmatched paths count as `unmatched`.
- One access log line per request: method, route template, status, duration. Never the query
  string (a search may be a phone number), the body, the client's credentials or a username.
- `GET /metrics` is answered here, before routing: it asks for `Authorization: Bearer <METRICS_TOKEN>`
  when that setting is set; without it, it is open in development and closed in production.
"""

import hmac
import logging
import random
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics
from app.core.logs import request_id

HEADER = b"x-request-id"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"
REPLAYED = b"idempotent-replayed"
access = logging.getLogger("api.access")


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/api/v1/households/{household_id}`).

    A route included under a prefix knows only its own part (`/households/{household_id}`): the
    prefix is what the request path has before that part, rendered with the path parameters.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(template, str):
        return UNMATCHED
    params = scope.get("path_params")
    try:
        rendered = template.format(**params) if params else template
    except (KeyError, IndexError, ValueError):
        return template
    path = scope.get("path", "")
    if rendered and path.endswith(rendered):
        return path[: len(path) - len(rendered)] + template
    return template


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == HEADER:
            text = value.decode("latin-1")
            if SANE_ID.fullmatch(text):
                return text
            break
    # 128 random bits, as a uuid4's hex: from the process's own generator (seeded from the system's),
    # not a system call per request. An id to find a request's lines by, not a secret.
    return f"{random.getrandbits(128):032x}"


class ObservabilityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        access_log: bool = True,
        metrics_token: str | None = None,
        metrics_need_token: bool = False,
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.metrics_token = metrics_token
        self.metrics_closed = metrics_need_token and not metrics_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"] == METRICS_PATH:
            return await self._metrics(scope, send)
        rid = _request_id(scope)
        header = (HEADER, rid.encode("latin-1"))
        state = scope.setdefault("state", {})
        state["request_id"] = rid  # for the last-resort 500 handler, which runs outside this one
        token = request_id.set(rid)
        status = 500  # unless a response starts: an exception escaped to the server
        headers: list = []
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            if route == UNMATCHED and (REPLAYED, b"true") in headers:
                route = "replayed"  # answered by the Idempotency-Key store: no route ran
            metrics.observe_request(scope["method"], route, status, seconds)
            if self.access_log and access.isEnabledFor(logging.INFO):
                access.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                    },
                )
            request_id.reset(token)

    async def _metrics(self, scope: Scope, send: Send) -> None:
        if self.metrics_closed or (self.metrics_token and not _bearer_matches(scope, self.metrics_token)):
            ask = b"Set METRICS_TOKEN, then send" if self.metrics_closed else b"Send"
            body = (
                b'{"type":"about:blank","title":"Unauthorized","status":401,'
                b'"detail":"' + ask + b' Authorization: Bearer <METRICS_TOKEN>"}'
            )
            headers = [(b"content-type", b"application/problem+json"), (b"www-authenticate", b"Bearer")]
            status = 401
        elif scope["method"] not in ("GET", "HEAD"):
            body = b'{"type":"about:blank","title":"Method not allowed","status":405,"detail":"GET only"}'
            headers = [(b"content-type", b"application/problem+json"), (b"allow", b"GET")]
            status = 405
        else:
            body = metrics.render()
            headers = [(b"content-type", metrics.CONTENT_TYPE.encode()), (b"cache-control", b"no-store")]
            status = 200
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""})


def _bearer_matches(scope: Scope, expected: str) -> bool:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), expected.encode())
    return False
