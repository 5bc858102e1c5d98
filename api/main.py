"""The HTTP adapter: app factory, routers (authenticated by default), errors, offline docs."""

import asyncio
import contextlib
import gc
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from api import docs, errors, spa
from api.body_limit import BodyLimitMiddleware, upload_paths
from api.credentials import declare_schemes
from api.deps import get_principal
from api.idempotency import IdempotencyMiddleware
from api.observability import ObservabilityMiddleware
from api.ratelimit import limit_address
from api.routes import (
    activities,
    api_keys,
    audit,
    auth,
    awards,
    campaigns,
    health,
    households,
    kpi,
    learning,
    members,
    privacy,
    targets,
    teams,
    trainings,
    units,
    users,
    vneid,
)
from api.security_headers import SecurityHeadersMiddleware
from app.core.config import get_settings
from app.core.db import db
from app.core.logs import configure_logging
from app.core.throttle import throttle
from app.kpi import rollups
from app.privacy import access as access_log

API_PREFIX = "/api/v1"
DESCRIPTION = (Path(__file__).parent / "description.md").read_text(encoding="utf-8")


@asynccontextmanager
async def lifespan(_: FastAPI):
    # What the process built to serve (modules, routes, schemas, tables: ~200,000 objects) lives as
    # long as it does: out of the cyclic collector's sight, whose full passes over it stalled every
    # request in flight for ~100 ms here (bench/README.md, issue 22).
    gc.collect()
    gc.freeze()
    background = [
        asyncio.create_task(access_log.keep_flushing()),
        asyncio.create_task(rollups.keep_folding()),
    ]
    yield
    for task in background:
        task.cancel()
    with contextlib.suppress(Exception):  # logged: what could not be written is lost (its bound)
        await access_log.flush()
    await db.dispose()
    await throttle.close()


def operation_id(route: APIRoute) -> str:
    """Stable operation ids: the route function's name, which is unique across the app."""
    return route.name


def create_app() -> FastAPI:
    settings = get_settings()
    settings.check_production()
    configure_logging(settings.json_logs, settings.log_level)
    app = FastAPIOffline(
        title="Tổ công nghệ số cộng đồng — API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        swagger_ui_parameters={"persistAuthorization": True},
        # FastAPI's own OpenTelemetry hooks asked for the global providers on every request (~20 µs
        # of a recorded activity, issue 22); the app's metrics and logs are its own (api.observability).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url=None,  # api.docs serves them, under a CSP
        redoc_url=None,
    )
    errors.install(app)
    docs.install(app)

    app.include_router(health.router)
    # Everything else requires a caller: authentication is the default, not something to remember
    # (get_principal also takes the caller's rate limit). Each router is included on its own, the
    # field's hottest first: FastAPI tries a request against every route of each router it passes,
    # once to choose and again inside the chosen one, so nesting them all under one more router, with
    # the activities ninth, cost a recorded activity ~0.9 ms of its ~8 ms (issue 22).
    authenticated = [
        module.router
        for module in [
            activities,
            households,
            campaigns,
            kpi,
            members,
            teams,
            units,
            trainings,
            targets,
            awards,
            learning,
            auth,
            users,
            audit,
            privacy,
            api_keys,
            vneid,
        ]
    ]
    for router in authenticated:
        app.include_router(router, prefix=API_PREFIX, dependencies=[Depends(get_principal)])
    declare_schemes(app, authenticated, API_PREFIX)
    # The open routes (signing in) are rate limited per client address.
    app.include_router(auth.public, prefix=API_PREFIX, dependencies=[Depends(limit_address)])

    # Middleware, innermost first (each one added wraps the ones before it).
    app.add_middleware(IdempotencyMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "Retry-After", "X-Request-ID"],
        )
    # Outside everything that reads a body (the Idempotency-Key store, parsing, authentication).
    app.add_middleware(BodyLimitMiddleware, uploads=upload_paths(app))
    # The request id, metrics and access log see every request and every answer.
    app.add_middleware(
        ObservabilityMiddleware,
        access_log=settings.access_log,
        metrics_token=settings.metrics_token,
        metrics_need_token=settings.environment == "production",
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts_seconds=settings.hsts_seconds)
    spa.install_spa(app)  # the built field app at `/`, when frontend/dist exists; keep last
    return app
