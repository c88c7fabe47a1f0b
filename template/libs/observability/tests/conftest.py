from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from observability import get_logger, setup_observability
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

logger = get_logger("tests.app")


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def app(spans: InMemorySpanExporter) -> FastAPI:
    app = FastAPI()
    setup_observability(
        app,
        service_name="orders",
        version="2.0.0",
        excluded_paths=("/livez", "/metrics"),
        span_exporter=spans,
    )

    @app.get("/livez")
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> dict[str, int]:
        logger.info("item read", item_id=item_id)
        return {"id": item_id}

    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
