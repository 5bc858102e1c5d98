"""The HTTP adapter: app factory, routers (authenticated by default), errors, offline docs."""

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from api import errors, spa
from api.deps import get_principal
from api.idempotency import IdempotencyMiddleware
from api.routes import (
    activities,
    audit,
    auth,
    campaigns,
    health,
    households,
    kpi,
    members,
    targets,
    teams,
    trainings,
    units,
    users,
)
from app.core.config import get_settings
from app.core.db import db

API_PREFIX = "/api/v1"
DESCRIPTION = (Path(__file__).parent / "description.md").read_text(encoding="utf-8")


@asynccontextmanager
async def lifespan(_: FastAPI):
    yield
    await db.dispose()


def operation_id(route: APIRoute) -> str:
    """Stable operation ids: the route function's name, which is unique across the app."""
    return route.name


def create_app() -> FastAPI:
    settings = get_settings()
    settings.check_production()
    logging.basicConfig(level=logging.INFO)
    app = FastAPIOffline(
        title="Tổ công nghệ số cộng đồng — API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        swagger_ui_parameters={"persistAuthorization": True},
    )
    errors.install(app)
    app.add_middleware(IdempotencyMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "Retry-After"],
        )

    app.include_router(health.router)
    open_api = APIRouter(prefix=API_PREFIX)
    open_api.include_router(auth.public)
    app.include_router(open_api)

    # Everything else requires a caller: authentication is the default, not something to remember.
    private = APIRouter(prefix=API_PREFIX, dependencies=[Depends(get_principal)])
    for module in (
        auth,
        units,
        users,
        households,
        teams,
        members,
        trainings,
        targets,
        kpi,
        campaigns,
        activities,
        audit,
    ):
        private.include_router(module.router)
    app.include_router(private)
    spa.install_spa(app)  # the built field app at `/`, when frontend/dist exists; keep last
    return app
