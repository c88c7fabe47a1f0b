"""Feature flags for the platform's services: OpenFeature over flagd.

flags = configure(FlagSettings())
if flags.boolean("items-create-enabled", False, context): ...
"""

from openfeature.evaluation_context import EvaluationContext

from .client import DEFAULT_DOMAIN, FeatureFlags, build_provider, configure
from .context import CANARY_HEADER, build_context, request_context
from .settings import FlagSettings, Resolver, find_flag_file

__all__ = [
    "CANARY_HEADER",
    "DEFAULT_DOMAIN",
    "EvaluationContext",
    "FeatureFlags",
    "FlagSettings",
    "Resolver",
    "build_context",
    "build_provider",
    "configure",
    "find_flag_file",
    "request_context",
]
