"""`python -m auth_service rotate-keys` and `new-client`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import uvicorn
from auth_service.__main__ import main
from auth_service.clients import ClientRegistry
from auth_service.keys import KeyStore
from auth_service.settings import KEY_RETENTION, ClientConfig
from pydantic import ValidationError


def test_rotate_keys_provisions_then_rotates(
    keys_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Production settings cannot load before a key exists; rotate-keys must still work.
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("KEYS_DIR", str(keys_dir))

    assert main(["rotate-keys"]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["rotate-keys"]) == 0
    second = capsys.readouterr().out.strip()

    store = KeyStore(keys_dir, retention=KEY_RETENTION)
    assert store.active_key().kid == second != first
    assert [key["kid"] for key in store.jwks()["keys"]] == [second, first]


def test_new_client_prints_a_working_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new-client", "reports", "--audience", "orders", "--scope", "orders:read"]) == 0

    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    client = ClientConfig.model_validate(json.loads(lines["CLIENTS entry"]))
    assert client.audiences == ["orders"]
    assert client.scopes == ["orders:read"]
    assert len(lines["client_secret"]) >= 43
    assert ClientRegistry([client]).authenticate("reports", lines["client_secret"]) == client
    assert ClientRegistry([client]).authenticate("reports", "guess") is None


def test_new_client_refuses_a_bad_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new-client", "has space", "--audience", "orders"]) == 2
    assert "client_id" in capsys.readouterr().err


def test_serve_runs_the_factory_on_the_configured_address(
    keys_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.setenv("KEYS_DIR", str(keys_dir))
    monkeypatch.setenv("HOST", "127.0.0.2")
    monkeypatch.setenv("PORT", "9001")
    monkeypatch.setenv("MAX_CONCURRENCY", "40")
    monkeypatch.setenv("MAX_HEADER_BYTES", "4096")

    assert main(["serve"]) == 0

    [(args, options)] = calls
    assert args == ("auth_service.app:create_app",)
    assert options["factory"] is True
    assert (options["host"], options["port"]) == ("127.0.0.2", 9001)
    # The connection limits come from the settings.
    assert options["limit_concurrency"] == 40
    assert options["h11_max_incomplete_event_size"] == 4096
    assert options["timeout_keep_alive"] == 5


def test_serve_refuses_production_without_keys(
    keys_dir: Path, worker: ClientConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: pytest.fail("server started"))
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("CLIENTS", f"[{worker.model_dump_json()}]")
    monkeypatch.setenv("KEYS_DIR", str(keys_dir))

    with pytest.raises(ValidationError, match="keys_dir"):
        main(["serve"])


def test_revoke_key_unpublishes_a_retired_key(
    store: KeyStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEYS_DIR", str(store.directory))
    leaked = store.active_key().kid
    current = store.rotate()

    assert main(["revoke-key", current]) == 1
    assert "rotate before revoking" in capsys.readouterr().err
    assert main(["revoke-key", leaked]) == 0

    assert [key["kid"] for key in store.jwks()["keys"]] == [current]
    assert not (store.directory / f"{leaked}.pem").exists()
    assert main(["revoke-key", leaked]) == 1
