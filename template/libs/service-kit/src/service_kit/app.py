"""`create_service_app`: the one way services build their FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from observability import Observability, setup_observability

from .errors import UnhandledErrorMiddleware, install_problem_handlers
from .health import HEALTH_PATHS, ReadinessCheck, health_router
from .limits import BodySizeLimitMiddleware
from .openapi import install_openapi
from .security import SecurityHeadersMiddleware
from .settings import ServiceSettings

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OPENAPI_URL = "/openapi.json"

# Headers browsers may send cross-origin, and response headers scripts may read.
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"]
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Deprecation", "Sunset", "Link", "Location"]


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    version: str,
    readiness: Sequence[ReadinessCheck] = (),
    lifespan: Lifespan | None = None,
) -> FastAPI:
    """Build a FastAPI app with the platform's health endpoints, security headers, CORS,
    problem details errors, logs, traces and metrics.

    `lifespan` is the service's own start-up/tear-down context manager. Uvicorn turns
    SIGTERM into a graceful shutdown: it stops accepting connections, lets in-flight
    requests finish, then exits the lifespan, so the teardown after `yield` runs (close
    pools, flush buffers). `/startupz` and `/readyz` answer 503 until start-up finished.

    The interactive docs and `/openapi.json` are served in development and test only: a
    deployed service does not hand out a map of itself. `app.openapi()` works everywhere,
    so contracts are exported the same way in every environment.
    """
    interactive_docs = settings.is_development

    @asynccontextmanager
    async def service_lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.startup_complete = False
        try:
            if lifespan is None:
                app.state.startup_complete = True
                yield
            else:
                async with lifespan(app):
                    app.state.startup_complete = True
                    yield
        finally:
            app.state.startup_complete = False
            await _shutdown_observability(app)

    app = FastAPI(
        title=title,
        version=version,
        lifespan=service_lifespan,
        docs_url=DOCS_URL if interactive_docs else None,
        redoc_url=REDOC_URL if interactive_docs else None,
        openapi_url=OPENAPI_URL if interactive_docs else None,
    )
    app.state.settings = settings
    app.state.startup_complete = False
    app.include_router(health_router(readiness))
    install_problem_handlers(app)
    install_openapi(app)

    # Middleware added last runs first (outermost). From the inside out: the body limit
    # (its 413 must pass through everything below), the 500 answer for unhandled errors
    # (inside the rest, so a 500 gets security headers, CORS headers, metrics and a request
    # id like any response), the security headers, CORS (answers preflights before anything
    # else), then the observability middleware added by `_setup_observability`.
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(
        SecurityHeadersMiddleware,
        hsts=not settings.is_development,
        html_paths=(DOCS_URL, REDOC_URL, f"{DOCS_URL}/oauth2-redirect") if interactive_docs else (),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
            # Bearer tokens travel in a header, never in cookies.
            allow_credentials=False,
        )
    _setup_observability(app, settings, version)
    return app


def _setup_observability(app: FastAPI, settings: ServiceSettings, version: str) -> None:
    app.state.observability = setup_observability(
        app,
        service_name=settings.service_name,
        version=version,
        traces_exporter=settings.traces_exporter,
        otlp_endpoint=settings.otlp_endpoint,
        log_level=settings.log_level,
        excluded_paths=(*HEALTH_PATHS, "/metrics"),
    )


async def _shutdown_observability(app: FastAPI) -> None:
    handle: Observability | None = getattr(app.state, "observability", None)
    if handle is not None:
        # Flush spans still buffered by the batch processor before the process exits.
        handle.shutdown()
