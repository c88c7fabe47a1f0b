"""Deciding what a client may have, and signing the access token.

Tokens follow the JWT access-token profile (RFC 9068): header `typ: at+jwt` and the
signing key's `kid`; claims `iss`, `sub` and `client_id` (the client), `aud` (one
service), `exp`, `iat`, `nbf`, `jti` (unique per token) and `scope` (space-separated).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from .keys import ALGORITHM, SigningKey
from .schemas import (
    AUDIENCE_PATTERN,
    MAX_AUDIENCE_LENGTH,
    MAX_SCOPE_LENGTH,
    SCOPE_TOKEN_PATTERN,
)
from .settings import WILDCARD, ClientConfig

_SCOPE_TOKEN = re.compile(f"^{SCOPE_TOKEN_PATTERN}$")
_AUDIENCE = re.compile(AUDIENCE_PATTERN)


class OAuthError(Exception):
    """An error response of the token endpoint (RFC 6749 section 5.2)."""

    def __init__(self, error: str, description: str, *, status_code: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status_code = status_code


@dataclass(frozen=True)
class Grant:
    """What a token will say: who asked, for which service, with which scopes."""

    subject: str
    audience: str
    scopes: tuple[str, ...]

    @property
    def scope(self) -> str:
        return " ".join(self.scopes)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


def resolve_grant(client: ClientConfig, *, audience: str | None, scope: str | None) -> Grant:
    """Check the request against the client's registration.

    Without `audience`, a client registered for exactly one audience gets that one.
    Without `scope`, the client gets every scope it is registered for (RFC 6749 section
    3.3 lets the server pick a default); a wildcard client must name its scopes.
    """
    return Grant(
        subject=client.client_id,
        audience=_resolve_audience(client, audience),
        scopes=_resolve_scopes(client, scope),
    )


def _resolve_audience(client: ClientConfig, audience: str | None) -> str:
    if audience is None or audience == "":
        if len(client.audiences) == 1 and client.audiences[0] != WILDCARD:
            return client.audiences[0]
        raise OAuthError("invalid_request", "audience is required for this client")
    if len(audience) > MAX_AUDIENCE_LENGTH or not _AUDIENCE.fullmatch(audience):
        raise OAuthError("invalid_request", "audience is malformed")
    if audience != WILDCARD and (audience in client.audiences or WILDCARD in client.audiences):
        return audience
    raise OAuthError(
        "unauthorized_client",
        f"client {client.client_id!r} may not request tokens for audience {audience!r}",
    )


def _resolve_scopes(client: ClientConfig, scope: str | None) -> tuple[str, ...]:
    if scope is None or scope == "":
        if WILDCARD in client.scopes:
            raise OAuthError("invalid_scope", "scope is required for this client")
        return tuple(client.scopes)
    if len(scope) > MAX_SCOPE_LENGTH:
        raise OAuthError("invalid_scope", "scope is too long")
    requested = scope.split(" ")
    if any(not _SCOPE_TOKEN.fullmatch(token) for token in requested):
        raise OAuthError("invalid_scope", "scope is malformed")
    # Order is kept and duplicates dropped, so the granted scope reads like the request.
    unique = tuple(dict.fromkeys(requested))
    if WILDCARD in unique:
        raise OAuthError("invalid_scope", f"{WILDCARD!r} is not a scope")
    if WILDCARD not in client.scopes:
        refused = [token for token in unique if token not in client.scopes]
        if refused:
            raise OAuthError(
                "invalid_scope",
                f"client {client.client_id!r} may not request scope {' '.join(refused)!r}",
            )
    return unique


def issue_token(
    grant: Grant,
    *,
    key: SigningKey,
    issuer: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> IssuedToken:
    """Sign an access token for `grant` with `key`, valid from `now` for `ttl`."""
    issued_at = (now or datetime.now(UTC)).replace(microsecond=0)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": grant.subject,
        "client_id": grant.subject,
        "aud": grant.audience,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + ttl,
        "jti": uuid.uuid4().hex,
        "scope": grant.scope,
    }
    token = jwt.encode(
        claims,
        key.private_key,
        algorithm=ALGORITHM,
        headers={"kid": key.kid, "typ": "at+jwt"},
    )
    return IssuedToken(access_token=token, expires_in=int(ttl.total_seconds()), scope=grant.scope)
