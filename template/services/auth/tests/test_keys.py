"""The key directory: file permissions, key ids, rotation, retention and reloading."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from auth_service.keys import KeyStore, KeyStoreError, thumbprint
from auth_service.settings import KEY_RETENTION


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private(store: KeyStore) -> None:
    assert _mode(store.directory) == 0o700
    files = list(store.directory.iterdir())
    assert {path.name for path in files} >= {"keys.json", ".gitignore", ".lock"}
    assert all(_mode(path) == 0o600 for path in files)


def test_directory_is_ignored_by_git(store: KeyStore) -> None:
    assert "*" in (store.directory / ".gitignore").read_text().splitlines()


def test_kid_is_the_rfc7638_thumbprint(store: KeyStore) -> None:
    key = store.active_key()

    assert key.kid == thumbprint(key.private_key.public_key())
    assert len(key.kid) == 43  # base64url of 32 bytes, unpadded
    assert (store.directory / f"{key.kid}.pem").is_file()


def test_metadata_records_each_key(keys_dir: Path) -> None:
    store = KeyStore(keys_dir, retention=KEY_RETENTION)
    first_at = datetime(2030, 1, 1, tzinfo=UTC)
    first = store.rotate(now=first_at)
    second = store.rotate(now=first_at + timedelta(days=30))

    document = json.loads((keys_dir / "keys.json").read_text())

    assert document["keys"] == [
        {
            "kid": first,
            "created_at": "2030-01-01T00:00:00+00:00",
            "retired_at": "2030-01-31T00:00:00+00:00",
            "origin": "rotation",
        },
        {
            "kid": second,
            "created_at": "2030-01-31T00:00:00+00:00",
            "retired_at": None,
            "origin": "rotation",
        },
    ]


def test_rotation_deletes_keys_past_retention(keys_dir: Path) -> None:
    store = KeyStore(keys_dir, retention=KEY_RETENTION)
    start = datetime.now(UTC)
    first = store.rotate(now=start)
    second = store.rotate(now=start + timedelta(minutes=1))

    third = store.rotate(now=start + timedelta(minutes=1) + KEY_RETENTION)

    assert [meta.kid for meta in store.metadata()] == [second, third]
    assert not (keys_dir / f"{first}.pem").exists()
    assert (keys_dir / f"{second}.pem").exists()


def test_another_process_rotation_is_picked_up(store: KeyStore) -> None:
    before = store.active_key().kid

    rotated = KeyStore(store.directory, retention=KEY_RETENTION).rotate()

    assert store.active_key().kid == rotated != before


def test_bootstrap_only_creates_a_key_when_there_is_none(keys_dir: Path) -> None:
    store = KeyStore(keys_dir, retention=KEY_RETENTION)

    first = store.ensure_active_key()

    assert store.ensure_active_key() == first
    assert store.active_key().origin == "bootstrap"
    assert len(store.metadata()) == 1


def test_empty_directory_has_no_active_key(keys_dir: Path) -> None:
    store = KeyStore(keys_dir, retention=KEY_RETENTION)

    assert store.jwks() == {"keys": []}
    with pytest.raises(KeyStoreError, match="rotate-keys"):
        store.active_key()


def test_swapped_key_file_is_refused(store: KeyStore, keys_dir: Path) -> None:
    old = store.active_key().kid
    other = KeyStore(keys_dir / "elsewhere", retention=KEY_RETENTION)
    other_kid = other.rotate()
    (keys_dir / f"{old}.pem").write_bytes((other.directory / f"{other_kid}.pem").read_bytes())

    with pytest.raises(KeyStoreError, match="does not hold the key"):
        KeyStore(keys_dir, retention=KEY_RETENTION).active_key()


def test_corrupt_metadata_is_an_error(store: KeyStore) -> None:
    (store.directory / "keys.json").write_text("{not json")

    with pytest.raises(KeyStoreError, match=r"keys\.json"):
        store.active_key()
