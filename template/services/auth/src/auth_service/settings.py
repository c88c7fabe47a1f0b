"""Configuration of the token service, read from environment variables.

| variable | default | meaning |
|---|---|---|
| `AUTH_ISSUER` | `http://127.0.0.1:8001` | `iss` of every token; base of the published URLs |
| `TOKEN_TTL_SECONDS` | `300` | lifetime of an access token (1 to 3600) |
| `KEYS_DIR` | `var/auth-keys` | directory of the signing keys (see keys.py) |
| `CLIENTS` | the development client | JSON list of client registrations (`ClientConfig`) |
| `HOST`, `PORT` | `127.0.0.1`, `8001` | where `python -m auth_service serve` listens |
| `TOKEN_FAILURE_LIMIT_PER_CLIENT` | `10/minute` | failed authentications per client id (429) |
| `TOKEN_FAILURE_LIMIT_PER_ADDRESS` | `30/minute` | failed authentications per address (429) |

Outside development and test the settings refuse the development client, wildcard
grants, and a key directory without a provisioned (not bootstrapped) active key.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings
from service_kit import ServiceSettings
from service_kit.settings import refuse_default_secret

from .keys import KeyStore, KeyStoreError
from .throttle import DEFAULT_LIMIT_PER_ADDRESS, DEFAULT_LIMIT_PER_CLIENT, parse_limit

DEFAULT_ISSUER = "http://127.0.0.1:8001"
DEFAULT_KEYS_DIR = Path("var/auth-keys")
DEFAULT_TOKEN_TTL_SECONDS = 300
# Upper bound of TOKEN_TTL_SECONDS. Retired keys stay published for this long (plus
# leeway) whatever the current setting, so lowering the TTL never strands live tokens.
MAX_TOKEN_TTL_SECONDS = 3600
# Clock skew verifiers tolerate plus time for them to refresh a cached JWKS.
KEY_RETENTION_LEEWAY = timedelta(minutes=5)
KEY_RETENTION = timedelta(seconds=MAX_TOKEN_TTL_SECONDS) + KEY_RETENTION_LEEWAY

# Grants every audience or every scope; only the development client may use it.
WILDCARD = "*"
DEV_CLIENT_ID = "dev-client"
# Published on purpose: the development client is refused outside development.
DEV_CLIENT_SECRET = "dev-secret"  # noqa: S105  # pragma: allowlist secret
DEV_CLIENT_SECRET_SHA256 = hashlib.sha256(DEV_CLIENT_SECRET.encode()).hexdigest()

# RFC 6749 section 2.2 allows any printable ASCII in a client_id; a narrower alphabet keeps
# ids safe to log and to put in a `sub` claim. Scope tokens follow RFC 6749 section 3.3.
ClientId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._~:-]+$")]
ScopeToken = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[\x21\x23-\x5b\x5d-\x7e]+$")
]
Audience = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")]


class ClientConfig(BaseModel):
    """One machine client allowed to ask for tokens (an entry of `CLIENTS`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: ClientId
    # Hex SHA-256 of the client secret; the secret itself is never stored (see clients.py).
    secret_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    audiences: Annotated[list[Audience], Field(min_length=1)]
    scopes: list[ScopeToken] = []

    @field_validator("secret_sha256", mode="before")
    @classmethod
    def _lowercase_hash(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


DEV_CLIENT = ClientConfig(
    client_id=DEV_CLIENT_ID,
    secret_sha256=DEV_CLIENT_SECRET_SHA256,
    audiences=[WILDCARD],
    scopes=[WILDCARD],
)


class KeyStoreSettings(BaseSettings):
    """The one setting key management needs: `rotate-keys` must run before any key exists,
    so it cannot load :class:`Settings`, which refuses a key directory without a key."""

    model_config = ServiceSettings.model_config

    keys_dir: Path = DEFAULT_KEYS_DIR


class Settings(ServiceSettings):
    service_name: str = "auth"
    auth_issuer: str = DEFAULT_ISSUER
    token_ttl_seconds: Annotated[int, Field(ge=1, le=MAX_TOKEN_TTL_SECONDS)] = (
        DEFAULT_TOKEN_TTL_SECONDS
    )
    keys_dir: Path = DEFAULT_KEYS_DIR
    clients: list[ClientConfig] = Field(default_factory=lambda: [DEV_CLIENT])
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8001
    # Moving-window limits in the `limits` notation, e.g. `10/minute` (see throttle.py).
    token_failure_limit_per_client: str = DEFAULT_LIMIT_PER_CLIENT
    token_failure_limit_per_address: str = DEFAULT_LIMIT_PER_ADDRESS

    @field_validator("token_failure_limit_per_client", "token_failure_limit_per_address")
    @classmethod
    def _is_a_limit(cls, value: str) -> str:
        try:
            parse_limit(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a limit such as '10/minute'") from exc
        return value

    @field_validator("auth_issuer")
    @classmethod
    def _issuer_is_base_url(cls, value: str) -> str:
        # RFC 8414 section 2: an https (here also http, for local use) URL without query
        # or fragment. The trailing slash is dropped so `iss` matches verifiers exactly.
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("auth_issuer must be an absolute http(s) URL")
        if parts.query or parts.fragment:
            raise ValueError("auth_issuer must not have a query or fragment")
        return value.rstrip("/")

    @field_validator("clients")
    @classmethod
    def _unique_client_ids(cls, value: list[ClientConfig]) -> list[ClientConfig]:
        ids = [client.client_id for client in value]
        duplicates = sorted({client_id for client_id in ids if ids.count(client_id) > 1})
        if duplicates:
            raise ValueError(f"clients: duplicate client_id {', '.join(duplicates)}")
        return value

    @model_validator(mode="after")
    def _refuse_development_defaults(self) -> Self:
        if self.is_development:
            return self
        for client in self.clients:
            refuse_default_secret(client.client_id, DEV_CLIENT_ID, self.environment, "clients")
            refuse_default_secret(
                client.secret_sha256, DEV_CLIENT_SECRET_SHA256, self.environment, "clients"
            )
            if WILDCARD in client.audiences or WILDCARD in client.scopes:
                raise ValueError(
                    f"clients: {client.client_id!r} uses the wildcard {WILDCARD!r}, which only "
                    f"the development client may use (environment is {self.environment!r})"
                )
        self._require_provisioned_key()
        return self

    def _require_provisioned_key(self) -> None:
        """Outside development nothing creates keys on the fly: the operator provisions
        them with `rotate-keys`, so a missing or bootstrapped key is a deployment error."""
        store = KeyStore(self.keys_dir, retention=KEY_RETENTION)
        try:
            active = store.active_metadata()
        except KeyStoreError as exc:
            raise ValueError(f"keys_dir: {exc}") from exc
        if active is None:
            raise ValueError(
                f"keys_dir: no active signing key in {self.keys_dir} (environment is "
                f"{self.environment!r}); create one with `python -m auth_service rotate-keys`"
            )
        if active.origin == "bootstrap":
            raise ValueError(
                f"keys_dir: the active key in {self.keys_dir} was generated automatically for "
                "development; run `python -m auth_service rotate-keys` to replace it"
            )

    @property
    def token_ttl(self) -> timedelta:
        return timedelta(seconds=self.token_ttl_seconds)

    def key_store(self) -> KeyStore:
        return KeyStore(self.keys_dir, retention=KEY_RETENTION)
