"""Settings every service shares; services subclass `ServiceSettings`."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal, TypeVar

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "staging", "production"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
TracesExporter = Literal["none", "console", "otlp"]

# Environments in which well-known development defaults (secrets, clients) are acceptable.
DEVELOPMENT_ENVIRONMENTS: frozenset[str] = frozenset({"development", "test"})

_Secret = TypeVar("_Secret", str, SecretStr)


class ServiceSettings(BaseSettings):
    """Configuration read from environment variables (names are case-insensitive).

    `CORS_ORIGINS` is a JSON list, e.g. `["https://app.example.com"]`. Unknown variables
    are ignored so that one environment can serve several services.

    The limits bound what one client can make the process hold: `MAX_BODY_BYTES` per
    request body (routes may declare their own, see `service_kit.limits`); the server
    settings apply when the service runs with `service_kit.server.run`.
    """

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str
    environment: Environment = "development"
    cors_origins: list[str] = []
    log_level: LogLevel = "INFO"
    traces_exporter: TracesExporter = "none"
    otlp_endpoint: str | None = None
    # Largest request body, in bytes (1 MiB).
    max_body_bytes: Annotated[int, Field(ge=0)] = 1024 * 1024
    # Largest request line plus headers, in bytes; larger requests get a 400.
    max_header_bytes: Annotated[int, Field(ge=1024, le=1024 * 1024)] = 16 * 1024
    # Time a client has to send a complete request line and headers (slow clients).
    header_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10
    # Time an idle keep-alive connection stays open between requests.
    keep_alive_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 5
    # Connections plus in-flight requests before new requests get a 503.
    max_concurrency: Annotated[int, Field(ge=1)] = 1000

    @property
    def is_development(self) -> bool:
        """True for `development` and `test`, where development defaults are allowed."""
        return self.environment in DEVELOPMENT_ENVIRONMENTS


def refuse_default_secret(value: _Secret, default: str, environment: str, name: str) -> _Secret:
    """Return `value`, or raise `ValueError` when it is the development default outside
    development and test.

    Meant for a pydantic `model_validator(mode="after")`, so a deployment that forgot to set
    a secret fails at start-up instead of running with a value published in the repository.
    """
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if environment not in DEVELOPMENT_ENVIRONMENTS and hmac.compare_digest(
        raw.encode(), default.encode()
    ):
        msg = (
            f"{name} still has its development default; set it explicitly "
            f"(environment is {environment!r})"
        )
        raise ValueError(msg)
    return value
