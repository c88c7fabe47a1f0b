"""Issued tokens as a service sees them: only genuine, current tokens for it verify."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from auth_service.keys import KeyStore, SigningKey
from auth_service.settings import KEY_RETENTION, MAX_TOKEN_TTL_SECONDS, ClientConfig, Settings
from auth_service.tokens import Grant, issue_token
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from service_kit.auth import DEFAULT_MAX_TOKEN_LIFETIME, JWTVerifier, TokenError

TokenRequest = Callable[..., httpx.Response]
Verify = Callable[..., dict[str, Any]]


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def grant(worker: ClientConfig) -> Grant:
    return Grant(subject=worker.client_id, audience="orders", scopes=("orders:read",))


def test_genuine_token_verifies(request_token: TokenRequest, verify: Verify) -> None:
    assert verify(request_token().json()["access_token"])["aud"] == "orders"


def test_tampered_payload_is_rejected(request_token: TokenRequest, verify: Verify) -> None:
    header, payload, signature = request_token().json()["access_token"].split(".")
    claims = json.loads(_b64url_decode(payload))
    claims["scope"] = "orders:read orders:write orders:admin"
    forged = ".".join([header, _b64url_encode(json.dumps(claims).encode()), signature])

    with pytest.raises(TokenError, match="signature"):
        verify(forged)


def test_flipped_payload_byte_is_rejected(request_token: TokenRequest, verify: Verify) -> None:
    header, payload, signature = request_token().json()["access_token"].split(".")
    raw = bytearray(_b64url_decode(payload))
    raw[len(raw) // 2] ^= 0x01
    flipped = ".".join([header, _b64url_encode(bytes(raw)), signature])

    with pytest.raises(TokenError):
        verify(flipped)


def test_expired_token_is_rejected(
    verify: Verify, store: KeyStore, settings: Settings, grant: Grant
) -> None:
    issued = issue_token(
        grant,
        key=store.active_key(),
        issuer=settings.auth_issuer,
        ttl=settings.token_ttl,
        now=datetime.now(UTC) - timedelta(minutes=10),
    )

    with pytest.raises(TokenError, match="expired"):
        verify(issued.access_token)


def test_wrong_audience_is_rejected(request_token: TokenRequest, verify: Verify) -> None:
    token = request_token(audience="billing").json()["access_token"]

    with pytest.raises(TokenError, match="audience"):
        verify(token, audience="orders")


def test_wrong_issuer_is_rejected(request_token: TokenRequest, store: KeyStore) -> None:
    token = request_token().json()["access_token"]
    verifier = JWTVerifier(store.jwks(), issuer="http://someone-else.test", audience="orders")

    with pytest.raises(TokenError, match="issuer"):
        asyncio.run(verifier.verify(token))


def test_token_signed_by_another_key_is_rejected(
    verify: Verify, store: KeyStore, settings: Settings, grant: Grant
) -> None:
    # Same kid as the genuine key, so the verifier picks the genuine public key.
    impostor = SigningKey(
        kid=store.active_key().kid,
        private_key=ec.generate_private_key(ec.SECP256R1()),
        origin="rotation",
    )

    forged = issue_token(
        grant,
        key=impostor,
        issuer=settings.auth_issuer,
        ttl=settings.token_ttl,
    )

    with pytest.raises(TokenError, match="signature"):
        verify(forged.access_token)


def test_rotation_keeps_old_tokens_valid_until_they_expire(
    app: FastAPI, request_token: TokenRequest, store: KeyStore
) -> None:
    """A service verifying through the JWKS URL keeps accepting tokens across a rotation."""
    old_token = request_token().json()["access_token"]
    old_kid = store.active_key().kid

    # The CLI rotates with its own KeyStore, as another process would.
    new_kid = KeyStore(store.directory, retention=KEY_RETENTION).rotate()
    new_token = request_token().json()["access_token"]

    async def verify_both() -> tuple[dict[str, Any], dict[str, Any]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://auth.test") as http:
            verifier = JWTVerifier(
                "http://auth.test/.well-known/jwks.json",
                issuer="http://auth.test",
                audience="orders",
                http_client=http,
            )
            return await verifier.verify(old_token), await verifier.verify(new_token)

    old_claims, new_claims = asyncio.run(verify_both())

    assert new_kid != old_kid
    assert old_claims["aud"] == new_claims["aud"] == "orders"
    published = [key["kid"] for key in store.jwks()["keys"]]
    assert published == [new_kid, old_kid]


def test_retired_key_leaves_the_jwks_after_retention(store: KeyStore, settings: Settings) -> None:
    old_kid = store.active_key().kid
    rotated_at = datetime.now(UTC)
    new_kid = store.rotate(now=rotated_at)

    # The last token the old key signed expires at most one maximum lifetime later.
    assert timedelta(seconds=settings.token_ttl_seconds) < KEY_RETENTION
    just_before = rotated_at + KEY_RETENTION - timedelta(seconds=1)
    assert [key["kid"] for key in store.jwks(now=just_before)["keys"]] == [new_kid, old_kid]
    after = rotated_at + KEY_RETENTION
    assert [key["kid"] for key in store.jwks(now=after)["keys"]] == [new_kid]


def test_longest_token_the_service_issues_passes_the_lifetime_bound(
    verify: Verify, store: KeyStore, settings: Settings, grant: Grant
) -> None:
    # Verifiers refuse tokens living longer than DEFAULT_MAX_TOKEN_LIFETIME; the auth
    # service must never issue one, whatever TOKEN_TTL_SECONDS says.
    assert MAX_TOKEN_TTL_SECONDS <= DEFAULT_MAX_TOKEN_LIFETIME
    longest = issue_token(
        grant,
        key=store.active_key(),
        issuer=settings.auth_issuer,
        ttl=timedelta(seconds=MAX_TOKEN_TTL_SECONDS),
    )
    too_long = issue_token(
        grant,
        key=store.active_key(),
        issuer=settings.auth_issuer,
        ttl=timedelta(seconds=DEFAULT_MAX_TOKEN_LIFETIME + 1),
    )

    assert verify(longest.access_token)["aud"] == "orders"
    with pytest.raises(TokenError, match="lifetime"):
        verify(too_long.access_token)
