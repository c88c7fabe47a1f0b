import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from service_kit import ReadinessCheck, ServiceSettings, create_service_app

Environment = Literal["development", "test", "staging", "production"]


def make_settings(environment: Environment = "test", **overrides: Any) -> ServiceSettings:
    return ServiceSettings(service_name="example", environment=environment, **overrides)


def make_app(
    settings: ServiceSettings | None = None,
    readiness: list[ReadinessCheck] | None = None,
) -> FastAPI:
    app = create_service_app(
        settings or make_settings(), title="Example", version="1.2.3", readiness=readiness or []
    )

    @app.get("/v1/things/{thing_id}")
    async def read_thing(thing_id: int) -> dict[str, int]:
        if thing_id == 0:
            raise HTTPException(404, detail="no thing 0")
        if thing_id == 1:
            raise HTTPException(409, detail={"title": "Conflict", "thing": 1})
        if thing_id == 2:
            raise RuntimeError("internal detail that must not leak")
        return {"id": thing_id}

    return app


async def passing() -> None:
    return None


async def failing() -> None:
    raise ConnectionError("database unreachable")


def test_health_endpoints() -> None:
    app = make_app(readiness=[ReadinessCheck("database", passing)])
    with TestClient(app) as client:
        assert client.get("/livez").json() == {"status": "ok"}
        assert client.get("/startupz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "checks": {"database": {"status": "ok"}}}


def test_readyz_names_failing_checks() -> None:
    app = make_app(
        readiness=[ReadinessCheck("database", failing), ReadinessCheck("cache", passing)]
    )
    with TestClient(app) as client:
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == {"status": "fail", "error": "ConnectionError"}
    assert body["checks"]["cache"] == {"status": "ok"}
    assert "unreachable" not in response.text


def test_readiness_accepts_plain_tuples() -> None:
    app = create_service_app(
        make_settings(),
        title="Example",
        version="1",
        readiness=[("broken", failing)],  # type: ignore[list-item]
    )
    with TestClient(app) as client:
        assert client.get("/readyz").json()["failing"] == ["broken"]


def test_startup_and_readiness_wait_for_lifespan() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    app = create_service_app(make_settings(), title="Example", version="1", lifespan=lifespan)
    client = TestClient(app)
    # Without entering the client, the lifespan has not run.
    assert client.get("/startupz").status_code == 503
    assert client.get("/readyz").status_code == 503
    assert client.get("/livez").status_code == 200
    with client:
        assert events == ["startup"]
        assert client.get("/startupz").status_code == 200
    assert events == ["startup", "shutdown"]
    assert app.state.startup_complete is False


def test_security_headers() -> None:
    with TestClient(make_app()) as client:
        response = client.get("/v1/things/5")

    assert response.json() == {"id": 5}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "strict-transport-security" not in response.headers


def test_hsts_outside_development() -> None:
    with TestClient(make_app(make_settings("staging"))) as client:
        response = client.get("/livez")

    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_docs_page_may_load_its_assets() -> None:
    with TestClient(make_app()) as client:
        response = client.get("/docs")

    assert response.status_code == 200
    assert "content-security-policy" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_docs_and_openapi_disabled_outside_development(environment: Environment) -> None:
    app = make_app(make_settings(environment))
    with TestClient(app) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 404, path
    # The schema is still available in-process, for contract export.
    assert "/v1/things/{thing_id}" in app.openapi()["paths"]


@pytest.mark.parametrize("environment", ["development", "test"])
def test_docs_and_openapi_served_in_development(environment: Environment) -> None:
    with TestClient(make_app(make_settings(environment))) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 200, path


def test_openapi_excludes_health_and_metrics() -> None:
    with TestClient(make_app()) as client:
        schema = client.get("/openapi.json").json()

    assert schema["openapi"].startswith("3.1")
    assert schema["info"] == {"title": "Example", "version": "1.2.3"}
    assert set(schema["paths"]) == {"/v1/things/{thing_id}"}


def test_cors_allows_configured_origins_only() -> None:
    settings = make_settings(cors_origins=["https://app.example.com"])
    preflight = {"Access-Control-Request-Method": "GET"}
    with TestClient(make_app(settings)) as client:
        allowed = client.options(
            "/v1/things/1", headers={"Origin": "https://app.example.com", **preflight}
        )
        refused = client.options(
            "/v1/things/1", headers={"Origin": "https://evil.example.com", **preflight}
        )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in refused.headers


def test_no_cors_without_origins() -> None:
    with TestClient(make_app()) as client:
        response = client.get("/livez", headers={"Origin": "https://app.example.com"})

    assert "access-control-allow-origin" not in response.headers


def test_http_errors_are_problem_details() -> None:
    with TestClient(make_app()) as client:
        response = client.get("/v1/things/0")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no thing 0",
        "instance": "/v1/things/0",
    }


def test_mapping_detail_becomes_problem_members() -> None:
    with TestClient(make_app()) as client:
        body = client.get("/v1/things/1").json()

    assert body == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "instance": "/v1/things/1",
        "thing": 1,
    }


def test_unknown_route_is_problem_details() -> None:
    with TestClient(make_app()) as client:
        response = client.get("/nowhere")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not Found"


def test_validation_errors_are_problem_details() -> None:
    with TestClient(make_app()) as client:
        response = client.get("/v1/things/not-a-number")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert body["errors"][0]["loc"] == ["path", "thing_id"]
    assert body["errors"][0]["type"] == "int_parsing"


def test_unhandled_errors_reveal_nothing() -> None:
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        response = client.get("/v1/things/2")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "instance": "/v1/things/2",
    }


def test_unhandled_errors_carry_every_response_header() -> None:
    settings = make_settings("staging", cors_origins=["https://app.example.com"])
    with TestClient(make_app(settings), raise_server_exceptions=False) as client:
        response = client.get(
            "/v1/things/2",
            headers={"X-Request-ID": "req-500", "Origin": "https://app.example.com"},
        )

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["x-request-id"] == "req-500"
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"


def test_unhandled_error_log_has_no_locals(capsys: pytest.CaptureFixture[str]) -> None:
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        client.get("/v1/things/2", headers={"Authorization": "Bearer secret-token-value"})

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    [error] = [line for line in lines if line["event"] == "unhandled exception"]
    assert error["exception"][0]["exc_type"] == "RuntimeError"
    assert error["request_id"]
    # Frame locals would include the request scope, headers and all.
    assert "secret-token-value" not in json.dumps(error)
    assert all("locals" not in frame for frame in error["exception"][0]["frames"])


@pytest.mark.parametrize("path", ["/livez", "/v1/things/5"])
def test_responses_carry_request_id(path: str) -> None:
    with TestClient(make_app()) as client:
        response = client.get(path, headers={"X-Request-ID": "abc-123"})

    assert response.headers["x-request-id"] == "abc-123"


def test_metrics_endpoint_is_wired() -> None:
    with TestClient(make_app()) as client:
        client.get("/v1/things/5")
        metrics = client.get("/metrics").text

    assert 'route="/v1/things/{thing_id}"' in metrics
    assert 'service="example"' in metrics
