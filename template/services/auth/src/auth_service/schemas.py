"""Request and response bodies of the token service, as they appear in its OpenAPI contract."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

GRANT_TYPE = "client_credentials"
# RFC 6749 section 3.3: scope = scope-token *( SP scope-token ), scope-token = 1*NQCHAR.
SCOPE_TOKEN_PATTERN = r"[\x21\x23-\x5b\x5d-\x7e]+"  # noqa: S105 - a syntax, not a secret
SCOPE_PATTERN = rf"^{SCOPE_TOKEN_PATTERN}( {SCOPE_TOKEN_PATTERN})*$"
MAX_SCOPE_LENGTH = 1024
# An audience names a service (or a URI): visible ASCII, no spaces.
AUDIENCE_PATTERN = r"^[\x21-\x7e]+$"
MAX_AUDIENCE_LENGTH = 255


def _document_as_checked(schema: dict[str, Any]) -> None:
    """The schema says what the endpoint checks: `grant_type` is required and a value is
    never `null` (a form field is text or absent)."""
    schema["required"] = ["grant_type"]
    for field in schema["properties"].values():
        branches = [branch for branch in field.pop("anyOf", []) if branch != {"type": "null"}]
        if len(branches) == 1:
            field.update(branches[0])
        elif branches:
            field["anyOf"] = branches
        field.pop("default", None)


# Every field is optional to the parser and checked by the endpoint, so that a missing or
# wrong value gets an RFC 6749 error (`invalid_request`, `unsupported_grant_type`,
# `invalid_scope`) rather than the framework's validation error. The schema documents the
# rules the endpoint applies to every client; which audiences and scopes a client may
# have depends on its registration, and a request beyond them gets 400 (RFC 6749).
class TokenRequestForm(BaseModel):
    """A token request (RFC 6749 section 4.4.2)."""

    model_config = ConfigDict(json_schema_extra=_document_as_checked)

    grant_type: str | None = Field(default=None, json_schema_extra={"enum": [GRANT_TYPE]})
    client_id: str | None = Field(
        default=None,
        description="With `client_secret_post`; with HTTP Basic only if it repeats the Basic one",
    )
    client_secret: str | None = Field(
        default=None, description="With `client_secret_post`, never with HTTP Basic"
    )
    audience: str | None = Field(
        default=None,
        description="Service the token is for; required unless the client has exactly one",
        json_schema_extra={"pattern": AUDIENCE_PATTERN, "maxLength": MAX_AUDIENCE_LENGTH},
    )
    scope: str | None = Field(
        default=None,
        description="Space-separated scopes; without it, every scope the client is registered for",
        json_schema_extra={"pattern": SCOPE_PATTERN, "maxLength": MAX_SCOPE_LENGTH},
    )


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
