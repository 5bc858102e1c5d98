"""Application errors: each carries the HTTP-agnostic status the adapter renders as problem+json."""

from typing import Any


class AppError(Exception):
    status = 400
    title = "Bad request"
    # True when the transaction must still commit, e.g. revoking a token family on reuse.
    keep_changes = False

    def __init__(self, detail: str | None = None, *, errors: list[dict[str, Any]] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors

    @property
    def type(self) -> str:
        return f"/problems/{self.title.lower().replace(' ', '-')}"


class Unauthorized(AppError):
    status = 401
    title = "Unauthorized"


class Forbidden(AppError):
    status = 403
    title = "Forbidden"


class NotFound(AppError):
    status = 404
    title = "Not found"


class Conflict(AppError):
    status = 409
    title = "Conflict"


class PreconditionFailed(AppError):
    status = 412
    title = "Precondition failed"


class Invalid(AppError):
    """A body that parses but breaks a rule; `errors` says which field and why."""

    status = 422
    title = "Validation failed"

    def __init__(self, detail: str, *, loc: list[str | int] | None = None, errors=None):
        super().__init__(detail, errors=errors or ([{"loc": loc, "msg": detail}] if loc else None))

    @classmethod
    def fields(cls, problems: list[tuple[str, str]], prefix: tuple = ("body",)) -> "Invalid":
        """One error per (field, message), under `prefix` in `loc`."""
        errors = [{"loc": [*prefix, field], "msg": msg} for field, msg in problems]
        return cls("; ".join(msg for _, msg in problems), errors=errors)


class TooManyRequests(AppError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = max(1, int(retry_after))


class TokenReused(Unauthorized):
    keep_changes = True
