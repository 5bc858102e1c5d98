"""Every error leaves as application/problem+json (RFC 9457): no stack trace, no SQL, ever."""

import logging
import time
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from api import problems
from api.security_headers import POLICY, security_headers
from app.core import metrics
from app.core.config import get_settings
from app.core.db import error_chain, is_outage, sqlstate
from app.core.errors import AppError, TooManyRequests, Unauthorized
from app.core.logs import request_id, where

log = logging.getLogger("api.errors")
PROBLEM = "application/problem+json"
RETRY_AFTER_OUTAGE = "5"
DATA_SQLSTATE = "22"  # PostgreSQL's class 22, data exception: out of range, malformed, too long
# The machine code of a problem raised by no AppError (which carries its own): by HTTP status.
CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation",
    429: "too_many_requests",
    503: "unavailable",
}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers=None,
    type_=None,
    code: str | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_ or "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code or CODES.get(status, "error"),
    }
    if errors:
        body["errors"] = errors
    # RFC 9457 extension members an error carries (`successor` of a closed unit): after the standard
    # ones, never in their place.
    body |= {k: v for k, v in (extensions or {}).items() if k not in body}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _app_error(_: Request, exc: AppError) -> JSONResponse:
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        errors=exc.errors,
        headers=headers,
        type_=exc.type,
        code=exc.code,
        extensions=getattr(exc, "extensions", None),
    )


def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", "invalid"), "code": e.get("type", "validation")}
        for e in exc.errors()
    ]
    return problem(422, "Validation failed", "The request is not valid: see errors", errors=errors)


def _http(_: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 400:  # a body that cannot be parsed (not UTF-8, broken multipart): a bad body
        error = {"loc": ["body"], "msg": str(exc.detail), "code": "malformed"}
        return problem(422, "Validation failed", str(exc.detail), errors=[error])
    titles = {
        401: "Unauthorized",
        404: "Not found",
        405: "Method not allowed",
        413: "Content too large",
        415: "Unsupported media type",
    }
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


def is_bad_value(exc: BaseException) -> bool:
    """A value from the request (any parameter) that the database or its driver refuses as out of
    range or malformed: a date past what a type holds, an integer over 64 bits, a string too long.
    The request is at fault, so it is a 422, never a 500."""
    for seen in error_chain(exc):
        if isinstance(seen, OverflowError | DataError) or sqlstate(seen).startswith(DATA_SQLSTATE):
            return True
        if isinstance(seen, asyncpg.InterfaceError) and isinstance(seen, ValueError):
            return True  # asyncpg's own DataError: an argument it cannot encode
    return False


class _OutageLog:
    """One warning per outage, then one every `EVERY` seconds with the count: not one per request."""

    EVERY = 10.0

    def __init__(self) -> None:
        self.last, self.count = 0.0, 0

    def __call__(self, exc: BaseException | None) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.last >= self.EVERY:
            name = type(exc).__name__ if exc is not None else "unknown"
            log.warning("database unavailable (%s): %d requests answered 503", name, self.count)
            self.last, self.count = now, 0


_outage_log = _OutageLog()


def unavailable(exc: BaseException | None = None) -> JSONResponse:
    """The 503 a request gets while the database is unreachable, or every pooled connection is busy
    (load, not an outage): clear, quick, and retryable."""
    metrics.DATABASE_UNAVAILABLE.inc()
    _outage_log(exc)
    busy = exc is not None and any(isinstance(seen, PoolTimeout) for seen in error_chain(exc))
    return problem(
        503,
        "Service unavailable",
        f"The {'server is busy' if busy else 'database is not reachable'}: try again shortly",
        headers={"Retry-After": RETRY_AFTER_OUTAGE},
    )


def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    return unavailable(exc)


def _database(request: Request, exc: Exception) -> JSONResponse:
    """An error of the database or its driver, wrapped by SQLAlchemy or not (asyncpg raises its own
    while connecting; SQLite's driver raises OverflowError for an integer over 64 bits)."""
    if is_outage(exc):
        return _unavailable(request, exc)
    if is_bad_value(exc):
        log.info("value refused by the database: %s", type(exc).__name__)
        return problem(422, "Validation failed", "A value is out of range or malformed for the database")
    log.error("database error: %s at %s", type(exc).__name__, where(exc))
    return problem(500, "Internal error", "The request failed; it has been logged")


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Last resort (Starlette's ServerErrorMiddleware, outside every other middleware): a database
    outage that surfaced there is still a 503; anything else is a 500 with the request id to quote."""
    if is_outage(exc):
        return _unavailable(request, exc)
    log.error("unhandled %s at %s", type(exc).__name__, where(exc), exc_info=exc)
    # Outside every middleware: the request id and the security headers are added here.
    headers = security_headers(get_settings().hsts_seconds) | {"Content-Security-Policy": POLICY}
    if rid := request.scope.get("state", {}).get("request_id") or request_id.get():
        headers["X-Request-ID"] = rid
    return problem(500, "Internal error", "The request failed; it has been logged", headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(IntegrityError, _integrity)
    for database_error in (StatementError, OverflowError, asyncpg.PostgresError, asyncpg.InterfaceError):
        app.add_exception_handler(database_error, _database)
    app.add_exception_handler(PoolTimeout, _unavailable)
    app.add_exception_handler(OSError, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
    problems.document(app)
