"""The library against the repository's real flag file, through the FILE resolver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from feature_flags import (
    FeatureFlags,
    FlagSettings,
    Resolver,
    build_context,
    configure,
    request_context,
)
from feature_flags.otel import EVENT_NAME, OpenTelemetryHook
from feature_flags.testing import ForcedFlags, forced_flags
from openfeature import api
from openfeature.evaluation_context import EvaluationContext
from openfeature.hook import HookContext
from openfeature.provider.in_memory_provider import InMemoryFlag, InMemoryProvider
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, Sampler
from service_kit.auth import Principal

NEWEST_FIRST = "items-newest-first"
ROLLOUT_KEYS = 10_000


@pytest.fixture
def file_flags(flag_file: Path) -> FeatureFlags:
    return configure(
        FlagSettings(flags_resolver=Resolver.FILE, flags_file=flag_file), domain="lib-tests"
    )


def _subject(number: int) -> EvaluationContext:
    return build_context(subject=f"client-{number}")


def test_rollout_is_twenty_percent(file_flags: FeatureFlags) -> None:
    on = sum(file_flags.boolean(NEWEST_FIRST, False, _subject(n)) for n in range(ROLLOUT_KEYS))
    assert 0.18 <= on / ROLLOUT_KEYS <= 0.22


def test_rollout_is_sticky_across_clients(flag_file: Path, file_flags: FeatureFlags) -> None:
    first = [file_flags.boolean(NEWEST_FIRST, False, _subject(n)) for n in range(500)]
    again = [file_flags.boolean(NEWEST_FIRST, False, _subject(n)) for n in range(500)]
    other = configure(
        FlagSettings(flags_resolver=Resolver.FILE, flags_file=flag_file), domain="lib-tests-2"
    )
    fresh = [other.boolean(NEWEST_FIRST, False, _subject(n)) for n in range(500)]
    assert first == again == fresh


def test_kill_switch_is_on_by_default(file_flags: FeatureFlags) -> None:
    assert file_flags.boolean("items-create-enabled", False, _subject(1)) is True


@pytest.mark.parametrize(
    ("tenant", "expected"),
    [("acme", True), ("globex", True), ("initech", False), (None, False)],
    ids=["listed", "listed-too", "unlisted", "no-tenant"],
)
def test_large_pages_cohort(file_flags: FeatureFlags, tenant: str | None, expected: bool) -> None:
    claims = {} if tenant is None else {"tenant": tenant}
    context = build_context(subject="client", claims=claims)
    assert file_flags.boolean("items-large-pages", False, context) is expected


@pytest.mark.parametrize(
    ("header", "tenant", "expected"),
    [
        ("always", None, True),
        ("", None, False),
        ("never", None, False),
        ("", "canary-testers", True),
    ],
    ids=["header", "no-header", "other-value", "canary-tenant"],
)
def test_canary(file_flags: FeatureFlags, header: str, tenant: str | None, expected: bool) -> None:
    context = build_context(
        subject="client",
        claims={"tenant": tenant} if tenant else {},
        headers={"x-canary": header},
    )
    assert file_flags.boolean("items-canary", False, context) is expected


def test_disabled_flag_returns_code_default(tmp_path: Path) -> None:
    path = tmp_path / "flags.json"
    path.write_text(
        '{"flags": {"switch": {"state": "DISABLED", "variants": {"on": true, "off": false},'
        ' "defaultVariant": "on"}}}',
        encoding="utf-8",
    )
    flags = configure(FlagSettings(flags_file=path), domain="lib-tests-disabled")
    assert flags.boolean("switch", False) is False
    assert flags.boolean("switch", True) is True


def test_missing_flag_and_wrong_type_return_the_default(file_flags: FeatureFlags) -> None:
    assert file_flags.string("no-such-flag", "safe") == "safe"
    assert file_flags.integer("items-canary", 7) == 7
    assert file_flags.number("no-such-flag", 0.5) == 0.5
    assert file_flags.structure("no-such-flag", {"a": 1}) == {"a": 1}


def test_forced_states_flip_and_restore(flags: ForcedFlags) -> None:
    client = configure()
    assert client.boolean("items-create-enabled", False) is True
    assert client.boolean(NEWEST_FIRST, True) is False
    flags.set(NEWEST_FIRST, True)
    assert client.boolean(NEWEST_FIRST, False) is True
    flags.disable("items-create-enabled")
    assert client.boolean("items-create-enabled", False) is False
    flags.set("page-size", 50)
    assert client.integer("page-size", 20) == 50


def test_forced_states_are_gone_in_the_next_test() -> None:
    assert FeatureFlags().integer("page-size", 20) == 20


def test_settings_pick_the_port_for_the_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAGS_RESOLVER", "in-process")
    assert FlagSettings().port() == 8015
    monkeypatch.setenv("FLAGS_RESOLVER", "rpc")
    monkeypatch.setenv("FLAGD_HOST", "flagd")
    settings = FlagSettings()
    assert (settings.flagd_host, settings.port()) == ("flagd", 8013)


def test_request_context_from_principal_and_headers() -> None:
    app = FastAPI()

    @app.get("/probe")
    def probe(context: EvaluationContext = Depends(request_context)) -> dict[str, object]:  # noqa: B008
        return {"key": context.targeting_key, **context.attributes}

    @app.middleware("http")
    async def authenticate(request, call_next):  # type: ignore[no-untyped-def]
        request.state.principal = Principal(
            subject="client-7", scopes=frozenset(), claims={"tenant": "acme"}
        )
        return await call_next(request)

    body = TestClient(app).get("/probe", headers={"X-Canary": "always"}).json()
    assert body == {
        "key": "client-7",
        "tenant": "acme",
        "canary": True,
        "method": "GET",
        "path": "/probe",
    }


@pytest.fixture
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


def test_evaluation_adds_a_span_event(
    file_flags: FeatureFlags, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    with provider.get_tracer("test").start_as_current_span("request"):
        file_flags.boolean(
            "items-large-pages", False, build_context(subject="c", claims={"tenant": "acme"})
        )
    (span,) = exporter.get_finished_spans()
    (event,) = span.events
    assert event.name == EVENT_NAME == "feature_flag.evaluation"
    assert dict(event.attributes or {}) == {
        "feature_flag.key": "items-large-pages",
        "feature_flag.provider.name": "FlagdProvider",
        "feature_flag.result.reason": "targeting_match",
        "feature_flag.result.value": "true",
        "feature_flag.result.variant": "on",
        "feature_flag.context.id": "c",
    }
    assert trace.get_current_span().is_recording() is False


def test_a_failed_evaluation_records_the_error(
    file_flags: FeatureFlags, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    with provider.get_tracer("test").start_as_current_span("request"):
        assert file_flags.integer("items-canary", 7) == 7
    (span,) = exporter.get_finished_spans()
    exception, evaluation = span.events
    assert exception.name == "exception"
    assert (exception.attributes or {})["feature_flag.key"] == "items-canary"
    assert evaluation.name == EVENT_NAME
    assert (evaluation.attributes or {})["error.type"] == "type_mismatch"
    assert (evaluation.attributes or {})["feature_flag.result.value"] == "7"


@pytest.mark.parametrize(
    ("sampler", "calls"),
    [(ALWAYS_ON, 1), (ALWAYS_OFF, 0)],
    ids=["sampled", "not-sampled"],
)
def test_the_hook_does_nothing_for_unsampled_spans(
    file_flags: FeatureFlags, monkeypatch: pytest.MonkeyPatch, sampler: Sampler, calls: int
) -> None:
    seen: list[str] = []

    def upstream(self: object, hook_context: HookContext, details: object, hints: object) -> None:
        seen.append(hook_context.flag_key)

    monkeypatch.setattr(OpenTelemetryHook, "finally_after", upstream)
    tracer = TracerProvider(sampler=sampler).get_tracer("test")
    with tracer.start_as_current_span("request"):
        file_flags.boolean(NEWEST_FIRST, False, _subject(1))
    assert seen == [NEWEST_FIRST] * calls


def test_forced_flags_put_the_previous_provider_back() -> None:
    domain = "lib-tests-forced"
    mine = InMemoryProvider({"page-size": InMemoryFlag("big", {"big": 50})})
    api.set_provider(mine, domain)
    with forced_flags(domain) as forced:
        forced.set("page-size", 10)
        assert FeatureFlags(domain).integer("page-size", 20) == 10
    assert api.get_client(domain).provider is mine
    assert FeatureFlags(domain).integer("page-size", 20) == 50


def test_forced_flags_on_a_domain_without_provider_leave_the_default() -> None:
    domain = "lib-tests-unset"
    with forced_flags(domain) as forced:
        forced.set("page-size", 10)
    assert api.get_client(domain).provider is api.get_client().provider
    assert FeatureFlags(domain).integer("page-size", 20) == 20
