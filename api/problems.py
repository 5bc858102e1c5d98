"""The OpenAPI document says what every error really is: `application/problem+json` (RFC 9457).

FastAPI documents a 422 `HTTPValidationError` (`{"detail": [...]}` as `application/json`) that this
API never sends; clients generating types from `openapi/openapi.json` would get the errors wrong, and
schemathesis could not check them. Every operation gets `4XX` and `5XX` problem responses instead,
and its documented error codes (422, 401, 409…) the problem schema.
"""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

PROBLEM = "application/problem+json"
REF = "#/components/schemas/{model}"


class ProblemError(BaseModel):
    loc: list[str | int] = Field(description='Where: `["body", "unit_id"]`, `["query", "period"]`, …')
    msg: str
    code: str = Field(
        default="validation",
        description="A stable machine code for the fault (`household.exceeds_adults`, `missing`, …)",
    )


class Problem(BaseModel):
    """An error (RFC 9457 problem details). Never a stack trace, never SQL."""

    type: str = Field(description="A URI reference naming the kind of problem, or `about:blank`")
    title: str
    status: int
    detail: str = Field(description="For developers, in English: clients show their own text for `code`")
    code: str = Field(
        description="A stable machine code (`not_found`, `forbidden`, `version_mismatch`, "
        "`household.code_taken`, …): what a client translates"
    )
    errors: list[ProblemError] = Field(
        default_factory=list, description="On validation errors: each field that is wrong, and why"
    )


def _content() -> dict[str, Any]:
    return {PROBLEM: {"schema": {"$ref": REF.format(model="Problem")}}}


def document(app: FastAPI) -> None:
    """Wrap `app.openapi` so the generated document describes errors as problem details."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        components.update(Problem.model_json_schema(ref_template=REF)["$defs"])
        components["Problem"] = {
            k: v for k, v in Problem.model_json_schema(ref_template=REF).items() if k != "$defs"
        }
        for path, item in schema.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for status, response in responses.items():
                    if status[0] in "45" and (status == "422" or not response.get("content")):
                        response["content"] = _content()
                        if status == "422":
                            response["description"] = "Validation failed: `errors` says where"
                responses.setdefault(
                    "4XX", {"description": "A problem with the request", "content": _content()}
                )
                responses.setdefault("5XX", {"description": "A problem on the server", "content": _content()})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
