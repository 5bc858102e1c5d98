"""Serve the built field app (frontend/dist) at `/`, after every API route.

- `/assets/*` (content-hashed by Vite) is cached for a year, immutable.
- `index.html`, `sw.js` and the other top-level files are `no-cache`: the browser revalidates them,
  so a new release reaches phones on their next visit.
- Any other GET under `/` that is not a file (`/households/…`, `/reports`) returns `index.html`, so a
  deep link survives a reload; the app's router takes it from there.
- A pre-compressed `name.gz` beside a file (the build writes them) is sent to browsers that accept
  gzip, with `Content-Encoding: gzip`: a third of the bytes on a slow rural connection.
- `/api/…` is never the app's: an unknown API path still gets the API's problem+json 404. The
  catch-all's path pattern excludes it, so the router never even considers the fallback there.
"""

import mimetypes
import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

DEFAULT_DIST = Path(__file__).resolve().parents[1] / "frontend" / "dist"
LONG_CACHE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# Paths that belong to the server, never to the app's router.
RESERVED = ("api", "docs", "redoc", "openapi.json", "healthz", "readyz", "static-offline-docs")


class _AppPath(Convertor):
    """Any path that does not start with a reserved segment such as `api/`."""

    regex = r"(?!(?:" + "|".join(p.replace(".", r"\.") for p in RESERVED) + r")(?:/|$)).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("app_path", _AppPath())


mimetypes.add_type("application/manifest+json", ".webmanifest")


def _accepts_gzip(scope: Scope) -> bool:
    return "gzip" in Headers(scope=scope).get("accept-encoding", "").lower()


def _media_type(path: Path | str) -> str:
    return mimetypes.guess_type(str(path))[0] or "application/octet-stream"


class _HashedAssets(StaticFiles):
    """Vite's content-hashed files: cached for a year, gzipped when the build left a `.gz`."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if _accepts_gzip(scope):
            full_path, stat = self.lookup_path(path + ".gz")
            if stat is not None and full_path:
                return FileResponse(
                    full_path,
                    stat_result=stat,
                    media_type=_media_type(path),
                    headers={
                        "Cache-Control": LONG_CACHE,
                        "Content-Encoding": "gzip",
                        "Vary": "Accept-Encoding",
                    },
                )
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = LONG_CACHE
            response.headers["Vary"] = "Accept-Encoding"
        return response


def dist_dir(dist: Path | str | None = None) -> Path:
    """The build to serve: the argument, else `FRONTEND_DIST`, else `frontend/dist`."""
    return Path(dist or os.environ.get("FRONTEND_DIST") or DEFAULT_DIST).resolve()


def install_spa(app: FastAPI, dist: Path | str | None = None) -> bool:
    """Serve the field app from `dist` when it holds an `index.html`; False (nothing added) otherwise.

    Call it last in `create_app()`, so every API route is matched first.
    """
    root = dist_dir(dist)
    index = root / "index.html"
    if not index.is_file():
        return False
    app.mount("/assets", _HashedAssets(directory=root / "assets", check_dir=False), name="spa-assets")

    def _file(path: Path, request: Request) -> FileResponse:
        hashed = path.parent.name == "assets" or path.name.startswith("workbox-")
        headers = {"Cache-Control": LONG_CACHE if hashed else NO_CACHE, "Vary": "Accept-Encoding"}
        packed = path.with_name(path.name + ".gz")
        if _accepts_gzip(request.scope) and packed.is_file():
            headers["Content-Encoding"] = "gzip"
            return FileResponse(packed, media_type=_media_type(path), headers=headers)
        return FileResponse(path, media_type=_media_type(path), headers=headers)

    @app.api_route("/{path:app_path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def field_app(path: str, request: Request) -> Response:
        if path:
            candidate = (root / path).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                return _file(candidate, request)
            if "." in path.rsplit("/", 1)[-1]:  # a missing file, not a page of the app
                raise HTTPException(404, "Not Found")
        return _file(index, request)

    return True
