"""The platform's service toolkit: settings, the FastAPI app factory and health checks.

Authentication lives in `service_kit.auth`, test helpers in `service_kit.testing`.
"""

from .app import create_service_app
from .errors import problem_response
from .health import ReadinessCheck
from .settings import ServiceSettings, refuse_default_secret

__all__ = [
    "ReadinessCheck",
    "ServiceSettings",
    "create_service_app",
    "problem_response",
    "refuse_default_secret",
]
