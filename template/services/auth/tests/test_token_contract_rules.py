"""The token endpoint's OpenAPI document says what the endpoint checks for every client,
and a well-formed request it refuses gets an RFC 6749 error the document lists."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

TokenRequest = Callable[..., httpx.Response]


@pytest.fixture
def form_schema(app: FastAPI) -> dict[str, Any]:
    schema: dict[str, Any] = app.openapi()["components"]["schemas"]["TokenRequestForm"]
    return schema


def test_grant_type_is_required_and_no_field_is_null(form_schema: dict[str, Any]) -> None:
    assert form_schema["required"] == ["grant_type"]
    assert all("anyOf" not in field for field in form_schema["properties"].values())


@pytest.mark.parametrize(
    ("field", "value", "documented"),
    [
        pytest.param("audience", "orders", True, id="audience"),
        pytest.param("audience", "ordérs", False, id="audience-not-ascii"),
        pytest.param("audience", "two words", False, id="audience-with-space"),
        pytest.param("audience", "orders\n", False, id="audience-trailing-newline"),
        pytest.param("scope", "orders:read", True, id="scope"),
        pytest.param("scope", "orders:read  orders:write", False, id="scope-double-space"),
        pytest.param("scope", 'orders:"read"', False, id="scope-quote"),
        pytest.param("scope", "orders:read\n", False, id="scope-trailing-newline"),
    ],
)
def test_the_documented_syntax_is_the_checked_syntax(
    form_schema: dict[str, Any],
    request_token: TokenRequest,
    field: str,
    value: str,
    documented: bool,
) -> None:
    """A value outside the documented pattern is refused; one inside it reaches the
    registration check (the worker may have `orders` and `orders:read`)."""
    pattern = form_schema["properties"][field]["pattern"]
    # JSON Schema patterns are ECMA-262: `$` is the end of the string, never before a
    # final newline as Python's `$` allows; `\Z` is Python's spelling.
    assert bool(re.search(pattern.removesuffix("$") + r"\Z", value)) is documented

    response = request_token(**{field: value})

    if documented:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 400, response.text
        assert response.json()["error"] in {"invalid_request", "invalid_scope"}


def test_two_authentication_methods_are_a_failed_authentication(
    request_token: TokenRequest, basic_auth: Callable[[str, str], dict[str, str]]
) -> None:
    """Well-formed, so not a 400: RFC 6749 section 5.2 counts an unsupported way of
    authenticating as `invalid_client`."""
    response = request_token(headers=basic_auth("dev-client", "dev-secret"))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic ")
