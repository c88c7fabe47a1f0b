"""RFC 9457 problem details (`application/problem+json`) for every error a service returns."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_CONTENT_TYPE = "application/problem+json"
# The methods a 405's `Allow` may name, in the order it names them.
_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")

_logger = structlog.stdlib.get_logger("service_kit.errors")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_CONTENT_TYPE


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, for documenting error responses in OpenAPI."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


def problem_response(
    status: int,
    *,
    detail: str | None = None,
    title: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    """Build a problem details response.

    `type` stays `about:blank` unless the caller has a documented problem type, in which
    case the title is that type's summary (RFC 9457 section 4.2.1).
    """
    body: dict[str, Any] = {
        "type": type_,
        "title": title or _phrase(status),
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update(jsonable_encoder(extensions))
    return ProblemResponse(body, status_code=status, headers=dict(headers or {}))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _http_exception_handler(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for this type only
    # FastAPI's HTTPException accepts any JSON-able detail, Starlette's only a string.
    raw_detail: Any = exc.detail
    extensions: dict[str, Any] = {}
    detail: str | None = None
    if isinstance(raw_detail, str):
        # Starlette fills detail with the status phrase when none was given; skip the echo.
        detail = None if raw_detail == _phrase(exc.status_code) else raw_detail
    elif isinstance(raw_detail, Mapping):
        # A mapping detail carries problem members (detail, title, type, extensions).
        extensions = dict(raw_detail)
    elif raw_detail is not None:
        extensions = {"detail": raw_detail}
    title = extensions.pop("title", None)
    type_ = extensions.pop("type", "about:blank")
    if "detail" in extensions and isinstance(extensions["detail"], str):
        detail = extensions.pop("detail")
    headers = dict(exc.headers or {})
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem_response(
        exc.status_code,
        detail=detail,
        title=title,
        type_=type_,
        instance=request.url.path,
        headers=headers,
        **extensions,
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (RFC 9110 section 10.2.1).

    Starlette's 405 names only the methods of the first route matching the path, while
    `GET /v1/items` and `POST /v1/items` are two routes: its `Allow` left one of them out.
    Each method is tried against the app's routes the way routing itself matches them.
    """
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]


async def _validation_exception_handler(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type only
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg"), "type": error.get("type")}
        for error in exc.errors()
    ]
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        detail="The request is not valid; see `errors`.",
        instance=request.url.path,
        errors=errors,
    )


class UnhandledErrorMiddleware:
    """Pure ASGI middleware turning an unhandled exception into a 500 problem response.

    Starlette sends the response of an `Exception` handler from its outermost middleware,
    outside every middleware the app adds, so that 500 had no security headers, no request
    id and no CORS headers. Added as the innermost middleware, this one answers inside
    them all. The details stay in the log (with trace and request ids); the client learns
    nothing about internals.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            _logger.exception("unhandled exception", path=scope["path"], exc_info=exc)
            if response_started:
                # Part of a response is on the wire; the server can only cut it short.
                raise
            response = problem_response(HTTPStatus.INTERNAL_SERVER_ERROR, instance=scope["path"])
            await response(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    """Route HTTP errors and validation errors to problem details. Unhandled exceptions
    are answered by `UnhandledErrorMiddleware`, which `create_service_app` adds."""
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(RequestValidationError, _validation_exception_handler)
