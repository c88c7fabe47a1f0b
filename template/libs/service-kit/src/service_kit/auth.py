"""Bearer token (JWT) verification against the auth service's JWKS, and scope checks.

A service stores a `JWTVerifier` on `app.state.jwt_verifier` when it builds its app;
routes declare `principal: Annotated[Principal, Depends(require_scopes("items:read"))]`.

Everything in a token is attacker-controlled until its signature checks out, and its
claims are only as sane as the issuer: whatever a token holds, verification ends in a
`TokenError` (a 401), never in an unexpected exception (a 500). The reasons a client sees
are a fixed vocabulary; nothing from the token is echoed back.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import structlog
from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

# Asymmetric algorithms only: `none` and the HMAC family would let anyone holding the
# (public) verification key mint tokens.
ALLOWED_ALGORITHMS: tuple[str, ...] = ("ES256", "RS256")
_KEY_TYPES = {"ES256": "EC", "RS256": "RSA"}
# Claims a token must carry; `nbf` is checked when present.
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub")
# NumericDate claims (RFC 7519 section 2): JSON numbers only. PyJWT would also accept a
# numeric string such as "9999999999", which no conforming issuer produces.
TIME_CLAIMS = ("exp", "iat", "nbf")
# RFC 9068 section 4: an access token's `typ` header is `at+jwt`; checking it keeps ID
# tokens and other JWTs signed by the same keys from being used as access tokens.
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
# Longest `exp - iat` accepted, in seconds. The auth service issues tokens for at most an
# hour (`TOKEN_TTL_SECONDS` <= 3600); a longer-lived token was minted by something else.
DEFAULT_MAX_TOKEN_LIFETIME = 3600

_logger = structlog.stdlib.get_logger("service_kit.auth")


class TokenError(Exception):
    """The token was rejected; `reason` is safe to return to the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class JWKSUnavailableError(Exception):
    """The signing keys could not be fetched, so no token can be verified right now."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: `subject` is the `sub` claim (a client id)."""

    subject: str
    scopes: frozenset[str]
    claims: Mapping[str, Any] = field(repr=False)


def _is_numeric_date(value: object) -> bool:
    # bool is an int subclass; `true` is not a date. NaN and infinity never get here
    # (PyJWT's own checks fail on them first) but are refused all the same.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _scopes_of(claims: Mapping[str, Any]) -> frozenset[str]:
    # RFC 8693 `scope` is a space-separated string; some issuers send a `scp` list.
    scope = claims.get("scope", claims.get("scp", ""))
    if isinstance(scope, str):
        return frozenset(scope.split())
    if isinstance(scope, list):
        return frozenset(str(item) for item in scope)
    return frozenset()


class JWTVerifier:
    """Verifies ES256/RS256 JWTs: signature, `exp`, `nbf`, `iss`, `aud`.

    `jwks` is the JWKS URL of the issuer (keys are cached for `cache_ttl` seconds and
    fetched again once when a token names an unknown `kid`, which is how key rotation
    reaches verifiers) or a JWKS document (tests, static configuration).
    `leeway` tolerates clock skew between the issuer and this service, in seconds.
    `max_lifetime` bounds `exp - iat`, in seconds, so a leaked long-lived token is refused.
    """

    def __init__(
        self,
        jwks: str | Mapping[str, Any],
        issuer: str,
        audience: str | Sequence[str],
        leeway: float = 30,
        *,
        max_lifetime: float = DEFAULT_MAX_TOKEN_LIFETIME,
        cache_ttl: float = 300,
        min_refresh_interval: float = 10,
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.issuer = issuer
        self.audience = audience if isinstance(audience, str) else list(audience)
        self.leeway = leeway
        self.max_lifetime = max_lifetime
        self._url = jwks if isinstance(jwks, str) else None
        self._cache_ttl = cache_ttl
        self._min_interval = min_refresh_interval
        self._http_client = http_client
        self._timeout = timeout
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._last_forced: float | None = None
        self._last_failure: float | None = None
        self._generation = 0
        self._lock = asyncio.Lock()
        if not isinstance(jwks, str):
            self._keys = _parse_jwks(jwks)
            self._fetched_at = time.monotonic()

    async def verify(self, token: str) -> dict[str, Any]:
        """Return the token's claims, or raise `TokenError` (or `JWKSUnavailableError`)."""
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            # PyJWT raises plain `InvalidTokenError` for some header faults (a non-string
            # `kid`), `DecodeError` for others; both are a malformed token.
            raise TokenError("malformed token") from exc
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in ALLOWED_ALGORITHMS:
            raise TokenError("algorithm is not accepted")
        token_type = header.get("typ")
        if not isinstance(token_type, str) or token_type.lower() not in ACCESS_TOKEN_TYPES:
            raise TokenError("not an access token")
        key = await self._key_for(header.get("kid"))
        if key.key_type != _KEY_TYPES[algorithm]:
            raise TokenError("key type does not match the token algorithm")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("token expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenError("token not yet valid") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError("invalid audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenError("invalid issuer") from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenError("invalid signature") from exc
        except jwt.MissingRequiredClaimError as exc:
            claim = exc.claim if exc.claim in REQUIRED_CLAIMS else "required"
            raise TokenError(f"missing claim {claim!r}") from exc
        except (jwt.InvalidTokenError, ValueError, TypeError, OverflowError) as exc:
            # ValueError/OverflowError: PyJWT calls int() on time claims, which fails on
            # NaN and infinity (JSON numbers such as 1e400 parse to infinity).
            raise TokenError("invalid token") from exc
        self._check_times(claims)
        return claims

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        for name in TIME_CLAIMS:
            if name in claims and not _is_numeric_date(claims[name]):
                raise TokenError(f"claim {name!r} is not a number")
        if claims["exp"] - claims["iat"] > self.max_lifetime:
            raise TokenError("token lifetime is too long")

    async def _key_for(self, kid: object) -> jwt.PyJWK:
        if self._url is not None and self._expired():
            await self._refresh(force=False)
        if kid is None:
            # Without `kid` the key is only unambiguous when the issuer publishes one key.
            if len(self._keys) == 1:
                return next(iter(self._keys.values()))
            raise TokenError("token has no key id")
        if not isinstance(kid, str):
            raise TokenError("malformed token")
        key = self._keys.get(kid)
        if key is None and self._url is not None:
            # The issuer may have rotated to a key we have not seen yet: fetch once more.
            await self._refresh(force=True)
            key = self._keys.get(kid)
        if key is None:
            raise TokenError("unknown signing key")
        return key

    def _expired(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > self._cache_ttl

    async def _refresh(self, *, force: bool) -> None:
        generation = self._generation
        async with self._lock:
            if self._generation != generation:
                return  # another request refreshed the keys while this one waited
            now = time.monotonic()
            if force:
                # Tokens with made-up `kid`s must not make us hammer the issuer.
                if self._last_forced is not None and now - self._last_forced < self._min_interval:
                    return
                self._last_forced = now
            elif not self._expired():
                return
            elif self._last_failure is not None and now - self._last_failure < self._min_interval:
                if not self._keys:
                    raise JWKSUnavailableError(f"cannot fetch JWKS from {self._url}")
                return
            try:
                keys = _parse_jwks(await self._fetch())
            except (httpx.HTTPError, ValueError) as exc:
                self._last_failure = now
                if not self._keys:
                    raise JWKSUnavailableError(f"cannot fetch JWKS from {self._url}") from exc
                # Keep verifying with the keys we have; the issuer may be briefly down.
                _logger.warning("JWKS refresh failed; using cached keys", error=repr(exc))
                return
            self._keys = keys
            self._fetched_at = now
            self._generation += 1

    async def _fetch(self) -> Mapping[str, Any]:
        assert self._url is not None  # noqa: S101 - only called for URL sources
        if self._http_client is not None:
            response = await self._http_client.get(self._url, timeout=self._timeout)
        else:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.get(self._url)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("JWKS is not a JSON object")
        return document


def _parse_jwks(document: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    """Index the usable signing keys by `kid`; keys for other uses or algorithms are skipped."""
    keys: dict[str, jwt.PyJWK] = {}
    raw_keys = document.get("keys")
    if not isinstance(raw_keys, list):
        raise ValueError("JWKS has no 'keys' list")
    for index, raw in enumerate(raw_keys):
        if not isinstance(raw, dict) or raw.get("use", "sig") != "sig":
            continue
        if raw.get("kty") not in _KEY_TYPES.values():
            continue
        if raw.get("alg") is not None and raw["alg"] not in ALLOWED_ALGORITHMS:
            continue
        try:
            key = jwt.PyJWK(raw)
        except (jwt.PyJWKError, jwt.InvalidKeyError) as exc:
            _logger.warning("skipping unusable JWK", index=index, error=repr(exc))
            continue
        keys[str(raw.get("kid", f"key-{index}"))] = key
    return keys


_bearer = HTTPBearer(
    scheme_name="bearerAuth",
    bearerFormat="JWT",
    description="Access token from the auth service (`POST /oauth/token`).",
    auto_error=False,
)


# Anything but the characters a `WWW-Authenticate` quoted-string may carry unescaped
# (RFC 9110 section 5.6.4 qdtext, restricted to printable ASCII so that every HTTP stack
# can encode the header).
_UNSAFE_IN_QUOTED_STRING = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def quoted_string(value: str, *, max_length: int = 200) -> str:
    """`value` as an HTTP quoted-string: anything but printable ASCII becomes `?`, and the
    result is cut to `max_length` characters. Reasons are fixed text today; this keeps a
    future reason that includes token content from breaking or injecting into the header."""
    safe = _UNSAFE_IN_QUOTED_STRING.sub("?", value[:max_length])
    return f'"{safe}"'


def _unauthorized(reason: str | None) -> HTTPException:
    # RFC 6750 section 3: no error code when no token was sent at all.
    challenge = "Bearer"
    if reason is not None:
        challenge = f'Bearer error="invalid_token", error_description={quoted_string(reason)}'
    return HTTPException(
        status_code=401,
        detail=reason or "missing bearer token",
        headers={"WWW-Authenticate": challenge},
    )


def require_scopes(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """FastAPI dependency: a valid bearer token carrying every scope in `scopes`.

    Answers 401 (with `WWW-Authenticate: Bearer`) for a missing or invalid token and 403
    for a token lacking a scope. The verifier is `request.app.state.jwt_verifier`.
    """
    required = frozenset(scopes)
    bearer = Security(_bearer, scopes=sorted(required))

    async def dependency(
        request: Request,
        # `Security` rather than `Depends`: the OpenAPI document then lists the scopes in
        # the operation's security requirement, where clients and tests read them.
        credentials: HTTPAuthorizationCredentials | None = bearer,
    ) -> Principal:
        verifier: JWTVerifier | None = getattr(request.app.state, "jwt_verifier", None)
        if verifier is None:
            msg = "app.state.jwt_verifier is not set; assign a JWTVerifier when creating the app"
            raise RuntimeError(msg)
        if credentials is None:
            raise _unauthorized(None)
        try:
            claims = await verifier.verify(credentials.credentials)
        except TokenError as exc:
            raise _unauthorized(exc.reason) from exc
        except JWKSUnavailableError as exc:
            raise HTTPException(503, detail="token signing keys are unavailable") from exc
        principal = Principal(subject=str(claims["sub"]), scopes=_scopes_of(claims), claims=claims)
        missing = required - principal.scopes
        if missing:
            wanted = " ".join(sorted(required))
            raise HTTPException(
                status_code=403,
                detail=f"missing scope: {' '.join(sorted(missing))}",
                headers={
                    "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{wanted}"'
                },
            )
        request.state.principal = principal
        return principal

    return dependency
