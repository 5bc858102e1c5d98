"""Security headers on every response, as pure ASGI middleware (outermost but for Starlette's own
last-resort 500, which `api.errors` gives the same headers).

- `Content-Security-Policy`: only this server's own scripts, styles, images, workers (the field app's
  service worker) and connections; no `unsafe-eval`, no inline script; never framed. A response
  that brings its own policy keeps it: the docs pages allow their inline scripts by hash
  (`api.docs`).
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (URLs hold record ids),
  `X-Frame-Options: DENY` for browsers without `frame-ancestors`.
- `Strict-Transport-Security` when `hsts_seconds` says the app is only reached over HTTPS.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = b"content-security-policy"
POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def security_headers(hsts_seconds: int = 0) -> dict[str, str]:
    """Every header but the policy, for responses made outside the middleware."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }
    if hsts_seconds:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts_seconds: int = 0) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in security_headers(hsts_seconds).items()]
        self.policy = (CSP, POLICY.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), *self.headers]
                if not any(name == CSP for name, _ in headers):
                    headers.append(self.policy)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_secured)
