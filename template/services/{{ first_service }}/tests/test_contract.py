"""Property-based API tests: schemathesis generates requests from the OpenAPI document
(valid ones and deliberately invalid ones) and no response may be a server error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_asgi

# Examples per generation mode, spread over every operation.
MAX_EXAMPLES = 200


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the generated requests exercise the API layer, and the persistence
    adapters have their own tests on both databases."""
    return f"sqlite:///{tmp_path / 'contract.db'}"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(app: FastAPI, auth: dict[str, str], mode: GenerationMode) -> None:
    schema = from_asgi("/openapi.json", app)

    # A nested Hypothesis test: the fixtures above are built once, the examples share them.
    @given(case=schema.as_strategy(mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def no_server_error(case: Case[Any]) -> None:
        case.call_and_validate(headers=auth, checks=[not_a_server_error])

    no_server_error()


def test_the_schema_documents_every_operation(app: FastAPI) -> None:
    document = app.openapi()
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations == {
        ("GET", "/v1/items"),
        ("POST", "/v1/items"),
        ("GET", "/v1/items/{item_id}"),
        ("PATCH", "/v1/items/{item_id}"),
        ("DELETE", "/v1/items/{item_id}"),
    }
    assert document["openapi"].startswith("3.1")
