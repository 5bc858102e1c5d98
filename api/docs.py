"""The API's docs, served by the app itself so they work on an offline intranet: Swagger UI at
`/docs` and ReDoc at `/redoc`, from fastapi-offline's copies of their assets.

- Each page carries its own Content-Security-Policy: this server's scripts, plus the page's inline
  script by its SHA-256 (no `unsafe-inline`, no `unsafe-eval`); inline styles, which Swagger UI and
  ReDoc set at run time.
- ReDoc's bundle renders a logo from `cdn.redoc.ly` in its menu: it is served here with that
  address replaced by the docs' own icon, so the page asks nothing of the internet.
"""

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response

ASSETS = "/static-offline-docs"  # fastapi-offline's mount
REDOC_JS = "/docs/redoc.standalone.js"
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
POLICY = (
    "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    scripts = ["'self'"] + [
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(page.body)
    ]
    page.headers["Content-Security-Policy"] = POLICY.format(scripts=" ".join(scripts))
    return page


@lru_cache
def _redoc_bundle() -> bytes:
    path = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
    return path.read_bytes().replace(REDOC_LOGO, f"{ASSETS.lstrip('/')}/favicon.png".encode())


def install(app: FastAPI) -> None:
    """The docs routes (create the app with `docs_url=None, redoc_url=None`: these replace them)."""
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _with_policy(
            get_swagger_ui_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{title} - Swagger UI",
                oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
                swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        )

    @app.get(app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return _with_policy(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _with_policy(
            get_redoc_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{title} - ReDoc",
                redoc_js_url=f"{root}{REDOC_JS}",
                with_google_fonts=False,
                redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
            )
        )

    @app.get(REDOC_JS, include_in_schema=False)
    async def redoc_bundle() -> Response:
        return Response(_redoc_bundle(), media_type="text/javascript", headers={"Cache-Control": "no-cache"})
