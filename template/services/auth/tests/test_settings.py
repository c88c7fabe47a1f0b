"""Settings refuse development defaults outside development and test."""

from __future__ import annotations

from pathlib import Path

import pytest
from auth_service.keys import KeyStore
from auth_service.settings import DEV_CLIENT, KEY_RETENTION, ClientConfig, Settings
from pydantic import ValidationError


def test_development_defaults() -> None:
    settings = Settings(environment="development")

    assert settings.auth_issuer == "http://127.0.0.1:8001"
    assert settings.token_ttl_seconds == 300
    assert settings.keys_dir == Path("var/auth-keys")
    assert settings.clients == [DEV_CLIENT]
    assert settings.port == 8001


def test_production_refuses_the_development_client(store: KeyStore, worker: ClientConfig) -> None:
    with pytest.raises(ValidationError, match="clients still has its development default"):
        Settings(environment="production", keys_dir=store.directory, clients=[worker, DEV_CLIENT])


def test_production_refuses_the_development_secret(store: KeyStore, worker: ClientConfig) -> None:
    renamed = DEV_CLIENT.model_copy(update={"client_id": "renamed", "audiences": ["orders"]})

    with pytest.raises(ValidationError, match="clients"):
        Settings(environment="staging", keys_dir=store.directory, clients=[renamed])


def test_production_refuses_wildcard_grants(store: KeyStore, worker: ClientConfig) -> None:
    greedy = worker.model_copy(update={"scopes": ["*"]})

    with pytest.raises(ValidationError, match="clients: 'orders-worker' uses the wildcard"):
        Settings(environment="production", keys_dir=store.directory, clients=[greedy])


def test_production_refuses_missing_keys(tmp_path: Path, worker: ClientConfig) -> None:
    with pytest.raises(ValidationError, match="keys_dir: no active signing key"):
        Settings(environment="production", keys_dir=tmp_path / "empty", clients=[worker])


def test_production_refuses_bootstrapped_keys(keys_dir: Path, worker: ClientConfig) -> None:
    KeyStore(keys_dir, retention=KEY_RETENTION).ensure_active_key()

    with pytest.raises(ValidationError, match=r"keys_dir: the active key .* automatically"):
        Settings(environment="production", keys_dir=keys_dir, clients=[worker])


def test_production_accepts_provisioned_keys_and_real_clients(
    store: KeyStore, worker: ClientConfig
) -> None:
    settings = Settings(environment="production", keys_dir=store.directory, clients=[worker])

    assert settings.clients == [worker]


def test_clients_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, worker: ClientConfig
) -> None:
    monkeypatch.setenv("CLIENTS", f"[{worker.model_dump_json()}]")
    monkeypatch.setenv("TOKEN_TTL_SECONDS", "120")

    settings = Settings()

    assert settings.clients == [worker]
    assert settings.token_ttl_seconds == 120


@pytest.mark.parametrize("ttl", [0, 3601])
def test_token_lifetime_is_bounded(ttl: int) -> None:
    with pytest.raises(ValidationError, match="token_ttl_seconds"):
        Settings(token_ttl_seconds=ttl)


@pytest.mark.parametrize("issuer", ["auth.example.com", "ftp://auth.example.com", "https://a/?x=1"])
def test_issuer_must_be_a_base_url(issuer: str) -> None:
    with pytest.raises(ValidationError, match="auth_issuer"):
        Settings(auth_issuer=issuer)


def test_issuer_trailing_slash_is_dropped() -> None:
    assert Settings(auth_issuer="https://auth.example.com/").auth_issuer == (
        "https://auth.example.com"
    )


def test_duplicate_client_ids_are_refused(worker: ClientConfig) -> None:
    with pytest.raises(ValidationError, match="duplicate client_id orders-worker"):
        Settings(clients=[worker, worker])


def test_secret_digest_must_be_sha256_hex(worker: ClientConfig) -> None:
    with pytest.raises(ValidationError, match="secret_sha256"):
        ClientConfig(client_id="x", secret_sha256="plaintext", audiences=["orders"])
