"""OAuth 2.0 client-credentials token service: short-lived ES256 JWTs and their JWKS."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("auth-service")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
