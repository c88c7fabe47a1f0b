"""POST /oauth/token: what is issued, and every way a request is refused (RFC 6749 5.2)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from auth_service.keys import KeyStore
from auth_service.settings import ClientConfig
from fastapi.testclient import TestClient

TokenRequest = Callable[..., httpx.Response]
Verify = Callable[..., dict[str, Any]]
BasicAuth = Callable[[str, str], dict[str, str]]


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["error_description"]
    assert response.headers["Cache-Control"] == "no-store"


def test_issues_a_token_with_every_claim(
    request_token: TokenRequest, verify: Verify, worker: ClientConfig, store: KeyStore
) -> None:
    before = int(time.time())

    response = request_token(scope="orders:read")

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "orders:read"
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "ES256"
    assert header["typ"] == "at+jwt"
    assert header["kid"] == store.active_key().kid
    claims = verify(body["access_token"])
    assert claims["iss"] == "http://auth.test"
    assert claims["sub"] == worker.client_id
    assert claims["client_id"] == worker.client_id
    assert claims["aud"] == "orders"
    assert claims["scope"] == "orders:read"
    assert before - 1 <= claims["iat"] <= int(time.time())
    assert claims["nbf"] == claims["iat"]
    assert claims["exp"] == claims["iat"] + 300
    assert len(claims["jti"]) == 32


def test_every_token_has_its_own_jti(request_token: TokenRequest) -> None:
    tokens = [request_token().json()["access_token"] for _ in range(3)]
    jtis = {jwt.decode(token, options={"verify_signature": False})["jti"] for token in tokens}
    assert len(jtis) == 3


def test_without_scope_grants_every_registered_scope(
    request_token: TokenRequest, verify: Verify
) -> None:
    response = request_token()

    assert response.json()["scope"] == "orders:read orders:write"
    assert verify(response.json()["access_token"])["scope"] == "orders:read orders:write"


def test_second_audience_of_the_client(request_token: TokenRequest, verify: Verify) -> None:
    response = request_token(audience="billing")

    assert response.status_code == 200
    assert verify(response.json()["access_token"], audience="billing")["aud"] == "billing"


def test_basic_authentication(
    client: TestClient, worker: ClientConfig, worker_secret: str, basic_auth: BasicAuth
) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "audience": "orders"},
        headers=basic_auth(worker.client_id, worker_secret),
    )

    assert response.status_code == 200, response.text


def test_basic_authentication_with_wrong_secret(
    client: TestClient, worker: ClientConfig, basic_auth: BasicAuth
) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "audience": "orders"},
        headers=basic_auth(worker.client_id, "wrong"),
    )

    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_two_authentication_methods_are_refused(
    request_token: TokenRequest, worker: ClientConfig, worker_secret: str, basic_auth: BasicAuth
) -> None:
    response = request_token(headers=basic_auth(worker.client_id, worker_secret))

    assert_oauth_error(response, 401, "invalid_client")


def test_malformed_basic_credentials(client: TestClient) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic not-base64!"},
    )

    assert_oauth_error(response, 400, "invalid_request")


def test_invalid_client_secret(request_token: TokenRequest) -> None:
    response = request_token(client_secret="not-the-secret")

    assert_oauth_error(response, 401, "invalid_client")
    assert "WWW-Authenticate" in response.headers
    assert "access_token" not in response.json()


def test_unknown_client(request_token: TokenRequest, worker_secret: str) -> None:
    response = request_token(client_id="nobody", client_secret=worker_secret)

    assert_oauth_error(response, 401, "invalid_client")


def test_missing_client_authentication(request_token: TokenRequest) -> None:
    response = request_token(client_id=None, client_secret=None)

    assert_oauth_error(response, 401, "invalid_client")


def test_disallowed_audience(request_token: TokenRequest) -> None:
    assert_oauth_error(request_token(audience="payroll"), 400, "unauthorized_client")


def test_wildcard_is_not_an_audience(request_token: TokenRequest) -> None:
    assert_oauth_error(request_token(audience="*"), 400, "unauthorized_client")


def test_audience_required_when_the_client_has_several(request_token: TokenRequest) -> None:
    assert_oauth_error(request_token(audience=None), 400, "invalid_request")


@pytest.mark.parametrize(
    "scope",
    ["orders:delete", "orders:read orders:delete", "*", 'orders:read "quoted"'],
)
def test_disallowed_or_malformed_scope(request_token: TokenRequest, scope: str) -> None:
    assert_oauth_error(request_token(scope=scope), 400, "invalid_scope")


def test_wrong_grant_type(request_token: TokenRequest) -> None:
    response = request_token(grant_type="password")

    assert_oauth_error(response, 400, "unsupported_grant_type")


def test_missing_grant_type(request_token: TokenRequest) -> None:
    assert_oauth_error(request_token(grant_type=None), 400, "invalid_request")


def test_repeated_parameter(client: TestClient, worker: ClientConfig, worker_secret: str) -> None:
    body = (
        f"grant_type=client_credentials&client_id={worker.client_id}"
        f"&client_secret={worker_secret}&audience=orders&audience=billing"
    )
    response = client.post(
        "/oauth/token",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert_oauth_error(response, 400, "invalid_request")


def test_development_client_must_name_scopes(request_token: TokenRequest) -> None:
    dev = {"client_id": "dev-client", "client_secret": "dev-secret"}

    assert_oauth_error(request_token(**dev, audience="anything"), 400, "invalid_scope")
    response = request_token(**dev, audience="anything", scope="anything:read")
    assert response.status_code == 200
    assert response.json()["scope"] == "anything:read"


def test_no_signing_key_is_a_503(request_token: TokenRequest, store: KeyStore) -> None:
    (store.directory / "keys.json").unlink()

    response = request_token()

    assert_oauth_error(response, 503, "temporarily_unavailable")
