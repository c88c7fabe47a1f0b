"""Request body size limits, enforced while the body is read and before it is parsed.

Every service gets `ServiceSettings.max_body_bytes` (1 MiB unless `MAX_BODY_BYTES` says
otherwise); a route that needs more, or less, declares its own limit:

    @router.post("/v1/uploads")
    @max_body_size(20 * MiB)
    async def upload(...): ...

FastAPI reads a route's body before it resolves the route's dependencies, so an oversized
request is refused before authentication, validation or any handler code runs: a declared
`Content-Length` over the limit before a single body byte is read, a chunked body as soon
as the bytes received pass the limit. The answer is a 413 problem details response.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import TypeVar

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KiB = 1024
MiB = 1024 * KiB
DEFAULT_MAX_BODY_BYTES = 1 * MiB

_LIMIT_ATTRIBUTE = "__max_body_bytes__"
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., object])


class RequestBodyTooLargeError(HTTPException):
    """Raised from `receive` when a request body exceeds its limit (answered with 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            detail=f"The request body is larger than the {limit} bytes this operation accepts.",
        )
        self.limit = limit


def max_body_size(limit: int) -> Callable[[_Endpoint], _Endpoint]:
    """Decorator for an endpoint: accept bodies of up to `limit` bytes instead of the
    service's `max_body_bytes`. Put it below the route decorator."""
    if limit < 0:
        raise ValueError("max_body_size: limit must be zero or more bytes")

    def declare(endpoint: _Endpoint) -> _Endpoint:
        setattr(endpoint, _LIMIT_ATTRIBUTE, limit)
        return endpoint

    return declare


def route_body_limit(scope: Scope, default: int) -> int:
    """The limit of the route the request was routed to, or `default`."""
    limit = getattr(scope.get("endpoint"), _LIMIT_ATTRIBUTE, None)
    return limit if isinstance(limit, int) else default


class BodySizeLimitMiddleware:
    """Pure ASGI middleware counting the bytes of each request body against its limit.

    The limit is looked up when the body is first read, which is after routing, so a
    route's own limit applies. It covers every body the app reads (routes, mounted apps);
    a middleware added after `create_service_app` runs outside it and must not read
    bodies. Bodies that are never read are never buffered; the server drops them with
    the connection.

    Why not FastAPI's own `max_body_size` (FastAPI 0.164 and later): it answers with a
    plain-text 413 from outside the application's middleware, so that response carries
    neither the security headers nor a problem details body.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = 0
        limit: int | None = None

        async def limited_receive() -> Message:
            nonlocal received, limit
            if limit is None:
                limit = route_body_limit(scope, self.max_body_bytes)
                declared = _content_length(scope)
                if declared is not None and declared > limit:
                    raise RequestBodyTooLargeError(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestBodyTooLargeError(limit)
            return message

        # The error is an HTTPException raised inside the app, so the app's exception
        # handlers turn it into a problem details response like any other HTTP error.
        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.isdigit():
        # The server refuses a malformed Content-Length before the app sees it.
        return None
    return int(value)
