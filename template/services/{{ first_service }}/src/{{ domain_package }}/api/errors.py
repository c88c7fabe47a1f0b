"""Domain errors as RFC 9457 problem details, and their OpenAPI documentation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel
from service_kit import problem_response

from ..domain.errors import (
    DomainError,
    DuplicateSkuError,
    IdempotencyKeyReusedError,
    InvalidItemError,
    ItemNotFoundError,
    VersionConflictError,
)
from .cursor import InvalidCursorError

# Most specific first: the first matching class decides the status.
_STATUS_BY_ERROR: tuple[tuple[type[Exception], HTTPStatus], ...] = (
    (ItemNotFoundError, HTTPStatus.NOT_FOUND),
    (DuplicateSkuError, HTTPStatus.CONFLICT),
    (VersionConflictError, HTTPStatus.CONFLICT),
    (IdempotencyKeyReusedError, HTTPStatus.UNPROCESSABLE_ENTITY),
    (InvalidItemError, HTTPStatus.UNPROCESSABLE_ENTITY),
    (InvalidCursorError, HTTPStatus.BAD_REQUEST),
)


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for error statuses, typed `application/problem+json`."""
    schema = Problem.model_json_schema()
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {"application/problem+json": {"schema": schema}},
        }
        for status in statuses
    }


def _handler(status: HTTPStatus) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        return problem_response(status, detail=str(exc), instance=request.url.path)

    return handle


def install_error_handlers(app: FastAPI) -> None:
    for error, status in _STATUS_BY_ERROR:
        app.add_exception_handler(error, _handler(status))
    # Any other domain error is still the client's doing, never a server fault.
    app.add_exception_handler(DomainError, _handler(HTTPStatus.UNPROCESSABLE_ENTITY))
