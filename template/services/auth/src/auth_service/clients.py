"""The registry of machine clients and the client-secret check.

Secrets are stored as SHA-256 digests, not with a slow password hash (bcrypt, scrypt,
Argon2). Slow hashes exist to make guessing low-entropy, human-chosen passwords
expensive after a leak. Client secrets here are machine-generated random strings
(`python -m auth_service new-client` draws 256 bits from `secrets`): a leaked digest
of such a secret cannot be reversed by guessing at any hash speed, and a fast hash
keeps the token endpoint cheap under load.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from .settings import ClientConfig

# Compared against when the client id is unknown, so that an unknown id and a wrong
# secret take the same time and an attacker cannot enumerate client ids by timing.
_UNKNOWN_CLIENT_DIGEST = hashlib.sha256(b"unknown client").hexdigest()


def hash_secret(secret: str) -> str:
    """The value to put in a client's `secret_sha256`."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def generate_secret() -> str:
    """A new client secret: 32 random bytes, URL-safe base64."""
    return secrets.token_urlsafe(32)


class ClientRegistry:
    def __init__(self, clients: Iterable[ClientConfig]) -> None:
        self._clients = {client.client_id: client for client in clients}

    def authenticate(self, client_id: str, secret: str) -> ClientConfig | None:
        """The client when the secret matches, otherwise None (unknown id or wrong secret)."""
        client = self._clients.get(client_id)
        expected = client.secret_sha256 if client else _UNKNOWN_CLIENT_DIGEST
        matches = hmac.compare_digest(hash_secret(secret), expected)
        return client if client is not None and matches else None
