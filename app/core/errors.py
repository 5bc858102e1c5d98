"""Application errors: each carries the HTTP-agnostic status the adapter renders as problem+json,
and a stable machine `code` that clients translate (the English `detail` is for developers)."""

from typing import Any, NamedTuple


class Problem(NamedTuple):
    """One field's fault: where, in English, and the code a client shows in its own language."""

    field: str
    msg: str
    code: str = "validation"


class AppError(Exception):
    status = 400
    title = "Bad request"
    code = "bad_request"
    # True when the transaction must still commit, e.g. revoking a token family on reuse.
    keep_changes = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        code: str | None = None,
    ):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        if code is not None:
            self.code = code

    @property
    def type(self) -> str:
        return f"/problems/{self.title.lower().replace(' ', '-')}"


class Unauthorized(AppError):
    status = 401
    title = "Unauthorized"
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    title = "Forbidden"
    code = "forbidden"


class NotFound(AppError):
    status = 404
    title = "Not found"
    code = "not_found"


class Conflict(AppError):
    status = 409
    title = "Conflict"
    code = "conflict"


class PreconditionFailed(AppError):
    status = 412
    title = "Precondition failed"
    code = "version_mismatch"


class Invalid(AppError):
    """A body that parses but breaks a rule; `errors` says which field and why."""

    status = 422
    title = "Validation failed"
    code = "validation"

    def __init__(
        self, detail: str, *, loc: list[str | int] | None = None, errors=None, code: str | None = None
    ):
        code = code or self.code
        errors = errors or ([{"loc": loc, "msg": detail, "code": code}] if loc else None)
        super().__init__(detail, errors=errors, code=code)

    @classmethod
    def fields(cls, problems: list[Problem], prefix: tuple = ("body",)) -> "Invalid":
        """One error per problem, under `prefix` in `loc`; the first problem's code is the whole one's."""
        problems = [Problem(*p) for p in problems]
        errors = [{"loc": [*prefix, p.field], "msg": p.msg, "code": p.code} for p in problems]
        return cls("; ".join(p.msg for p in problems), errors=errors, code=problems[0].code)


class TooManyRequests(AppError):
    status = 429
    title = "Too many requests"
    code = "too_many_requests"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = max(1, int(retry_after))


class TokenReused(Unauthorized):
    code = "token_reused"
    keep_changes = True
