"""The token service's FastAPI application: the token endpoint and the published keys."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Annotated
from urllib.parse import unquote_plus

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.responses import JSONResponse
from observability import get_logger
from service_kit import ReadinessCheck, create_service_app, problem_response
from service_kit.limits import KiB, max_body_size
from service_kit.openapi import problem_content

from . import __version__
from .clients import ClientRegistry
from .keys import KeyStore, KeyStoreError
from .schemas import (
    GRANT_TYPE,
    AuthorizationServerMetadata,
    JsonWebKeySet,
    OAuthErrorResponse,
    TokenRequestForm,
    TokenResponse,
)
from .settings import Settings
from .throttle import AuthFailureThrottle
from .tokens import OAuthError, issue_token, resolve_grant

TOKEN_PATH = "/oauth/token"  # noqa: S105 - a URL path, not a credential
JWKS_PATH = "/.well-known/jwks.json"
METADATA_PATH = "/.well-known/oauth-authorization-server"
# Short, so a new key reaches HTTP caches quickly; verifiers also refetch on an unknown kid.
JWKS_CACHE_CONTROL = "public, max-age=60"
METADATA_CACHE_CONTROL = "public, max-age=3600"
# RFC 6749 section 5.1: token responses must not be cached anywhere.
NO_STORE_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}

_logger = get_logger(__name__)

# A token request is a handful of short form fields.
TOKEN_REQUEST_MAX_BYTES = 16 * KiB

_PROBLEM_CONTENT = problem_content()
_ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {
        "model": OAuthErrorResponse,
        # A body that is not a form at all is refused before the endpoint runs.
        "content": _PROBLEM_CONTENT,
        "description": "Malformed or refused request (RFC 6749), or a body that is not a form",
    },
    401: {"model": OAuthErrorResponse, "description": "Client authentication failed"},
    413: {
        "content": _PROBLEM_CONTENT,
        "description": "The request body is larger than 16 KiB",
    },
    429: {
        "content": _PROBLEM_CONTENT,
        "description": "Too many failed client authentications; see `Retry-After`",
        "headers": {
            "Retry-After": {
                "description": "Seconds until the next attempt is accepted",
                "schema": {"type": "integer"},
            }
        },
    },
    503: {"model": OAuthErrorResponse, "description": "No signing key is available"},
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app factory uvicorn, the contract export and the tests call."""
    settings = settings or Settings()
    store = settings.key_store()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Only development makes its own first key; elsewhere Settings already refused a
        # key directory without a provisioned key. Not done in create_app, so exporting
        # the OpenAPI contract never writes keys.
        if settings.is_development:
            kid = store.ensure_active_key()
            _logger.info("signing key ready", kid=kid, keys_dir=str(settings.keys_dir))
        yield

    async def signing_key_ready() -> None:
        store.active_key()

    app = create_service_app(
        settings,
        title="Auth service",
        version=__version__,
        readiness=[ReadinessCheck("signing-key", signing_key_ready)],
        lifespan=lifespan,
    )
    throttle = AuthFailureThrottle(
        per_client=settings.token_failure_limit_per_client,
        per_address=settings.token_failure_limit_per_address,
    )
    app.include_router(_router(settings, store, ClientRegistry(settings.clients), throttle))
    return app


def _router(
    settings: Settings, store: KeyStore, registry: ClientRegistry, throttle: AuthFailureThrottle
) -> APIRouter:
    router = APIRouter()

    @router.post(
        TOKEN_PATH,
        response_model=TokenResponse,
        responses=_ERROR_RESPONSES,
        tags=["oauth"],
        summary="Issue an access token (client credentials grant)",
    )
    @max_body_size(TOKEN_REQUEST_MAX_BYTES)
    async def token(request: Request, form: Annotated[TokenRequestForm, Form()]) -> Response:
        """Client credentials grant (RFC 6749 section 4.4).

        The client authenticates with HTTP Basic (`client_secret_basic`) or with
        `client_id` and `client_secret` form fields (`client_secret_post`), not both.
        After too many failed authentications for one client id or from one address,
        requests get 429 with `Retry-After` until the window has passed.
        """
        try:
            # The parsed model keeps one value per field; RFC 6749 section 3.2 forbids
            # repeating a parameter, so the raw form (parsed once, cached) is checked too.
            raw_form = await request.form()
            repeated = [
                name for name in TokenRequestForm.model_fields if len(raw_form.getlist(name)) > 1
            ]
            if repeated:
                raise OAuthError("invalid_request", f"repeated parameter: {', '.join(repeated)}")
            if not form.grant_type:
                raise OAuthError("invalid_request", "grant_type is required")
            identifier, secret = _client_credentials(
                request.headers.get("Authorization"), form.client_id, form.client_secret
            )
            address = request.client.host if request.client else None
            retry_after = throttle.retry_after(identifier, address)
            if retry_after is not None:
                _logger.warning("token request throttled", address=address)
                return _throttled_response(retry_after, request.url.path)
            client = registry.authenticate(identifier, secret)
            if client is None:
                throttle.record_failure(identifier, address)
                raise OAuthError(
                    "invalid_client",
                    "client authentication failed",
                    status_code=HTTPStatus.UNAUTHORIZED,
                )
            if form.grant_type != GRANT_TYPE:
                raise OAuthError("unsupported_grant_type", f"only {GRANT_TYPE!r} is supported")
            grant = resolve_grant(client, audience=form.audience, scope=form.scope)
            try:
                key = store.active_key()
            except KeyStoreError as exc:
                _logger.error("no signing key", error=str(exc))
                raise OAuthError(
                    "temporarily_unavailable",
                    "no signing key is available",
                    status_code=HTTPStatus.SERVICE_UNAVAILABLE,
                ) from exc
        except OAuthError as exc:
            return _error_response(exc, settings)
        issued = issue_token(grant, key=key, issuer=settings.auth_issuer, ttl=settings.token_ttl)
        _logger.info(
            "token issued",
            client_id=grant.subject,
            audience=grant.audience,
            scope=grant.scope,
            kid=key.kid,
        )
        body = TokenResponse(
            access_token=issued.access_token, expires_in=issued.expires_in, scope=issued.scope
        )
        return JSONResponse(body.model_dump(), headers=NO_STORE_HEADERS)

    @router.get(JWKS_PATH, tags=["keys"], summary="Public keys that verify issued tokens")
    async def jwks(response: Response) -> JsonWebKeySet:
        response.headers["Cache-Control"] = JWKS_CACHE_CONTROL
        return JsonWebKeySet.model_validate(store.jwks())

    @router.get(METADATA_PATH, tags=["keys"], summary="Authorization server metadata (RFC 8414)")
    async def metadata(response: Response) -> AuthorizationServerMetadata:
        response.headers["Cache-Control"] = METADATA_CACHE_CONTROL
        return AuthorizationServerMetadata(
            issuer=settings.auth_issuer,
            token_endpoint=settings.auth_issuer + TOKEN_PATH,
            jwks_uri=settings.auth_issuer + JWKS_PATH,
            grant_types_supported=[GRANT_TYPE],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            response_types_supported=[],
        )

    return router


def _client_credentials(
    authorization: str | None,
    form_client_id: str | None,
    form_client_secret: str | None,
) -> tuple[str, str]:
    """(client_id, secret) of the request (RFC 6749 section 2.3): exactly one method."""
    basic = _basic_credentials(authorization) if authorization else None
    # A client_id form field is tolerated next to Basic when it repeats the Basic one.
    # Two methods in one request fail authentication (RFC 6749 section 5.2 counts an
    # unsupported authentication method as `invalid_client`): the request is well-formed,
    # its credentials are not acceptable.
    if basic is not None and (
        form_client_secret is not None or form_client_id not in (None, basic[0])
    ):
        raise OAuthError(
            "invalid_client",
            "use one client authentication method",
            status_code=HTTPStatus.UNAUTHORIZED,
        )
    identifier, secret = basic or (form_client_id, form_client_secret)
    if not identifier or secret is None:
        raise OAuthError(
            "invalid_client",
            "client authentication is required",
            status_code=HTTPStatus.UNAUTHORIZED,
        )
    return identifier, secret


def _throttled_response(retry_after: int, path: str) -> Response:
    return problem_response(
        HTTPStatus.TOO_MANY_REQUESTS,
        detail="Too many failed client authentications; retry after the given delay.",
        instance=path,
        headers={**NO_STORE_HEADERS, "Retry-After": str(retry_after)},
    )


def _basic_credentials(authorization: str) -> tuple[str, str] | None:
    """(client_id, secret) from an `Authorization: Basic` header; None for other schemes."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_request", "malformed Basic credentials") from exc
    identifier, separator, secret = decoded.partition(":")
    if not separator:
        raise OAuthError("invalid_request", "malformed Basic credentials")
    # RFC 6749 section 2.3.1: both parts are form-urlencoded before base64 encoding.
    return unquote_plus(identifier), unquote_plus(secret)


def _error_response(error: OAuthError, settings: Settings) -> JSONResponse:
    headers = dict(NO_STORE_HEADERS)
    if error.status_code == HTTPStatus.UNAUTHORIZED:
        # RFC 7235: a 401 names the scheme to use; RFC 6749 section 5.2 asks for Basic.
        headers["WWW-Authenticate"] = f'Basic realm="{settings.auth_issuer}"'
    body = {"error": error.error, "error_description": error.description}
    return JSONResponse(body, status_code=error.status_code, headers=headers)
