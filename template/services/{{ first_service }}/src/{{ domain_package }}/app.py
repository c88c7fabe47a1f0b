"""The application factory: `uvicorn --factory <package>.app:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from service_kit import ReadinessCheck, create_service_app
from service_kit.auth import JWTVerifier
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool

from .adapters.sqlalchemy import SqlUnitOfWork, create_database_engine
from .api.errors import install_error_handlers
from .api.items import router as items_router
from .domain.service import ItemService
from .settings import SERVICE_NAME, Settings


def service_version() -> str:
    try:
        return version(f"{SERVICE_NAME}-service")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def create_app(settings: Settings | None = None, *, verifier: JWTVerifier | None = None) -> FastAPI:
    """Build the service. The database schema must exist already: migrations are a
    separate deployment step (`make migrate`), never run at start-up.

    `verifier` replaces the JWKS-backed token verifier (tests pass one trusting their keys).
    """
    settings = settings or Settings()
    engine = create_database_engine(settings.database_url)

    async def database_ready() -> None:
        await run_in_threadpool(_ping, engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield None
        finally:
            # Close pooled connections so the database sees a clean disconnect.
            engine.dispose()

    app = create_service_app(
        settings,
        title=f"{settings.service_name} service",
        version=service_version(),
        readiness=[ReadinessCheck("database", database_ready)],
        lifespan=lifespan,
    )
    app.state.jwt_verifier = verifier or JWTVerifier(
        settings.auth_jwks_url, issuer=settings.auth_issuer, audience=settings.auth_audience
    )
    app.state.engine = engine
    app.state.item_service = ItemService(lambda: SqlUnitOfWork(engine))
    install_error_handlers(app)
    app.include_router(items_router)
    return app


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
