"""Hostile bearer tokens: whatever the header and payload hold, the answer is 401 or 403
with a `WWW-Authenticate` header any HTTP stack can send, never a 500."""

import base64
import json
import time
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm
from service_kit import ServiceSettings, create_service_app
from service_kit.auth import Principal, quoted_string, require_scopes
from service_kit.testing import TokenFactory

# Every reason a 401 may carry: a fixed vocabulary, nothing copied from the token.
REASONS = {
    "malformed token",
    "algorithm is not accepted",
    "not an access token",
    "token has no key id",
    "unknown signing key",
    "key type does not match the token algorithm",
    "token expired",
    "token not yet valid",
    "invalid audience",
    "invalid issuer",
    "invalid signature",
    "invalid token",
    "token lifetime is too long",
    *(f"missing claim {name!r}" for name in ("exp", "iat", "iss", "aud", "sub", "required")),
    *(f"claim {name!r} is not a number" for name in ("exp", "iat", "nbf")),
}
_ES256 = ECAlgorithm(ECAlgorithm.SHA256)


@pytest.fixture(scope="module")
def tokens() -> TokenFactory:
    return TokenFactory(issuer="http://auth.test", audience="example")


@pytest.fixture(scope="module")
def client(tokens: TokenFactory) -> Any:
    app: FastAPI = create_service_app(
        ServiceSettings(service_name="example", environment="test"), title="Example", version="1"
    )
    app.state.jwt_verifier = tokens.verifier()

    @app.get("/v1/write")
    async def write(
        principal: Annotated[Principal, Depends(require_scopes("items:write"))],
    ) -> dict[str, str]:
        return {"subject": principal.subject}

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(tokens: TokenFactory, header: bytes, payload: bytes) -> str:
    """A token with exactly these header and payload bytes and a valid ES256 signature,
    so the verifier gets past the signature to whatever the payload holds."""
    signing_input = f"{b64(header)}.{b64(payload)}"
    signature = _ES256.sign(signing_input.encode(), tokens.key.private_key)
    return f"{signing_input}.{b64(signature)}"


def good_header(tokens: TokenFactory, **overrides: Any) -> bytes:
    return json.dumps(
        {"alg": "ES256", "typ": "at+jwt", "kid": tokens.key.kid, **overrides}
    ).encode()


def good_claims(tokens: TokenFactory, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": tokens.issuer, "aud": tokens.audience, "sub": "client-a"}
    return {**claims, "iat": now, "nbf": now, "exp": now + 300, "scope": "", **overrides}


def assert_rejected(response: Any, statuses: tuple[int, ...] = (401,)) -> None:
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"] == "application/problem+json"
    challenge = response.headers["www-authenticate"]
    # The header must be plain ASCII (a non-ASCII reason used to turn the 401 into a 500).
    assert challenge.isascii()
    assert challenge.isprintable()
    if response.status_code == 401 and "error_description" in challenge:
        assert response.json()["detail"] in REASONS


def call(client: TestClient, token: str | bytes) -> Any:
    value = token if isinstance(token, bytes) else token.encode()
    return client.get("/v1/write", headers={"Authorization": b"Bearer " + value})


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        pytest.param(
            lambda t: signed(t, good_header(t, kid=7), json.dumps(good_claims(t)).encode()),
            "malformed token",
            id="numeric-kid",
        ),
        pytest.param(
            lambda t: signed(t, good_header(t, kid=["a"]), json.dumps(good_claims(t)).encode()),
            "malformed token",
            id="list-kid",
        ),
        pytest.param(
            lambda t: signed(
                t, good_header(t, alg="ES256\u00e9"), json.dumps(good_claims(t)).encode()
            ),
            "algorithm is not accepted",
            id="non-ascii-alg",
        ),
        pytest.param(
            lambda t: signed(t, good_header(t, alg=["ES256"]), json.dumps(good_claims(t)).encode()),
            "algorithm is not accepted",
            id="list-alg",
        ),
        pytest.param(
            lambda t: signed(t, b"\xff\xfe\x00garbage", json.dumps(good_claims(t)).encode()),
            "malformed token",
            id="garbage-header",
        ),
        pytest.param(
            lambda t: signed(t, good_header(t), b"\xff\xfe\x00garbage"),
            "invalid token",
            id="garbage-payload",
        ),
        pytest.param(
            lambda t: signed(t, good_header(t), b"[1, 2, 3]"), "invalid token", id="array-payload"
        ),
        pytest.param(
            lambda t: signed(t, good_header(t, typ="JWT"), json.dumps(good_claims(t)).encode()),
            "not an access token",
            id="typ-jwt",
        ),
        pytest.param(
            lambda t: t.token(header={"typ": None}), "not an access token", id="typ-missing"
        ),
        pytest.param(
            lambda t: t.token(claims={"exp": str(int(time.time()) + 300)}),
            "claim 'exp' is not a number",
            id="numeric-string-exp",
        ),
        pytest.param(
            lambda t: t.token(claims={"iat": str(int(time.time()))}),
            "claim 'iat' is not a number",
            id="numeric-string-iat",
        ),
        pytest.param(
            lambda t: t.token(claims={"nbf": str(int(time.time()))}),
            "claim 'nbf' is not a number",
            id="numeric-string-nbf",
        ),
        pytest.param(
            lambda t: t.token(claims={"iat": True}),
            "claim 'iat' is not a number",
            id="boolean-iat",
        ),
        pytest.param(
            lambda t: signed(
                t,
                good_header(t),
                json.dumps(good_claims(t)).replace('"exp": ', '"exp": 1e400 , "x": ').encode(),
            ),
            "invalid token",
            id="infinite-exp",
        ),
        pytest.param(
            lambda t: t.token(expires_in=7 * 24 * 3600),
            "token lifetime is too long",
            id="week-long-token",
        ),
        pytest.param(
            lambda t: t.token(claims={"iat": int(time.time()) - 30 * 24 * 3600}),
            "token lifetime is too long",
            id="backdated-iat",
        ),
    ],
)
def test_malformed_tokens_are_401_with_a_fixed_reason(
    client: TestClient, tokens: TokenFactory, make_token: Any, reason: str
) -> None:
    response = call(client, make_token(tokens))

    assert_rejected(response)
    assert response.json()["detail"] == reason
    assert response.headers["www-authenticate"] == (
        f'Bearer error="invalid_token", error_description="{reason}"'
    )


def test_non_ascii_credentials_are_401(client: TestClient) -> None:
    response = call(client, "caf\u00e9.\u00ff\u00fe.x".encode("latin-1"))

    assert_rejected(response)


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        pytest.param("token expired", '"token expired"', id="plain"),
        pytest.param('say "hi" \\ bye', '"say ?hi? ? bye"', id="quote-and-backslash"),
        pytest.param("caf\u00e9\r\nX-Evil: 1", '"caf???X-Evil: 1"', id="non-ascii-and-crlf"),
        pytest.param("x" * 500, '"' + "x" * 200 + '"', id="cut-to-length"),
    ],
)
def test_quoted_string_is_safe_in_a_header(reason: str, expected: str) -> None:
    assert quoted_string(reason) == expected


# Deadline off: the first example pays for the app's and the key's warm-up.
_PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@_PROPERTY
@given(header=st.binary(max_size=200), payload=st.binary(max_size=200))
def test_arbitrary_header_and_payload_bytes_are_refused(
    client: TestClient, tokens: TokenFactory, header: bytes, payload: bytes
) -> None:
    assert_rejected(call(client, signed(tokens, header, payload)), (401, 403))


@_PROPERTY
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "typ", "kid", "crit", "b64", "x"]), _json_values
    ),
    claims=st.dictionaries(
        st.sampled_from(["exp", "iat", "nbf", "iss", "aud", "sub", "scope", "scp", "jti"]),
        _json_values,
    ),
)
def test_arbitrary_header_and_claim_values_are_refused(
    client: TestClient, tokens: TokenFactory, header: dict[str, Any], claims: dict[str, Any]
) -> None:
    # Valid JSON with hostile values in the members the verifier reads. The route needs a
    # scope no generated claim grants, so a token that passes every check still gets 403.
    token_header = good_header(tokens, **header)
    payload = json.dumps(good_claims(tokens, **claims) | {"scope": "", "scp": []}, allow_nan=True)
    assert_rejected(call(client, signed(tokens, token_header, payload.encode())), (401, 403))


@_PROPERTY
@given(
    credentials=st.binary(min_size=1, max_size=200).filter(
        lambda b: b"\r" not in b and b"\n" not in b
    )
)
def test_arbitrary_credentials_are_refused(client: TestClient, credentials: bytes) -> None:
    response = call(client, credentials)

    assert response.status_code in (401, 403), response.text
    assert response.headers["www-authenticate"].isascii()
