"""Serve the built field app (frontend/dist) at `/`, after every API route.

- `/assets/*` (content-hashed by Vite) is cached for a year, immutable.
- `index.html`, `sw.js` and the other top-level files are `no-cache`: the browser revalidates them,
  so a new release reaches phones on their next visit.
- Any other GET under `/` that is not a file (`/households/…`, `/reports`) returns `index.html`, so a
  deep link survives a reload; the app's router takes it from there.
- `/api/…` is never the app's: an unknown API path still gets the API's problem+json 404. The
  catch-all's path pattern excludes it, so the router never even considers the fallback there.
"""

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import HTTPException
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.convertors import Convertor, register_url_convertor
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


class _HashedAssets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = LONG_CACHE
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

    def _file(path: Path) -> FileResponse:
        hashed = path.parent.name == "assets" or path.name.startswith("workbox-")
        return FileResponse(path, headers={"Cache-Control": LONG_CACHE if hashed else NO_CACHE})

    @app.api_route("/{path:app_path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def field_app(path: str) -> Response:
        if path:
            candidate = (root / path).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                return _file(candidate)
            if "." in path.rsplit("/", 1)[-1]:  # a missing file, not a page of the app
                raise HTTPException(404, "Not Found")
        return FileResponse(index, headers={"Cache-Control": NO_CACHE})

    return True
