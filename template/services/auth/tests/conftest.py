"""Fixtures: a provisioned key directory under tmp_path, settings, the app and a client.

Test modules cannot import this file (pytest runs with `--import-mode=importlib`), so
shared values and helpers travel as fixtures.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from auth_service.app import create_app
from auth_service.clients import hash_secret
from auth_service.keys import KeyStore
from auth_service.settings import DEV_CLIENT, KEY_RETENTION, ClientConfig, Settings
from fastapi import FastAPI
from fastapi.testclient import TestClient
from service_kit.auth import JWTVerifier

ISSUER = "http://auth.test"
WORKER_SECRET = "s3cr3t-orders-worker-0123456789abcdef"  # pragma: allowlist secret


@pytest.fixture
def worker_secret() -> str:
    return WORKER_SECRET


@pytest.fixture
def worker() -> ClientConfig:
    """A registered client: two audiences, two scopes."""
    return ClientConfig(
        client_id="orders-worker",
        secret_sha256=hash_secret(WORKER_SECRET),
        audiences=["orders", "billing"],
        scopes=["orders:read", "orders:write"],
    )


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    return tmp_path / "auth-keys"


@pytest.fixture
def store(keys_dir: Path) -> KeyStore:
    """A key directory provisioned the production way, with one active key."""
    key_store = KeyStore(keys_dir, retention=KEY_RETENTION)
    key_store.rotate()
    return key_store


@pytest.fixture
def settings(store: KeyStore, worker: ClientConfig) -> Settings:
    return Settings(
        environment="test",
        auth_issuer=ISSUER,
        keys_dir=store.directory,
        clients=[worker, DEV_CLIENT],
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def request_token(client: TestClient, worker: ClientConfig) -> Callable[..., httpx.Response]:
    """POST /oauth/token as the worker with client_secret_post.

    Keyword arguments override form fields; None leaves a field out; `headers` is sent.
    """

    def post(headers: dict[str, str] | None = None, **fields: str | None) -> httpx.Response:
        form: dict[str, str | None] = {
            "grant_type": "client_credentials",
            "client_id": worker.client_id,
            "client_secret": WORKER_SECRET,
            "audience": worker.audiences[0],
            **fields,
        }
        data = {name: value for name, value in form.items() if value is not None}
        response: httpx.Response = client.post("/oauth/token", data=data, headers=headers or {})
        return response

    return post


def _basic_auth(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


@pytest.fixture
def basic_auth() -> Callable[[str, str], dict[str, str]]:
    """Builds an `Authorization: Basic` header."""
    return _basic_auth


@pytest.fixture
def verify(client: TestClient) -> Callable[..., dict[str, Any]]:
    """Verify a token the way a service does; the JWKS comes from the endpoint by default.

    Raises `service_kit.auth.TokenError` for a rejected token.
    """

    def run(
        token: str, *, audience: str = "orders", jwks: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        keys = jwks if jwks is not None else client.get("/.well-known/jwks.json").json()
        verifier = JWTVerifier(keys, issuer=ISSUER, audience=audience)
        return asyncio.run(verifier.verify(token))

    return run
