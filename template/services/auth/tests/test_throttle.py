"""Brute-force protection: failed client authentications per client id and per address."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from auth_service.app import create_app
from auth_service.settings import DEV_CLIENT_ID, DEV_CLIENT_SECRET, ClientConfig, Settings
from fastapi.testclient import TestClient
from pydantic import ValidationError

TOKEN_PATH = "/oauth/token"


@pytest.fixture
def throttled(settings: Settings) -> Iterator[TestClient]:
    """The token service allowing 3 failures per client id and 5 per address a minute."""
    limited = settings.model_copy(
        update={
            "token_failure_limit_per_client": "3/minute",
            "token_failure_limit_per_address": "5/minute",
        }
    )
    with TestClient(create_app(limited)) as client:
        yield client


def token_request(
    client: TestClient, client_id: str, secret: str, *, audience: str = "orders", scope: str = ""
) -> httpx.Response:
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        "audience": audience,
        "scope": scope,
    }
    response: httpx.Response = client.post(TOKEN_PATH, data=form)
    return response


def assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.json()["status"] == 429


def test_failures_per_client_id_lead_to_429(
    throttled: TestClient, worker: ClientConfig, worker_secret: str
) -> None:
    failures = [token_request(throttled, worker.client_id, "wrong") for _ in range(3)]
    refused = token_request(throttled, worker.client_id, "wrong")
    # Locked out means locked out: the right secret is not even checked.
    genuine = token_request(throttled, worker.client_id, worker_secret)

    assert [response.status_code for response in failures] == [401, 401, 401]
    assert_throttled(refused)
    assert_throttled(genuine)


def test_a_locked_client_id_does_not_lock_other_clients(
    throttled: TestClient, worker: ClientConfig
) -> None:
    for _ in range(3):
        token_request(throttled, worker.client_id, "wrong")

    other = token_request(throttled, DEV_CLIENT_ID, DEV_CLIENT_SECRET, scope="orders:read")

    assert other.status_code == 200, other.text


def test_failures_per_address_lead_to_429_for_every_client_id(throttled: TestClient) -> None:
    # Five unknown ids, each below its own limit, exhaust the address's allowance.
    failures = [token_request(throttled, f"guess-{n}", "wrong") for n in range(5)]
    refused = token_request(throttled, DEV_CLIENT_ID, DEV_CLIENT_SECRET)

    assert {response.status_code for response in failures} == {401}
    assert_throttled(refused)


def test_successful_authentications_are_not_counted(
    throttled: TestClient, worker: ClientConfig, worker_secret: str
) -> None:
    responses = [token_request(throttled, worker.client_id, worker_secret) for _ in range(10)]

    assert {response.status_code for response in responses} == {200}


def test_refused_grants_are_not_authentication_failures(
    throttled: TestClient, worker: ClientConfig, worker_secret: str
) -> None:
    # Correct credentials asking for an audience the client may not have: 400, not counted.
    refusals = [
        token_request(throttled, worker.client_id, worker_secret, audience="payments")
        for _ in range(6)
    ]
    granted = token_request(throttled, worker.client_id, worker_secret)

    assert {response.status_code for response in refusals} == {400}
    assert granted.status_code == 200


def test_oversized_token_request_is_413_before_authentication(
    throttled: TestClient, worker: ClientConfig
) -> None:
    for _ in range(6):
        response = throttled.post(
            TOKEN_PATH,
            data={"client_id": worker.client_id, "client_secret": "x" * (20 * 1024)},
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"

    # None of those was counted as a failed authentication.
    assert token_request(throttled, worker.client_id, "wrong").status_code == 401


@pytest.mark.parametrize("limit", ["ten a minute", "", "5/fortnight"])
def test_limits_must_be_well_formed(settings: Settings, limit: str) -> None:
    with pytest.raises(ValidationError, match="is not a limit"):
        Settings(**{**settings.model_dump(), "token_failure_limit_per_client": limit})


def test_throttling_is_in_the_contract(throttled: TestClient) -> None:
    responses = throttled.app.openapi()["paths"][TOKEN_PATH]["post"]["responses"]  # type: ignore[attr-defined]

    assert "Retry-After" in responses["429"]["headers"]
    assert set(responses["429"]["content"]) == {"application/problem+json"}
    assert set(responses["413"]["content"]) == {"application/problem+json"}
