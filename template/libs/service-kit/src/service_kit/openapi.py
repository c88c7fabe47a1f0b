"""The OpenAPI document a service publishes: every error it can answer, as problem details.

FastAPI documents only what a route declares, plus its own 422 body (`HTTPValidationError`)
that no service here returns. `create_service_app` installs `document_problems`, which
completes each operation with the errors the platform's shared machinery produces:

- 400 for a body that is not well-formed (FastAPI's "error parsing the body");
- 413 for a body over the size limit (`BodySizeLimitMiddleware`);
- 422 for a request that fails validation, with the `errors` list the handler sends;
- 401, 403 and 503 for an operation that requires a bearer token (`service_kit.auth`:
  no or a bad token, a missing scope, the auth service's keys out of reach).

A route's own entries win: it declares what only it knows (404, 409, a 503 of its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from .errors import PROBLEM_CONTENT_TYPE, ProblemDetails

Document = dict[str, Any]

PROBLEM_SCHEMA = "ProblemDetails"
VALIDATION_PROBLEM_SCHEMA = "ValidationProblemDetails"
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# FastAPI's default 422 body; nothing here answers with it.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

_BODY_ERRORS: dict[int, str] = {
    HTTPStatus.BAD_REQUEST: "The body is not well-formed (not JSON, or not a form).",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "The body is larger than the route accepts.",
}
_TOKEN_ERRORS: dict[int, str] = {
    HTTPStatus.UNAUTHORIZED: "No bearer token, or one that is not valid; see `WWW-Authenticate`.",
    HTTPStatus.FORBIDDEN: "The token lacks a scope the operation requires.",
    HTTPStatus.SERVICE_UNAVAILABLE: "The service cannot answer now (for example, the auth "
    "service's keys are out of reach); retry later.",
}
_VALIDATION_ERROR = "The request is not valid; `errors` says where, when the framework found it."


class ValidationErrorDetail(BaseModel):
    """One reason a request failed validation."""

    loc: list[str | int] = Field(
        description="Where: `body`, `query`, `path` or `header`, then field names"
    )
    msg: str
    type: str


class ValidationProblemDetails(ProblemDetails):
    """RFC 9457 problem details of a request that failed validation."""

    errors: list[ValidationErrorDetail] | None = None


def problem_content(schema: str = PROBLEM_SCHEMA) -> dict[str, Any]:
    """An OpenAPI `content` entry for a problem details body."""
    return {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def problem_responses(
    *statuses: int, descriptions: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for error statuses, typed `application/problem+json`."""
    described = descriptions or {}
    return {
        status: {
            "description": described.get(status, HTTPStatus(status).phrase),
            "content": problem_content(_schema_for(status)),
        }
        for status in statuses
    }


def _schema_for(status: int) -> str:
    if status == HTTPStatus.UNPROCESSABLE_ENTITY:
        return VALIDATION_PROBLEM_SCHEMA
    return PROBLEM_SCHEMA


def document_problems(document: Document) -> Document:
    """Complete every operation of `document` with the errors listed in the module
    docstring, and replace FastAPI's 422 body with problem details. Changes `document`."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, model in (
        (PROBLEM_SCHEMA, ProblemDetails),
        (VALIDATION_PROBLEM_SCHEMA, ValidationProblemDetails),
    ):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[name] = schema
    for operation in _operations(document):
        responses: dict[str, Any] = operation.setdefault("responses", {})
        extra: dict[int, str] = {}
        if "requestBody" in operation:
            extra.update(_BODY_ERRORS)
        if operation.get("security"):
            extra.update(_TOKEN_ERRORS)
        for status, description in extra.items():
            responses.setdefault(
                str(status), {"description": description, "content": problem_content()}
            )
        validation = responses.get(str(HTTPStatus.UNPROCESSABLE_ENTITY))
        if validation is not None or operation.get("parameters") or "requestBody" in operation:
            description = (validation or {}).get("description", _VALIDATION_ERROR)
            if description == "Validation Error":  # FastAPI's wording for its own body
                description = _VALIDATION_ERROR
            responses[str(HTTPStatus.UNPROCESSABLE_ENTITY)] = {
                "description": description,
                "content": problem_content(VALIDATION_PROBLEM_SCHEMA),
            }
        operation["responses"] = dict(sorted(responses.items()))
    if not _references(document, _FASTAPI_VALIDATION_SCHEMAS):
        for name in _FASTAPI_VALIDATION_SCHEMAS:
            components.pop(name, None)
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve `document_problems` applied to FastAPI's document (built once, on first use)."""
    build = app.openapi

    def openapi() -> Document:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _operations(document: Document) -> Iterable[dict[str, Any]]:
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method in _HTTP_METHODS:
                yield operation


def _references(document: Document, names: tuple[str, ...]) -> bool:
    """Whether anything but the schemas `names` refers to one of them."""
    targets = {f"#/components/schemas/{name}" for name in names}
    paths_and_others = {key: value for key, value in document.items() if key != "components"}
    others = {
        name: schema
        for name, schema in document.get("components", {}).get("schemas", {}).items()
        if name not in names
    }

    def walk(node: object) -> bool:
        if isinstance(node, dict):
            return node.get("$ref") in targets or any(walk(value) for value in node.values())
        if isinstance(node, list):
            return any(walk(value) for value in node)
        return False

    return walk(paths_and_others) or walk(others)
