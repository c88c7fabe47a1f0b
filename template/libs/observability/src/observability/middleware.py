"""Request ids and the request log."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Collection

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .metrics import route_template

REQUEST_ID_HEADER = "X-Request-ID"
# Incoming ids are echoed into logs and headers, so only short, plain ones are trusted.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_logger = structlog.stdlib.get_logger("observability.request")


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Takes the caller's `X-Request-ID` (or makes one), binds it to every log line of the
    request, returns it in the response and logs one line per request."""

    def __init__(self, app: ASGIApp, *, excluded_paths: Collection[str]) -> None:
        self.app = app
        self.excluded_paths = frozenset(excluded_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        start = time.perf_counter()

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_request_id)
            finally:
                if scope["path"] not in self.excluded_paths:
                    _logger.info(
                        "request",
                        method=scope["method"],
                        path=scope["path"],
                        route=route_template(scope),
                        status=status,
                        duration_ms=round((time.perf_counter() - start) * 1000, 2),
                    )
