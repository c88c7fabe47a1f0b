"""Test helpers: sign tokens the way the auth service does, with keys made on the spot.

A test builds a `TokenFactory`, sets `app.state.jwt_verifier = tokens.verifier()` and
sends `headers=tokens.headers(scopes=["items:read"])`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from .auth import JWTVerifier

DEFAULT_ISSUER = "http://auth.test"
DEFAULT_AUDIENCE = "test-service"
DEFAULT_SUBJECT = "test-client"
# RFC 9068 access tokens, as the auth service issues them.
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type, not a credential


@dataclass(frozen=True)
class SigningKey:
    """An ES256 (P-256) private key and the `kid` tokens signed with it carry."""

    kid: str
    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls, kid: str) -> SigningKey:
        return cls(kid=kid, private_key=ec.generate_private_key(ec.SECP256R1()))

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "alg": "ES256", "use": "sig"}


class TokenFactory:
    """Makes an ES256 key, publishes it with `jwks()` and signs tokens with `token()`."""

    def __init__(
        self,
        *,
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
        kid: str = "test-key-1",
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.key = SigningKey.generate(kid)

    def jwks(self, *extra_keys: SigningKey) -> dict[str, Any]:
        """The JWKS document: the factory's key plus `extra_keys` (rotation tests)."""
        return {"keys": [key.public_jwk() for key in (self.key, *extra_keys)]}

    def other_key(self, kid: str | None = None) -> SigningKey:
        """A key that is not in `jwks()`. With the default (the factory's own `kid`) a
        token signed with it fails signature verification, like a forgery would."""
        return SigningKey.generate(kid or self.key.kid)

    def verifier(self, *, leeway: float = 30) -> JWTVerifier:
        """A verifier trusting this factory's key, issuer and audience."""
        return JWTVerifier(self.jwks(), issuer=self.issuer, audience=self.audience, leeway=leeway)

    def token(
        self,
        *,
        sub: str = DEFAULT_SUBJECT,
        aud: str | list[str] | None = None,
        scopes: Iterable[str] | str = (),
        expires_in: int = 300,
        not_before_in: int = 0,
        iss: str | None = None,
        key: SigningKey | None = None,
        claims: Mapping[str, Any] | None = None,
        header: Mapping[str, Any] | None = None,
    ) -> str:
        """A signed token. `expires_in` and `not_before_in` are seconds from now (negative
        `expires_in` makes an expired token); `claims` adds or overrides claims, `header`
        header parameters (the default header is the auth service's: `typ`, `kid`)."""
        now = int(time.time())
        signing_key = key or self.key
        scope = scopes if isinstance(scopes, str) else " ".join(scopes)
        payload: dict[str, Any] = {
            "iss": iss or self.issuer,
            "sub": sub,
            "aud": aud or self.audience,
            "iat": now,
            "nbf": now + not_before_in,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
            "scope": scope,
            **(claims or {}),
        }
        headers = {"typ": ACCESS_TOKEN_TYPE, "kid": signing_key.kid, **(header or {})}
        return jwt.encode(payload, signing_key.private_key, algorithm="ES256", headers=headers)

    def headers(self, **token_options: Any) -> dict[str, str]:
        """`Authorization` header with a token made by `token(**token_options)`."""
        return {"Authorization": f"Bearer {self.token(**token_options)}"}
