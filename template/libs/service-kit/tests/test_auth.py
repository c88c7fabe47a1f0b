import asyncio
import base64
import json
from typing import Annotated, Any

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from service_kit import ServiceSettings, create_service_app
from service_kit.auth import (
    JWKSUnavailableError,
    JWTVerifier,
    Principal,
    TokenError,
    require_scopes,
)
from service_kit.testing import SigningKey, TokenFactory

JWKS_URL = "http://auth.test/.well-known/jwks.json"


@pytest.fixture
def tokens() -> TokenFactory:
    return TokenFactory(issuer="http://auth.test", audience="example")


def make_app(verifier: JWTVerifier) -> FastAPI:
    app = create_service_app(
        ServiceSettings(service_name="example", environment="test"), title="Example", version="1"
    )
    app.state.jwt_verifier = verifier

    @app.get("/v1/read")
    async def read(principal: Annotated[Principal, Depends(require_scopes("items:read"))]) -> Any:
        return {"subject": principal.subject, "scopes": sorted(principal.scopes)}

    @app.get("/v1/write", dependencies=[Depends(require_scopes("items:read", "items:write"))])
    async def write() -> dict[str, bool]:
        return {"written": True}

    return app


def verify(verifier: JWTVerifier, token: str) -> dict[str, Any]:
    return asyncio.run(verifier.verify(token))


def tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = "items:read items:write admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_valid_token_gives_principal(tokens: TokenFactory) -> None:
    with TestClient(make_app(tokens.verifier())) as client:
        response = client.get(
            "/v1/read", headers=tokens.headers(sub="client-a", scopes=["items:read"])
        )

    assert response.status_code == 200
    assert response.json() == {"subject": "client-a", "scopes": ["items:read"]}


def test_missing_token_is_401_with_challenge(tokens: TokenFactory) -> None:
    with TestClient(make_app(tokens.verifier())) as client:
        response = client.get("/v1/read")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        pytest.param(
            lambda t: tamper(t.token(scopes="items:read")), "invalid signature", id="tampered"
        ),
        pytest.param(lambda t: t.token(expires_in=-120), "token expired", id="expired"),
        pytest.param(
            lambda t: t.token(not_before_in=600), "token not yet valid", id="not-yet-valid"
        ),
        pytest.param(
            lambda t: t.token(aud="another-service"), "invalid audience", id="wrong-audience"
        ),
        pytest.param(
            lambda t: t.token(iss="http://evil.test"), "invalid issuer", id="wrong-issuer"
        ),
        pytest.param(lambda t: t.token(key=t.other_key()), "invalid signature", id="wrong-key"),
        pytest.param(
            lambda t: t.token(key=t.other_key("k2")), "unknown signing key", id="unknown-kid"
        ),
        pytest.param(lambda t: "not-a-jwt", "malformed token", id="malformed"),
    ],
)
def test_invalid_tokens_are_401_with_reason(
    tokens: TokenFactory, make_token: Any, reason: str
) -> None:
    with TestClient(make_app(tokens.verifier())) as client:
        response = client.get("/v1/read", headers={"Authorization": f"Bearer {make_token(tokens)}"})

    assert response.status_code == 401
    assert response.json()["detail"] == reason
    assert response.headers["www-authenticate"] == (
        f'Bearer error="invalid_token", error_description="{reason}"'
    )


def test_missing_scope_is_403(tokens: TokenFactory) -> None:
    with TestClient(make_app(tokens.verifier())) as client:
        response = client.get("/v1/write", headers=tokens.headers(scopes=["items:read"]))

    assert response.status_code == 403
    assert response.json()["detail"] == "missing scope: items:write"
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


def test_all_scopes_present(tokens: TokenFactory) -> None:
    with TestClient(make_app(tokens.verifier())) as client:
        response = client.get("/v1/write", headers=tokens.headers(scopes="items:read items:write"))

    assert response.json() == {"written": True}


def test_leeway_tolerates_clock_skew(tokens: TokenFactory) -> None:
    token = tokens.token(expires_in=-10)

    assert verify(tokens.verifier(leeway=30), token)["sub"] == "test-client"
    with pytest.raises(TokenError, match="token expired"):
        verify(tokens.verifier(leeway=0), token)


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_symmetric_and_unsigned_tokens_refused(tokens: TokenFactory, algorithm: str) -> None:
    claims = {"sub": "x", "iss": tokens.issuer, "aud": tokens.audience, "exp": 2**33, "iat": 0}
    key = "a-shared-secret-of-at-least-32-bytes!" if algorithm == "HS256" else ""
    token = jwt.encode(claims, key, algorithm=algorithm, headers={"kid": tokens.key.kid})

    with pytest.raises(TokenError, match="is not accepted"):
        verify(tokens.verifier(), token)


def test_required_claims(tokens: TokenFactory) -> None:
    token = jwt.encode(
        {"iss": tokens.issuer, "aud": tokens.audience, "exp": 2**33, "iat": 0},
        tokens.key.private_key,
        algorithm="ES256",
        headers={"kid": tokens.key.kid, "typ": "at+jwt"},
    )

    with pytest.raises(TokenError, match="missing claim 'sub'"):
        verify(tokens.verifier(), token)


class JWKSServer:
    """A JWKS endpoint behind `httpx.MockTransport` that counts its requests."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.requests = 0
        self.fail = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert str(request.url) == JWKS_URL
        self.requests += 1
        if self.fail:
            return httpx.Response(503)
        return httpx.Response(200, json=self.document)

    def verifier(self, tokens: TokenFactory, **options: Any) -> JWTVerifier:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return JWTVerifier(
            JWKS_URL, issuer=tokens.issuer, audience=tokens.audience, http_client=client, **options
        )


def test_jwks_url_is_fetched_once_and_cached(tokens: TokenFactory) -> None:
    server = JWKSServer(tokens.jwks())
    verifier = server.verifier(tokens)

    async def verify_twice() -> None:
        await verifier.verify(tokens.token())
        await verifier.verify(tokens.token())

    asyncio.run(verify_twice())
    assert server.requests == 1


def test_unknown_kid_refetches_rotated_jwks(tokens: TokenFactory) -> None:
    server = JWKSServer(tokens.jwks())
    verifier = server.verifier(tokens)
    rotated = SigningKey.generate("test-key-2")

    async def scenario() -> None:
        assert (await verifier.verify(tokens.token()))["sub"] == "test-client"
        # The issuer rotates: the new key is published next to the old one.
        server.document = tokens.jwks(rotated)
        claims = await verifier.verify(tokens.token(sub="after-rotation", key=rotated))
        assert claims["sub"] == "after-rotation"
        assert server.requests == 2
        # Made-up kids right after that refetch do not reach the issuer again.
        for _ in range(3):
            with pytest.raises(TokenError, match="unknown signing key"):
                await verifier.verify(tokens.token(key=SigningKey.generate("bogus")))
        assert server.requests == 2

    asyncio.run(scenario())


def test_cached_keys_survive_issuer_outage(tokens: TokenFactory) -> None:
    server = JWKSServer(tokens.jwks())
    verifier = server.verifier(tokens, cache_ttl=0, min_refresh_interval=0)

    async def scenario() -> None:
        await verifier.verify(tokens.token())
        server.fail = True
        assert (await verifier.verify(tokens.token()))["sub"] == "test-client"

    asyncio.run(scenario())
    assert server.requests == 2


def test_unreachable_jwks_is_503(tokens: TokenFactory) -> None:
    server = JWKSServer(tokens.jwks())
    server.fail = True
    verifier = server.verifier(tokens)

    with pytest.raises(JWKSUnavailableError):
        verify(verifier, tokens.token())
    with TestClient(make_app(verifier)) as client:
        response = client.get("/v1/read", headers=tokens.headers(scopes="items:read"))
    assert response.status_code == 503


def test_keys_for_other_uses_are_ignored(tokens: TokenFactory) -> None:
    document = tokens.jwks()
    document["keys"][0]["use"] = "enc"

    with pytest.raises(TokenError, match="unknown signing key"):
        verify(
            JWTVerifier(document, issuer=tokens.issuer, audience=tokens.audience), tokens.token()
        )


def test_missing_verifier_is_a_programming_error(tokens: TokenFactory) -> None:
    app = make_app(tokens.verifier())
    del app.state.jwt_verifier
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/read", headers=tokens.headers(scopes="items:read"))

    assert response.status_code == 500


def test_bearer_scheme_in_openapi(tokens: TokenFactory) -> None:
    schema = make_app(tokens.verifier()).openapi()

    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    # The security requirement names the scopes the route checks.
    assert schema["paths"]["/v1/read"]["get"]["security"] == [{"bearerAuth": ["items:read"]}]
