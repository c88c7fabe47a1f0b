"""`configure`: one call that points OpenFeature at flagd, and typed lookups over it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openfeature import api
from openfeature.client import OpenFeatureClient
from openfeature.contrib.provider.flagd import FlagdProvider
from openfeature.contrib.provider.flagd.config import ResolverType
from openfeature.evaluation_context import EvaluationContext
from openfeature.flag_evaluation import FlagValueType
from openfeature.provider import FeatureProvider

from .otel import TracingHook
from .settings import FlagSettings, Resolver

# OpenFeature keeps one provider per domain; services use this one unless they need two.
DEFAULT_DOMAIN = "service"

_RESOLVERS = {
    Resolver.FILE: ResolverType.FILE,
    Resolver.IN_PROCESS: ResolverType.IN_PROCESS,
    Resolver.RPC: ResolverType.RPC,
}

# Domains whose provider a test has pinned (see `feature_flags.testing`): `configure`
# leaves them alone, so an app built inside a test keeps the forced flag states.
_pinned: set[str] = set()

ObjectValue = Sequence[FlagValueType] | Mapping[str, FlagValueType]


def build_provider(settings: FlagSettings) -> FeatureProvider:
    """The flagd provider for `settings.flags_resolver`."""
    resolver = _RESOLVERS[settings.flags_resolver]
    if settings.flags_resolver is Resolver.FILE:
        return FlagdProvider(
            resolver_type=resolver, offline_flag_source_path=str(settings.flag_file())
        )
    return FlagdProvider(resolver_type=resolver, host=settings.flagd_host, port=settings.port())


def configure(
    settings: FlagSettings | None = None,
    *,
    domain: str = DEFAULT_DOMAIN,
    tracing: bool = True,
) -> FeatureFlags:
    """Install the flagd provider for `domain` and return its client.

    `tracing` adds a span event per evaluation (OpenFeature's OpenTelemetry hook; see
    `feature_flags.otel`); turn it off only where the overhead of building the event
    matters more than seeing it (it is skipped anyway when the request is not sampled).
    """
    settings = settings or FlagSettings()
    if domain in _pinned:
        pass
    elif settings.flags_resolver is Resolver.FILE:
        # Reading a local file is quick: be ready before the first request.
        api.set_provider_and_wait(build_provider(settings), domain)
    else:
        # Against flagd, do not hold up start-up: until the provider is ready (or while
        # flagd is unreachable) every lookup returns its safe code default.
        api.set_provider(build_provider(settings), domain)
    return FeatureFlags(domain, tracing=tracing)


class FeatureFlags:
    """Typed lookups. Every call takes the value to use when the flag is missing,
    DISABLED, of the wrong type or flagd is unreachable: make it the safe one."""

    def __init__(self, domain: str = DEFAULT_DOMAIN, *, tracing: bool = True) -> None:
        self.domain = domain
        self.client: OpenFeatureClient = api.get_client(domain)
        if tracing:
            self.client.add_hooks([TracingHook()])

    def boolean(self, key: str, default: bool, context: EvaluationContext | None = None) -> bool:
        return self.client.get_boolean_value(key, default, context)

    def string(self, key: str, default: str, context: EvaluationContext | None = None) -> str:
        return self.client.get_string_value(key, default, context)

    def integer(self, key: str, default: int, context: EvaluationContext | None = None) -> int:
        return self.client.get_integer_value(key, default, context)

    def number(self, key: str, default: float, context: EvaluationContext | None = None) -> float:
        """A float flag."""
        return self.client.get_float_value(key, default, context)

    def structure(
        self, key: str, default: ObjectValue, context: EvaluationContext | None = None
    ) -> ObjectValue:
        """An object flag (a JSON object or list)."""
        return self.client.get_object_value(key, default, context)
