"""The published documents (JWKS, server metadata) and the health endpoints."""

from __future__ import annotations

from pathlib import Path

from auth_service.app import create_app
from auth_service.keys import KeyStore
from auth_service.settings import Settings
from fastapi.testclient import TestClient

PUBLIC_EC_MEMBERS = {"kty", "crv", "x", "y", "kid", "use", "alg"}


def test_jwks_publishes_the_active_key_without_private_material(
    client: TestClient, store: KeyStore
) -> None:
    response = client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    (key,) = response.json()["keys"]
    assert set(key) == PUBLIC_EC_MEMBERS
    assert "d" not in key
    assert {name: key[name] for name in ("kty", "crv", "use", "alg", "kid")} == {
        "kty": "EC",
        "crv": "P-256",
        "use": "sig",
        "alg": "ES256",
        "kid": store.active_key().kid,
    }
    private_pem = (store.directory / f"{key['kid']}.pem").read_text()
    assert "PRIVATE KEY" in private_pem
    assert private_pem not in response.text


def test_authorization_server_metadata(client: TestClient) -> None:
    response = client.get("/.well-known/oauth-authorization-server")

    assert response.status_code == 200
    assert response.json() == {
        "issuer": "http://auth.test",
        "token_endpoint": "http://auth.test/oauth/token",
        "jwks_uri": "http://auth.test/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": [],
    }


def test_ready_with_an_active_key(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200


def test_not_ready_without_an_active_key(client: TestClient, store: KeyStore) -> None:
    (store.directory / "keys.json").unlink()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["signing-key"]


def test_development_start_creates_the_first_key(tmp_path: Path) -> None:
    keys_dir = tmp_path / "fresh"
    app = create_app(Settings(environment="development", keys_dir=keys_dir))

    assert not keys_dir.exists()  # building the app (e.g. to export OpenAPI) writes nothing
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        (key,) = client.get("/.well-known/jwks.json").json()["keys"]
    assert (keys_dir / f"{key['kid']}.pem").is_file()
