"""Request and response bodies of the token service, as they appear in its OpenAPI contract."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

GRANT_TYPE = "client_credentials"


# Every field is optional here and checked by the endpoint, so that a missing or wrong
# value gets an RFC 6749 error (`invalid_request`, `unsupported_grant_type`) rather than
# the framework's validation error. `grant_type` is documented as an enum all the same.
class TokenRequestForm(BaseModel):
    """A token request (RFC 6749 section 4.4.2)."""

    grant_type: str | None = Field(default=None, json_schema_extra={"enum": [GRANT_TYPE]})
    client_id: str | None = Field(default=None, description="With `client_secret_post`")
    client_secret: str | None = Field(default=None, description="With `client_secret_post`")
    audience: str | None = Field(default=None, description="Service the token is for")
    scope: str | None = Field(default=None, description="Space-separated scopes")


class TokenResponse(BaseModel):
    """A successful token response (RFC 6749 section 5.1)."""

    access_token: str = Field(description="ES256-signed JWT to send as `Authorization: Bearer`")
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the token type, not a secret
    expires_in: int = Field(description="Lifetime of the token in seconds")
    scope: str = Field(description="Granted scopes, space-separated")


class OAuthErrorResponse(BaseModel):
    """An error response of the token endpoint (RFC 6749 section 5.2)."""

    error: Literal[
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "temporarily_unavailable",
    ]
    error_description: str


class JsonWebKey(BaseModel):
    """A public EC signing key (RFC 7517, RFC 7518 section 6.2)."""

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    kid: str = Field(description="RFC 7638 thumbprint of the key")
    use: Literal["sig"]
    alg: Literal["ES256"]


class JsonWebKeySet(BaseModel):
    keys: list[JsonWebKey]


class AuthorizationServerMetadata(BaseModel):
    """Authorization server metadata (RFC 8414 section 2)."""

    issuer: str
    token_endpoint: str
    jwks_uri: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    # RFC 8414 makes this member required; there is no authorization endpoint, so no
    # response type is supported and the list is empty.
    response_types_supported: list[str]
