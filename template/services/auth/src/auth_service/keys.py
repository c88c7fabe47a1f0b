"""ES256 signing keys on disk, with rotation and a JWKS view.

Layout of the keys directory (mode 0700, every file 0600):

- ``<kid>.pem``: one PKCS#8 private key per key;
- ``keys.json``: metadata, ``{"keys": [{"kid", "created_at", "retired_at", "origin"}]}``;
- ``.lock``: taken while the directory changes, so two processes never both add a key;
- ``.gitignore``: ignores everything, so a key directory inside a checkout is never committed.

Exactly one key is active (``retired_at`` is null); it signs every new token. Rotation
retires it and creates a new one. A retired key stays in the JWKS until every token it
signed has expired (retirement + the longest token lifetime + leeway) and is then deleted.
Running processes notice a rotation by the metadata file changing, so rotating does not
need a restart.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = "ES256"
METADATA_FILE = "keys.json"
LOCK_FILE = ".lock"
# ES256 is ECDSA on P-256 with SHA-256 (RFC 7518 section 3.4); coordinates are 32 bytes.
_CURVE_NAME = "P-256"
_COORDINATE_BYTES = 32

KeyOrigin = Literal["rotation", "bootstrap"]


class KeyStoreError(RuntimeError):
    """The key directory is missing, unreadable or inconsistent."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The required members of an EC public JWK (RFC 7518 section 6.2.1)."""
    numbers = public_key.public_numbers()
    return {
        "crv": _CURVE_NAME,
        "kty": "EC",
        "x": _b64url(numbers.x.to_bytes(_COORDINATE_BYTES, "big")),
        "y": _b64url(numbers.y.to_bytes(_COORDINATE_BYTES, "big")),
    }


def thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 JWK thumbprint: SHA-256 over the required members, sorted, no whitespace.

    Using it as the ``kid`` makes key ids derived from the key itself: stable across
    restarts and replicas, and impossible to collide by accident.
    """
    canonical = json.dumps(public_jwk(public_key), sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


@dataclass(frozen=True)
class KeyMetadata:
    kid: str
    created_at: datetime
    retired_at: datetime | None
    origin: KeyOrigin

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "created_at": self.created_at.isoformat(),
            "retired_at": self.retired_at.isoformat() if self.retired_at else None,
            "origin": self.origin,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyMetadata:
        retired_at = data.get("retired_at")
        origin = data.get("origin", "rotation")
        if origin not in ("rotation", "bootstrap"):
            raise KeyStoreError(f"key {data.get('kid')!r} has an unknown origin {origin!r}")
        return cls(
            kid=str(data["kid"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            retired_at=datetime.fromisoformat(retired_at) if retired_at else None,
            origin=origin,
        )


@dataclass(frozen=True)
class SigningKey:
    """The active key: what tokens.py needs to sign a JWT."""

    kid: str
    private_key: ec.EllipticCurvePrivateKey
    origin: KeyOrigin


class KeyStore:
    """Reads and changes the key directory.

    ``retention`` is how long a retired key stays published: at least the longest token
    lifetime the service can issue plus the clock leeway verifiers allow.
    """

    def __init__(self, directory: Path, *, retention: timedelta) -> None:
        self.directory = directory
        self.retention = retention
        # Metadata is re-read only when the file changes (a rotation by another process).
        self._metadata_stamp: tuple[int, int] | None = None
        self._metadata: list[KeyMetadata] = []
        # Keys are immutable once written, so a loaded key is cached by kid for good.
        self._private_keys: dict[str, ec.EllipticCurvePrivateKey] = {}

    @property
    def _metadata_path(self) -> Path:
        return self.directory / METADATA_FILE

    # Reading

    def metadata(self) -> list[KeyMetadata]:
        """Every key on record, oldest first; empty when the directory was never set up."""
        try:
            stat = self._metadata_path.stat()
        except FileNotFoundError:
            self._metadata_stamp, self._metadata = None, []
            return []
        stamp = (stat.st_mtime_ns, stat.st_ino)
        if stamp != self._metadata_stamp:
            try:
                document = json.loads(self._metadata_path.read_text(encoding="utf-8"))
                self._metadata = [KeyMetadata.from_json(item) for item in document["keys"]]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise KeyStoreError(f"cannot read {self._metadata_path}: {exc}") from exc
            self._metadata_stamp = stamp
        return list(self._metadata)

    def active_metadata(self) -> KeyMetadata | None:
        active = [key for key in self.metadata() if key.retired_at is None]
        if len(active) > 1:
            raise KeyStoreError(f"{self._metadata_path} marks {len(active)} keys active")
        return active[0] if active else None

    def active_key(self) -> SigningKey:
        """The key that signs new tokens; raises :class:`KeyStoreError` when there is none."""
        meta = self.active_metadata()
        if meta is None:
            raise KeyStoreError(
                f"no active signing key in {self.directory}; "
                "create one with `python -m auth_service rotate-keys`"
            )
        return SigningKey(
            kid=meta.kid, private_key=self._load_private(meta.kid), origin=meta.origin
        )

    def jwks(self, *, now: datetime | None = None) -> dict[str, list[dict[str, str]]]:
        """Public keys verifiers may meet: the active key and retired keys still in retention."""
        now = now or datetime.now(UTC)
        keys = []
        for meta in reversed(self.metadata()):  # newest first: the active key leads
            if meta.retired_at is not None and meta.retired_at + self.retention <= now:
                continue
            jwk = public_jwk(self._load_private(meta.kid).public_key())
            keys.append({**jwk, "kid": meta.kid, "use": "sig", "alg": ALGORITHM})
        return {"keys": keys}

    def _load_private(self, kid: str) -> ec.EllipticCurvePrivateKey:
        cached = self._private_keys.get(kid)
        if cached is not None:
            return cached
        path = self.directory / f"{kid}.pem"
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise KeyStoreError(f"cannot load signing key {path}: {exc}") from exc
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
            key.curve, ec.SECP256R1
        ):
            raise KeyStoreError(f"{path} is not a P-256 private key")
        if thumbprint(key.public_key()) != kid:
            raise KeyStoreError(f"{path} does not hold the key its name says ({kid})")
        self._private_keys[kid] = key
        return key

    # Changing

    def rotate(self, *, now: datetime | None = None) -> str:
        """Retire the active key (if any), create and activate a new one; return its kid.

        Keys whose retention has passed are deleted in the same step, so retired
        private keys do not pile up on disk.
        """
        with self._locked():
            return self._rotate_locked(now or datetime.now(UTC), origin="rotation")

    def ensure_active_key(self, *, now: datetime | None = None) -> str:
        """Development bootstrap: create a first key when there is none; return the active kid.

        Keys made here are marked ``bootstrap`` and refused outside development, so a
        key directory that began life on a laptop cannot sign production tokens.
        """
        with self._locked():
            active = self.active_metadata()
            if active is not None:
                return active.kid
            return self._rotate_locked(now or datetime.now(UTC), origin="bootstrap")

    def revoke(self, kid: str) -> None:
        """Remove a retired key at once: it leaves the JWKS and its private key is deleted.

        For a key that may have leaked; tokens it signed stop verifying as soon as
        verifiers refresh their JWKS. The active key cannot be revoked: rotate first.
        """
        with self._locked():
            current = self.metadata()
            target = next((meta for meta in current if meta.kid == kid), None)
            if target is None:
                raise KeyStoreError(f"no key {kid!r} in {self.directory}")
            if target.retired_at is None:
                raise KeyStoreError(f"{kid} is the active key; rotate before revoking it")
            self._write_metadata([meta for meta in current if meta.kid != kid])
            (self.directory / f"{kid}.pem").unlink(missing_ok=True)
            self._private_keys.pop(kid, None)

    def _rotate_locked(self, now: datetime, *, origin: KeyOrigin) -> str:
        private_key = ec.generate_private_key(ec.SECP256R1())
        kid = thumbprint(private_key.public_key())
        self._write_private(kid, private_key)
        kept: list[KeyMetadata] = []
        expired: list[KeyMetadata] = []
        for meta in self.metadata():
            retired_at = meta.retired_at or now
            if retired_at + self.retention <= now:
                expired.append(meta)
            else:
                kept.append(KeyMetadata(meta.kid, meta.created_at, retired_at, meta.origin))
        kept.append(KeyMetadata(kid=kid, created_at=now, retired_at=None, origin=origin))
        # The new key's file exists before the metadata names it, and an expired key
        # leaves the metadata before its file goes: readers never miss a file.
        self._write_metadata(kept)
        for meta in expired:
            (self.directory / f"{meta.kid}.pem").unlink(missing_ok=True)
            self._private_keys.pop(meta.kid, None)
        return kid

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._prepare_directory()
        fd = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _prepare_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask and ignored for an existing directory.
        self.directory.chmod(0o700)
        gitignore = self.directory / ".gitignore"
        if not gitignore.exists():
            _write_private_file(gitignore, b"# Private signing keys: never commit them.\n*\n")

    def _write_private(self, kid: str, key: ec.EllipticCurvePrivateKey) -> None:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private_file(self.directory / f"{kid}.pem", pem)
        self._private_keys[kid] = key

    def _write_metadata(self, keys: list[KeyMetadata]) -> None:
        document = json.dumps({"keys": [key.to_json() for key in keys]}, indent=2) + "\n"
        _write_private_file(self._metadata_path, document.encode("utf-8"))


def _write_private_file(path: Path, content: bytes) -> None:
    """Write atomically (temporary file + rename) with mode 0600 from the first byte."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        # mkstemp already creates the file 0600; chmod makes it independent of that detail.
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
