"""Running a service with uvicorn, with the connection limits from its settings.

`run("<package>.app:create_app", settings)` is what each service's `serve` command calls.
The limits bound what a single client can tie up:

| setting | uvicorn option | what it stops |
|---|---|---|
| `max_header_bytes` | `h11_max_incomplete_event_size` | huge request lines and headers (400) |
| `header_timeout_seconds` | `HeaderTimeoutH11Protocol` | clients that send headers slowly |
| `keep_alive_timeout_seconds` | `timeout_keep_alive` | idle connections kept open |
| `max_concurrency` | `limit_concurrency` | unbounded connections and tasks (503) |

The pure-Python h11 parser is used instead of httptools because only h11 bounds the size
of the request head; its lower throughput is the accepted price (ADR 0012).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .settings import ServiceSettings

DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections that take longer than `header_timeout`
    seconds to deliver a request line and headers.

    uvicorn only times out idle keep-alive connections; a client that sends one header
    line every few seconds ("slowloris") would otherwise hold its connection forever. The
    clock starts when the connection opens and when the first byte of each later request
    arrives, and stops once the request head is complete; slow bodies are bounded by the
    body size limit and `max_concurrency`.
    """

    header_timeout: float = DEFAULT_HEADER_TIMEOUT_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_clock()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            # Still waiting for (the rest of) a request head.
            self._start_head_clock()
        else:
            self._stop_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def _start_head_clock(self) -> None:
        if self._head_deadline is None and not self.transport.is_closing():
            self._head_deadline = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _stop_head_clock(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.logger.info("closing a connection that did not send its request headers in time")
            self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderTimeoutH11Protocol]:
    """The protocol class to pass as uvicorn's `http` option."""
    if seconds == HeaderTimeoutH11Protocol.header_timeout:
        # The module-level class can be pickled, which uvicorn's reloader needs.
        return HeaderTimeoutH11Protocol
    return type(
        "HeaderTimeoutH11Protocol", (HeaderTimeoutH11Protocol,), {"header_timeout": seconds}
    )


GRACEFUL_SHUTDOWN_SECONDS = 20


def server_options(settings: ServiceSettings) -> dict[str, Any]:
    """uvicorn options enforcing the connection limits in `settings`."""
    return {
        "http": with_header_timeout(settings.header_timeout_seconds),
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,
        "limit_concurrency": settings.max_concurrency,
    }


def run(
    app: str,
    settings: ServiceSettings,
    *,
    host: str,
    port: int,
    reload: bool = False,
) -> None:
    """Serve the app factory `app` ("package.module:function") until SIGTERM or Ctrl-C."""
    options = server_options(settings)
    if reload:
        # The reloader pickles the configuration for its worker process, which a protocol
        # class made on the fly cannot survive; development falls back to the default.
        options["http"] = HeaderTimeoutH11Protocol
    uvicorn.run(
        app,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        # The app configures JSON logging itself; uvicorn's default config would fight it.
        log_config=None,
        proxy_headers=True,
        # Kubernetes waits 30 s after SIGTERM before it kills the pod; in-flight requests
        # get most of that to finish.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        **options,
    )
