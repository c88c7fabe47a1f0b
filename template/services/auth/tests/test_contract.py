"""Property-based tests: no request the OpenAPI document allows makes a 5xx, and every
token request gets a token or an RFC 6749 error."""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from auth_service.app import create_app
from auth_service.keys import KeyStore
from auth_service.settings import DEV_CLIENT, KEY_RETENTION, Settings
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

# schemathesis needs the app when the module is collected, before any fixture exists,
# so the key directory is a temporary directory of the module's own.
_KEYS = tempfile.TemporaryDirectory(prefix="auth-contract-")
_KEYS_DIR = Path(_KEYS.name) / "auth-keys"
KeyStore(_KEYS_DIR, retention=KEY_RETENTION).rotate()
app = create_app(Settings(environment="test", keys_dir=_KEYS_DIR, clients=[DEV_CLIENT]))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# schemathesis' random credentials are failed logins from one address, which the token
# endpoint throttles; the test of well-authenticated requests gets an app of its own, so
# it sees the audience and scope checks rather than 429s left by the other test.
token_app = create_app(Settings(environment="test", keys_dir=_KEYS_DIR, clients=[DEV_CLIENT]))


@pytest.fixture(scope="module", autouse=True)
def _remove_keys() -> Iterator[None]:
    yield
    _KEYS.cleanup()


# The development client, sent as HTTP Basic when a generated token request carries no
# credentials of its own, so the checks behind client authentication get exercised too.
_DEV_BASIC = "Basic " + base64.b64encode(b"dev-client:dev-secret").decode()


@schema.parametrize()
def test_no_server_errors(case: schemathesis.Case[Any]) -> None:
    form = case.body if isinstance(case.body, dict) else {}
    if case.path == "/oauth/token" and not {"client_id", "client_secret"} & form.keys():
        case.headers["Authorization"] = _DEV_BASIC
    case.call_and_validate(checks=[not_a_server_error])


# Form values are text; surrogates cannot be encoded in a request at all.
_form_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
_OAUTH_ERRORS = {
    "invalid_request",
    "invalid_client",
    "unauthorized_client",
    "invalid_scope",
    "unsupported_grant_type",
}


@settings(max_examples=200, deadline=None)
@given(
    grant_type=st.one_of(st.just("client_credentials"), _form_text),
    audience=st.one_of(st.none(), st.just("catalog"), _form_text),
    scope=st.one_of(st.none(), st.just("items:read items:write"), _form_text),
)
def test_token_requests_get_a_token_or_an_oauth_error(
    grant_type: str, audience: str | None, scope: str | None
) -> None:
    """Authenticated as the development client, the generated values reach the audience
    and scope checks, which schemathesis' random credentials rarely get past."""
    form = {"grant_type": grant_type, "audience": audience, "scope": scope}
    data = {name: value for name, value in form.items() if value is not None}
    response = TestClient(token_app).post(
        "/oauth/token", data=data, headers={"Authorization": _DEV_BASIC}
    )

    assert response.headers["Cache-Control"] == "no-store"
    if response.status_code == 200:
        assert response.json()["token_type"] == "Bearer"
    else:
        assert response.status_code == 400, response.text
        assert response.json()["error"] in _OAUTH_ERRORS
