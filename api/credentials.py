"""Who is calling: a bearer token, else an API key, read from the request's headers in one place for
the caller's dependency (`api.deps.get_principal`) and the Idempotency-Key middleware, which needs
the caller before the route runs.

Read straight from the headers, not through FastAPI's security dependencies: those were two more
dependencies to solve, twice, on every request (a recorded activity's route took its caller both
from its router and as a parameter; issue 22). The docs still offer both ways to sign in:
`declare_schemes` writes them into the OpenAPI document of every route that needs a caller.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from app.api_keys.service import authenticate as principal_from_api_key
from app.auth.principals import principal_from_token
from app.authz.principal import Principal
from app.core.db import session_scope
from app.core.errors import Unauthorized

# The two schemes as the docs describe them (FastAPI's own models: the document is unchanged).
SCHEMES = {
    "OAuth2PasswordBearer": OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token"),
    "APIKeyHeader": APIKeyHeader(
        name="X-API-Key",
        description="An integration's API key, `cnscd_<prefix>_<secret>` (see `/api/v1/api-keys`)",
    ),
}


async def authenticate(headers: Mapping[bytes, bytes]) -> Principal:
    """The caller of a request with these headers (lower-case names, as ASGI gives them); 401 when
    it sends neither credential or one that is not valid."""
    authorization = headers.get(b"authorization")
    if authorization and authorization[:7].lower() == b"bearer ":
        return await principal_from_token(authorization[7:].decode("latin-1").strip())
    if api_key := headers.get(b"x-api-key"):
        async with session_scope() as session:  # its own: `last_used_at` does not ride on the request's
            return await principal_from_api_key(session, api_key.decode("latin-1"))
    raise Unauthorized("Sign in first: send Authorization: Bearer <access token>, or X-API-Key")


def declare_schemes(app: FastAPI, routers: Iterable[APIRouter], prefix: str) -> None:
    """The app's OpenAPI document names both schemes, and every operation of `routers` (included
    under `prefix`, each needing a caller) accepts either."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        document.setdefault("components", {})["securitySchemes"] = {
            name: jsonable_encoder(scheme.model, by_alias=True, exclude_none=True)
            for name, scheme in SCHEMES.items()
        }
        either = [{name: []} for name in SCHEMES]
        for router in routers:
            for route in iter_route_contexts(router.routes):  # with the routers included in it
                if isinstance(route.original_route, APIRoute) and route.include_in_schema:
                    operations = document["paths"][prefix + route.path_format]
                    for method in route.methods:
                        operations[method.lower()]["security"] = either
        return document

    app.openapi = openapi  # type: ignore[method-assign]
