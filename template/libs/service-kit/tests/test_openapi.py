"""The OpenAPI document lists every error the shared machinery answers, as problem details,
and a 405 names every method of its path."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from service_kit import ServiceSettings, create_service_app
from service_kit.auth import Principal, require_scopes
from service_kit.openapi import problem_responses

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}


class Thing(BaseModel):
    name: str


Writer = Annotated[Principal, Depends(require_scopes("things:write"))]


def make_app() -> FastAPI:
    app = create_service_app(
        ServiceSettings(service_name="example", environment="test"), title="Example", version="1"
    )

    @app.get("/v1/things")
    async def list_things() -> list[str]:
        return []

    @app.post("/v1/things", responses=problem_responses(409, descriptions={409: "Taken."}))
    async def create_thing(thing: Thing, _principal: Writer) -> Thing:
        return thing

    @app.get("/v1/things/{thing_id}")
    async def read_thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    return app


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return make_app().openapi()


def _responses(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    responses: dict[str, Any] = document["paths"][path][method]["responses"]
    return responses


def test_a_body_can_be_malformed_or_too_large(document: dict[str, Any]) -> None:
    responses = _responses(document, "/v1/things", "post")

    assert responses["400"]["content"] == PROBLEM
    assert responses["413"]["content"] == PROBLEM


def test_a_secured_operation_documents_token_errors_and_its_scopes(
    document: dict[str, Any],
) -> None:
    operation = document["paths"]["/v1/things"]["post"]

    assert [list(requirement.values()) for requirement in operation["security"]] == [
        [["things:write"]]
    ]
    assert {"401", "403", "503"} <= set(operation["responses"])
    assert operation["responses"]["401"]["content"] == PROBLEM


def test_a_route_keeps_its_own_entries(document: dict[str, Any]) -> None:
    assert _responses(document, "/v1/things", "post")["409"]["description"] == "Taken."


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        pytest.param("/v1/things", "get", {"200"}, id="no-input"),
        pytest.param("/v1/things/{thing_id}", "get", {"200", "422"}, id="path-parameter"),
        pytest.param(
            "/v1/things",
            "post",
            {"200", "400", "401", "403", "409", "413", "422", "503"},
            id="secured-body",
        ),
    ],
)
def test_each_operation_lists_exactly_the_errors_it_can_answer(
    document: dict[str, Any], path: str, method: str, statuses: set[str]
) -> None:
    assert set(_responses(document, path, method)) == statuses


def test_validation_errors_are_documented_as_problem_details(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    content = _responses(document, "/v1/things/{thing_id}", "get")["422"]["content"]

    assert content == {
        "application/problem+json": {
            "schema": {"$ref": "#/components/schemas/ValidationProblemDetails"}
        }
    }
    assert "errors" in schemas["ValidationProblemDetails"]["properties"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas


def test_a_validation_error_matches_its_documented_schema() -> None:
    response = TestClient(make_app()).get("/v1/things/not-a-number")

    body = response.json()
    assert response.status_code == 422
    assert set(body) <= {"type", "title", "status", "detail", "instance", "errors"}
    assert body["errors"][0]["loc"] == ["path", "thing_id"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        pytest.param("DELETE", "/v1/things", "GET, POST", id="two-routes-one-path"),
        pytest.param("PUT", "/v1/things/3", "GET", id="one-route"),
    ],
)
def test_405_allows_every_method_of_the_path(method: str, path: str, allowed: str) -> None:
    response = TestClient(make_app()).request(method, path)

    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    assert response.headers["content-type"] == "application/problem+json"
