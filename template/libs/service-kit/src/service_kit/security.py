"""Security headers added to every response."""

from __future__ import annotations

from collections.abc import Collection

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# API responses are JSON and never rendered as documents, so they may load nothing at all.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Two years, the value the HSTS preload list asks for.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"


class SecurityHeadersMiddleware:
    """Pure ASGI middleware (no `BaseHTTPMiddleware`, so streaming and context vars work).

    `html_paths` are pages rendered by a browser (the interactive API docs); they load
    scripts and styles, so they do not get the API content security policy.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool, html_paths: Collection[str] = ()) -> None:
        self.app = app
        self.hsts = hsts
        self.html_paths = frozenset(html_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_html = scope["path"] in self.html_paths

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if not is_html:
                    headers.setdefault("Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
