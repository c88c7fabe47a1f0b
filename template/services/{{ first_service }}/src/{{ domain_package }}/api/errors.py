"""Domain errors as RFC 9457 problem details (documented per route with
`service_kit.openapi.problem_responses`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus

from fastapi import FastAPI, Request, Response
from service_kit import problem_response

from ..domain.errors import (
    DomainError,
    DuplicateSkuError,
    IdempotencyKeyReusedError,
    IdempotentItemGoneError,
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
    # The draft's SHOULD for a key reused with another body is 422; 409 says what it is,
    # a conflict with the state the key recorded, and 422 stays for invalid requests.
    (IdempotencyKeyReusedError, HTTPStatus.CONFLICT),
    (IdempotentItemGoneError, HTTPStatus.CONFLICT),
    (InvalidItemError, HTTPStatus.UNPROCESSABLE_ENTITY),
    (InvalidCursorError, HTTPStatus.BAD_REQUEST),
)


def _handler(status: HTTPStatus) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        return problem_response(status, detail=str(exc), instance=request.url.path)

    return handle


def install_error_handlers(app: FastAPI) -> None:
    for error, status in _STATUS_BY_ERROR:
        app.add_exception_handler(error, _handler(status))
    # Any other domain error is still the client's doing, never a server fault.
    app.add_exception_handler(DomainError, _handler(HTTPStatus.UNPROCESSABLE_ENTITY))
