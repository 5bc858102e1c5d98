"""Every error leaves as application/problem+json (RFC 9457): no stack trace, no SQL, ever."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from app.core.errors import AppError, TooManyRequests, Unauthorized

log = logging.getLogger("api.errors")
PROBLEM = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers=None,
    type_=None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_ or "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _app_error(_: Request, exc: AppError) -> JSONResponse:
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(exc.status, exc.title, exc.detail, errors=exc.errors, headers=headers, type_=exc.type)


def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "invalid")} for e in exc.errors()]
    return problem(422, "Validation failed", "The request is not valid: see errors", errors=errors)


def _http(_: Request, exc: HTTPException) -> JSONResponse:
    titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 415: "Unsupported media type"}
    return problem(
        exc.status_code,
        titles.get(exc.status_code, "Error"),
        str(exc.detail),
        headers=getattr(exc, "headers", None),
    )


def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
    log.info("integrity error: %s", type(exc.orig).__name__)
    return problem(
        409, "Conflict", "The change conflicts with existing data (a duplicate or a missing reference)"
    )


def _data(_: Request, exc: DataError) -> JSONResponse:
    log.info("data error: %s", type(exc.orig).__name__)
    return problem(422, "Validation failed", "A value is out of range or malformed for the database")


def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    return problem(
        503,
        "Service unavailable",
        "The database is not reachable: try again shortly",
        headers={"Retry-After": "5"},
    )


def _database(request: Request, exc: DBAPIError) -> JSONResponse:
    if exc.connection_invalidated or isinstance(exc, OperationalError):
        return _unavailable(request, exc)
    log.error("database error: %s", type(exc.orig).__name__)
    return problem(500, "Internal error", "The request failed; it has been logged")


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error")
    return problem(500, "Internal error", "The request failed; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DataError, _data)
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(PoolTimeout, _unavailable)
    app.add_exception_handler(OSError, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
